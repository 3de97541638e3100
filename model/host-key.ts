// SSH public key lines ("<type> <base64>"), as hosts[].ssh.hostKey pins them.
import * as crypto from "crypto";

/** A public key line "<type> <base64>" taken apart; undefined when it is not one. */
export interface PublicKey {
    readonly type: string;
    readonly base64: string;
    readonly blob: Buffer;
}

/** The fields of a key blob: length-prefixed strings that must use it up exactly. */
function fields(blob: Buffer): Buffer[] | undefined {
    const out: Buffer[] = [];
    for (let at = 0; at < blob.length; ) {
        if (at + 4 > blob.length) return undefined;
        const n = blob.readUInt32BE(at);
        if (at + 4 + n > blob.length) return undefined;
        out.push(blob.subarray(at + 4, at + 4 + n));
        at += 4 + n;
    }
    return out;
}

/** How many fields each pinnable type's blob has, and the ed25519 key's length. */
const SHAPES: Record<string, number> = { "ssh-ed25519": 2, "ssh-rsa": 3, "ecdsa-sha2-nistp256": 3, "ecdsa-sha2-nistp384": 3, "ecdsa-sha2-nistp521": 3 };

export function parsePublicKey(line: string): PublicKey | undefined {
    const m = /^(\S+) ([A-Za-z0-9+/]+={0,2})(?: .*)?$/.exec(line.trim());
    if (!m) return undefined;
    const blob = Buffer.from(m[2], "base64");
    const f = fields(blob);
    if (!f || f[0]?.toString("latin1") !== m[1] || f.length !== SHAPES[m[1]]) return undefined;
    if (m[1] === "ssh-ed25519" && f[1].length !== 32) return undefined;
    if (m[1].startsWith("ecdsa-sha2-") && f[1].toString("latin1") !== m[1].slice("ecdsa-sha2-".length)) return undefined;
    return { type: m[1], base64: m[2], blob };
}

/** OpenSSH's SHA256 fingerprint of a public key line (what `ssh-keygen -l` prints). */
export function fingerprint(line: string): string {
    const key = parsePublicKey(line);
    if (!key) throw new Error(`not a public key line: ${line.slice(0, 40)}`);
    return `SHA256:${crypto.createHash("sha256").update(new Uint8Array(key.blob)).digest("base64").replace(/=+$/, "")}`;
}

/** The `ssh-keyscan -t` name of a key type (ed25519, ecdsa, rsa). */
export function keyscanType(type: string): string {
    if (type === "ssh-ed25519") return "ed25519";
    if (type.startsWith("ecdsa-")) return "ecdsa";
    if (type === "ssh-rsa") return "rsa";
    return type;
}
