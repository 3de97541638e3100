// Every password comes from a Pulumi secret, and none of them is a default.
import { Topology } from "../schema";
import { ConfigIssue, issue } from "../issues";

export interface SecretLookup {
    readonly value: string;
    /** False when the key sits in plaintext in Pulumi.<stack>.yaml. */
    readonly secret: boolean;
}

/** Reads top-level stack config keys; the stack program passes one backed by pulumi.Config. */
export type SecretSource = (key: string) => SecretLookup | undefined;

export type SecretKind = "password" | "vrrpAuth" | "sshKey";

export interface SecretUse {
    readonly key: string;
    readonly path: string;
    readonly kind: SecretKind;
}

export function secretUses(t: Topology): SecretUse[] {
    const uses: SecretUse[] = [];
    const add = (key: string | undefined, path: string, kind: SecretKind = "password") => {
        if (key) uses.push({ key, path, kind });
    };
    t.hosts.forEach((h, i) => add(h.ssh.privateKeySecret, `hosts[${i}].ssh.privateKeySecret`, "sshKey"));
    const pxc = t.database.pxc;
    if (pxc) {
        add(pxc.rootPasswordSecret, "database.pxc.rootPasswordSecret");
        add(pxc.sstPasswordSecret, "database.pxc.sstPasswordSecret");
        add(pxc.clustercheck.passwordSecret, "database.pxc.clustercheck.passwordSecret");
        add(pxc.app?.passwordSecret, "database.pxc.app.passwordSecret");
    }
    const dm = t.database.dualMaster;
    if (dm) {
        add(dm.rootPasswordSecret, "database.dualMaster.rootPasswordSecret");
        add(dm.replication.passwordSecret, "database.dualMaster.replication.passwordSecret");
        add(dm.app?.passwordSecret, "database.dualMaster.app.passwordSecret");
    }
    if (t.haproxy) add(t.haproxy.stats.passwordSecret, "haproxy.stats.passwordSecret");
    t.mycat?.users.forEach((u, i) => add(u.passwordSecret, `mycat.users[${i}].passwordSecret`));
    t.mycat?.dataHosts.forEach((d, i) => d.writeHosts.forEach((w, j) => add(w.passwordSecret, `mycat.dataHosts[${i}].writeHosts[${j}].passwordSecret`)));
    t.keepalived.instances.forEach((inst, i) => add(inst.authPassSecret, `keepalived.instances[${i}].authPassSecret`, "vrrpAuth"));
    return uses;
}

/** The passwords the tutorials ship, and others nobody should run in production. */
const KNOWN_DEFAULTS = new Set(["123456", "1111", "abc123456", "admin", "root", "password", "lyz.123", "123", "changeme", "secret", "mycat", "test"]);
const SAFE_CHARS = /^[A-Za-z0-9_.,+=@%^~*-]+$/;
export const MIN_PASSWORD_LENGTH = 12;

export function secretValueProblem(kind: SecretKind, value: string): string | undefined {
    if (value.length === 0) return "is empty";
    if (kind === "sshKey") {
        return /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value) ? undefined : "is not a PEM/OpenSSH private key";
    }
    if (KNOWN_DEFAULTS.has(value.toLowerCase())) return "is a well-known default password";
    if (!SAFE_CHARS.test(value)) return "contains a character that config files or SQL would read differently: only letters, digits and _ . , + = @ % ^ ~ * - are allowed";
    if (kind === "vrrpAuth") {
        return value.length > 8 ? `is ${value.length} characters; keepalived silently truncates auth_pass to 8` : undefined;
    }
    return value.length < MIN_PASSWORD_LENGTH ? `is ${value.length} characters; at least ${MIN_PASSWORD_LENGTH} are required` : undefined;
}

export interface SecretCheck {
    readonly issues: ConfigIssue[];
    readonly values: Record<string, string>;
}

export function checkSecrets(project: string, t: Topology, source: SecretSource): SecretCheck {
    const issues: ConfigIssue[] = [];
    const values: Record<string, string> = {};
    const done = new Set<string>();
    for (const use of secretUses(t)) {
        if (done.has(use.key)) continue;
        done.add(use.key);
        const found = source(use.key);
        const setIt = `pulumi config set --secret ${use.key} <value>` + (use.kind === "sshKey" ? ` (or: cat KEYFILE | pulumi config set --secret ${use.key})` : "");
        if (!found) {
            issues.push(issue(use.path, use.key, `refers to secret ${project}:${use.key}, which is not set`, `run \`${setIt}\``));
            continue;
        }
        if (!found.secret) {
            issues.push(issue(`:${use.key}`, "(plaintext, value hidden)", "is stored in plaintext in Pulumi.<stack>.yaml; passwords must be Pulumi secrets", `run \`${setIt}\` to encrypt it`));
            continue;
        }
        const problem = secretValueProblem(use.kind, found.value);
        if (problem) {
            issues.push(issue(`:${use.key}`, "(secret, value hidden)", `the secret ${problem}`, `set a new value with \`${setIt}\``));
            continue;
        }
        values[use.key] = found.value;
    }
    return { issues, values };
}
