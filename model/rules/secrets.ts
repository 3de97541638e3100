// Every password comes from a Pulumi secret, and none of them is a default.
import { z } from "zod";
import { Topology, TopologySchema } from "../schema";
import { ConfigIssue, HIDDEN, issue } from "../issues";
import { secretNameFix } from "../zod-issues";

export interface SecretLookup {
    readonly value: string;
    /** False when the key sits in plaintext in Pulumi.<stack>.yaml. */
    readonly secret: boolean;
}

/** Reads top-level stack config keys; the stack program passes one backed by pulumi.Config. */
export type SecretSource = (key: string) => SecretLookup | undefined;

export type SecretKind = "password" | "vrrpAuth" | "sshKey";

/**
 * A program outside the stack's control that reads some values of this secret differently
 * (an image's entrypoint, a daemon's config parser): `refuses` says which, `why` what goes wrong.
 */
export interface ValueLimit {
    readonly refuses: (value: string) => boolean;
    readonly why: string;
}

export interface SecretUse {
    readonly key: string;
    readonly path: string;
    readonly kind: SecretKind;
    /** Who the credential belongs to; one secret may serve several fields of one role only. */
    readonly role: string;
    /** The role in words: "the password of MySQL user root". */
    readonly roleText: string;
    readonly limits?: readonly ValueLimit[];
}

/** MyCat 1.6 reads each <property> of server.xml with String.trim(). */
const MYCAT_TRIM: ValueLimit = {
    refuses: (v) => /^\s|\s$/.test(v),
    why: "begins or ends with a space, which MyCat trims from the passwords it reads in server.xml",
};

const mysqlUser = (user: string) => ({ role: `mysql:${user}`, text: `the password of MySQL user ${user}` });

export function secretUses(t: Topology): SecretUse[] {
    const uses: SecretUse[] = [];
    const add = (key: string | undefined, path: string, who: { role: string; text: string }, kind: SecretKind = "password", limits: ValueLimit[] = []) => {
        if (key) uses.push({ key, path, kind, role: who.role, roleText: who.text, ...(limits.length > 0 ? { limits } : {}) });
    };
    const sshKey = { role: "ssh", text: "the hosts' SSH private key" };
    t.hosts.forEach((h, i) => add(h.ssh.privateKeySecret, `hosts[${i}].ssh.privateKeySecret`, sshKey, "sshKey"));
    const pxc = t.database.pxc;
    if (pxc) {
        add(pxc.rootPasswordSecret, "database.pxc.rootPasswordSecret", mysqlUser("root"));
        add(pxc.sstPasswordSecret, "database.pxc.sstPasswordSecret", { role: "sst", text: "the Galera SST user's password" });
        add(pxc.clustercheck.passwordSecret, "database.pxc.clustercheck.passwordSecret", mysqlUser(pxc.clustercheck.user));
        if (pxc.app) add(pxc.app.passwordSecret, "database.pxc.app.passwordSecret", mysqlUser(pxc.app.user));
    }
    const dm = t.database.dualMaster;
    if (dm) {
        add(dm.rootPasswordSecret, "database.dualMaster.rootPasswordSecret", mysqlUser("root"));
        add(dm.replication.passwordSecret, "database.dualMaster.replication.passwordSecret", mysqlUser(dm.replication.user));
        if (dm.app) add(dm.app.passwordSecret, "database.dualMaster.app.passwordSecret", mysqlUser(dm.app.user));
    }
    if (t.haproxy) add(t.haproxy.stats.passwordSecret, "haproxy.stats.passwordSecret", { role: "haproxy-stats", text: "the HAProxy stats page password" });
    t.mycat?.users.forEach((u, i) => add(u.passwordSecret, `mycat.users[${i}].passwordSecret`, { role: `mycat:${u.name}`, text: `the password of MyCat user ${u.name}` }, "password", [MYCAT_TRIM]));
    t.mycat?.dataHosts.forEach((d, i) => d.writeHosts.forEach((w, j) => add(w.passwordSecret, `mycat.dataHosts[${i}].writeHosts[${j}].passwordSecret`, mysqlUser(w.user))));
    t.keepalived.instances.forEach((inst, i) => add(inst.authPassSecret, `keepalived.instances[${i}].authPassSecret`, { role: "vrrp", text: "the VRRP auth_pass" }, "vrrpAuth"));
    return uses;
}

