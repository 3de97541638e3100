// The bench's command-line options: checked before anything runs, with the fix in the message.

/** `--name N`: a whole number of at least `min`, else `fallback` when absent. */
export function intOption(argv: string[], name: string, fallback: number, min: number): number {
    const at = argv.indexOf(name);
    if (at < 0) return fallback;
    const v = Number(argv[at + 1]);
    if (!Number.isInteger(v) || v < min) throw new Error(`${name} ${argv[at + 1] ?? "(missing)"}: give a whole number of at least ${min}, e.g. ${name} ${fallback}`);
    return v;
}
