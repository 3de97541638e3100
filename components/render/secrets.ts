// The one way a renderer reads a secret value: a missing one is a bug upstream
// (the loader checks every reference), so it fails loudly instead of rendering "".
export type Secrets = Readonly<Record<string, string>>;

export function secretOf(secrets: Secrets, key: string, where?: string): string {
    const value = secrets[key];
    if (!value) throw new Error(`secret ${key}${where ? ` (${where})` : ""} is not set`);
    return value;
}