/**
 * One secret, one role: the root password doubling as the SST password, or the stats page
 * password as a MySQL password, lets whoever reads one (the stats page travels in HTTP basic
 * auth; the SST password sits in my.cnf on every node) use the other. Fields of one role may
 * share it: root on the Galera cluster and the dual-master pair, MyCat logging in as root.
 */
export function secretsNotSharedAcrossRoles(t: Topology): ConfigIssue[] {
    const first = new Map<string, Map<string, SecretUse>>();
    const out: ConfigIssue[] = [];
    for (const use of secretUses(t)) {
        const roles = first.get(use.key) ?? new Map<string, SecretUse>();
        first.set(use.key, roles);
        const other = [...roles.values()].find((u) => u.role !== use.role);
        if (other && !roles.has(use.role)) {
            out.push(
                issue(
                    use.path,
                    use.key,
                    `the secret ${use.key} is also ${other.roleText} (${other.path}); whoever learns one of them can use it as the other`,
                    `give ${use.path} a secret of its own: run \`pulumi config set --secret <newName> <value>\` with a different value, then set this field to <newName>`,
                ),
            );
        }
        if (!roles.has(use.role)) roles.set(use.role, use);
    }
    return out;
}

/** The passwords the tutorials ship, and others nobody should run in production. */
const KNOWN_DEFAULTS = new Set(["123456", "1111", "abc123456", "admin", "root", "password", "lyz.123", "123", "changeme", "secret", "mycat", "test"]);
export const MIN_PASSWORD_LENGTH = 12;
/** keepalived keeps 8 bytes of auth_pass (VRRPv2's authentication data) and drops the rest; fewer than 6 characters are guessed in moments. */
export const MIN_VRRP_AUTH_LENGTH = 6;
export const MAX_AUTH_PASS_BYTES = 8;

/**
 * What makes a value unprintable: control characters (line breaks and tabs among them), the
 * Unicode line and paragraph separators, unpaired surrogates (no UTF-8 encoding exists) and
 * U+FFFE/U+FFFF (not allowed in XML). Everything else, spaces and any script included, is printable.
 */
const UNPRINTABLE = /[\p{Cc}\p{Zl}\p{Zp}\p{Cs}\ufffe\uffff]/u;

function unprintableProblem(value: string): string | undefined {
    const m = UNPRINTABLE.exec(value);
    if (!m) return undefined;
    const c = m[0];
    const named = c === "\n" ? "a newline" : c === "\r" ? "a carriage return" : c === "\t" ? "a tab" : `a character that is not printable (U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")})`;
    return `contains ${named}: any printable character is accepted, but no control character or line break`;
}

/**
 * What keepalived 2.2 cannot carry in a double-quoted auth_pass (components/render/escape.ts
 * keepalivedString refuses the same): a `"`, a `\` before the closing quote, `${` or `$_`.
 */
