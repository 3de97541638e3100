// Single-quoting for values placed into generated shell scripts.
export function shellQuote(text: string): string {
    return `'${text.replace(/'/g, `'\\''`)}'`;
}
