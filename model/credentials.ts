// What a configuration message must never print: a value that may be a password, a key or a
// token typed into the topology by mistake. Errs on the side of hiding.

/** Key names that suggest a credential (including common misspellings of "password"). */
const CREDENTIAL_KEY = /pass|pas+wo?r?d|pwd|secret|key|token|auth|cred/i;
const PEM = /-----BEGIN [A-Z0-9 ]+-----/;

export function isCredentialKey(key: string): boolean {
    return CREDENTIAL_KEY.test(key);
}

/** Shannon entropy of a string in bits per character. */
function entropy(text: string): number {
    const counts = new Map<string, number>();
    for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    let bits = 0;
    for (const n of counts.values()) {
        const p = n / text.length;
        bits -= p * Math.log2(p);
    }
    return bits;
}

/**
 * A PEM block, or a long string without spaces that mixes letters and digits with little
 * repetition: a generated password, an API token, base64 or hex key material.
 */
export function looksLikeKeyMaterial(text: string): boolean {
    if (PEM.test(text)) return true;
    if (text.length < 16 || /\s/.test(text)) return false;
    if (!/[A-Za-z]/.test(text) || !/[0-9]/.test(text)) return false;
    return entropy(text) >= 3;
}

/** True when `value`, found under `key`, may be a credential: by its key name or its content, at any depth. */
export function looksLikeCredential(key: string | undefined, value: unknown): boolean {
    if (key !== undefined && isCredentialKey(key)) return true;
    if (typeof value === "string") return looksLikeKeyMaterial(value);
    if (Array.isArray(value)) return value.some((v) => looksLikeCredential(undefined, v));
    if (value !== null && typeof value === "object") return Object.entries(value).some(([k, v]) => looksLikeCredential(k, v));
    return false;
}