function authPassProblem(value: string): string | undefined {
    if (value.includes('"')) return "contains a double quote, which keepalived.conf has no way to write in auth_pass";
    if (value.endsWith("\\")) return "ends with a backslash, which keepalived reads as escaping the closing quote of auth_pass";
    if (/\$[{_]/.test(value)) return "contains '${' or '$_', which keepalived replaces with one of its definitions";
    const bytes = Buffer.byteLength(value, "utf8");
    return bytes > MAX_AUTH_PASS_BYTES ? `is ${bytes} bytes; keepalived silently truncates auth_pass to ${MAX_AUTH_PASS_BYTES}` : undefined;
}

export function secretValueProblem(kind: SecretKind, value: string, limits: readonly ValueLimit[] = []): string | undefined {
    if (value.length === 0) return "is empty";
    if (kind === "sshKey") {
        return /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value) ? undefined : "is not a PEM/OpenSSH private key";
    }
    const unprintable = unprintableProblem(value);
    if (unprintable) return unprintable;
    if (KNOWN_DEFAULTS.has(value.toLowerCase())) return "is a well-known default password";
    if (kind === "vrrpAuth") {
        const chars = [...value].length;
        if (chars < MIN_VRRP_AUTH_LENGTH) return `is ${chars} characters, too few to keep another router off the VIP; use ${MIN_VRRP_AUTH_LENGTH} to ${MAX_AUTH_PASS_BYTES}`;
        return authPassProblem(value);
    }
    const length = [...value].length;
    if (length < MIN_PASSWORD_LENGTH) return `is ${length} characters; at least ${MIN_PASSWORD_LENGTH} are required`;
    return limits.find((l) => l.refuses(value))?.why;
}

export interface SecretCheck {
    readonly issues: ConfigIssue[];
    readonly values: Record<string, string>;
    /**
     * Values of `*Secret` fields that name no secret that is set (schema defaults aside): each may
     * be the password itself, typed where its name belongs, so no message may print it.
     */
    readonly unsetNames: string[];
}

let defaults: Set<string> | undefined;

/** The secret names the schema fills in when a field is left out (mysqlRootPassword, sshPrivateKey, ...). */
export function defaultSecretNames(): Set<string> {
    if (defaults) return defaults;
    const found = new Set<string>();
    const walk = (node: unknown): void => {
        if (Array.isArray(node)) return node.forEach(walk);
        if (node === null || typeof node !== "object") return;
        const props = (node as { properties?: Record<string, { default?: unknown }> }).properties;
        for (const [k, v] of Object.entries(props ?? {})) if (/Secret$/.test(k) && typeof v.default === "string") found.add(v.default);
        Object.values(node).forEach(walk);
    };
    walk(z.toJSONSchema(TopologySchema, { io: "input", unrepresentable: "any" }));
    defaults = found;
    return found;
}

export function checkSecrets(project: string, t: Topology, source: SecretSource): SecretCheck {
    const issues: ConfigIssue[] = [];
    const values: Record<string, string> = {};
    const unsetNames: string[] = [];
    const byKey = new Map<string, SecretUse[]>();
    for (const use of secretUses(t)) byKey.set(use.key, [...(byKey.get(use.key) ?? []), use]);
    for (const [key, all] of byKey) {
        const use = all[0];
        const found = source(key);
        const setIt = `pulumi config set --secret ${key} <value>` + (use.kind === "sshKey" ? ` (or: cat KEYFILE | pulumi config set --secret ${key})` : "");
        if (!found) {
            if (defaultSecretNames().has(key)) {
                issues.push(issue(use.path, key, `refers to secret ${project}:${key}, which is not set`, `run \`${setIt}\``));
            } else {
                unsetNames.push(key);
                const field = use.path.replace(/^.*\./, "");
                issues.push(
                    issue(
                        use.path,
                        HIDDEN,
                        "names no secret that is set; it may be the secret itself, so it is not shown",
                        `${secretNameFix(field)}; if it is a secret's name already, set that secret the same way`,
                    ),
                );
            }
            continue;
        }
        if (!found.secret) {
            issues.push(issue(`:${key}`, HIDDEN, "is stored in plaintext in Pulumi.<stack>.yaml; passwords must be Pulumi secrets", `run \`${setIt}\` to encrypt it`));
            continue;
        }
        // A key used in several places must suit each of them.
        const problem = [...new Set(all.map((u) => u.kind))].map((kind) => secretValueProblem(kind, found.value, all.flatMap((u) => u.limits ?? []))).find((p) => p !== undefined);
        if (problem) {
            issues.push(issue(`:${key}`, HIDDEN, `the secret ${problem}`, `set a new value with \`${setIt}\``));
            continue;
        }
        values[key] = found.value;
    }
    return { issues, values, unsetNames };
}
