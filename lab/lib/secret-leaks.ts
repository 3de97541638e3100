// Where a generated secret must never be readable: `docker inspect` of every container, the
// command line and environment of every process on the machine (the lab's hosts share its PID
// namespace, so that covers every host and container), every log the lab and its hosts write,
// and the Pulumi state. Each hit names the secret's key and the place, never the value.
import * as fs from "fs";
import * as path from "path";
import { run } from "./exec";
import { LAB_DIR, LabStack } from "./lab-stack";

export interface Place {
    readonly where: string;
    readonly text: string;
}

/** The generated secrets by key (lab/stack.sh prepare writes one file per key). */
export function generatedSecrets(dir = path.join(LAB_DIR, "pulumi", "secrets")): Record<string, string> {
    return Object.fromEntries(
        fs
            .readdirSync(dir)
            .map((k) => [k, fs.readFileSync(path.join(dir, k), "utf8")] as const)
            .filter(([, v]) => v.length > 0),
    );
}

/**
 * Pure: which secret (by key) shows in which place. A multi-line secret (a private key) counts by
 * each of its long lines but the first of its body: that one encodes only the key format's header
 * ("openssh-key-v1", cipher none, key type), the same in every unencrypted key of a type.
 */
export function leaks(secrets: Record<string, string>, places: Place[]): string[] {
    const out: string[] = [];
    for (const [key, value] of Object.entries(secrets)) {
        const needles = value.includes("\n") ? value.split("\n").filter((l) => l.length >= 16 && !l.startsWith("-----")).slice(1) : [value.trim()];
        for (const p of places) if (needles.some((n) => n && p.text.includes(n))) out.push(`${key} in ${p.where}`);
    }
    return out;
}

function files(dir: string, keep: (f: string) => boolean, skip: (d: string) => boolean, out: string[] = []): string[] {
    let entries: fs.Dirent[];
    try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
        return out;
    }
    for (const e of entries) {
        const p = path.join(dir, e.name);
        if (e.isDirectory() && !skip(p)) files(p, keep, skip, out);
        else if (e.isFile() && keep(p)) out.push(p);
    }
    return out;
}

const readOr = (f: string) => {
    try {
        return fs.readFileSync(f, "latin1");
    } catch {
        return "";
    }
};

/**
 * The hosts' own files (their /etc, /run, /tmp as the lab mounts them) that hold a secret and
 * that someone other than their owner may read: "<key> in <file> (mode 0644)".
 */
export function readableSecretFiles(secrets: Record<string, string>, hostDirs: string[]): string[] {
    const out: string[] = [];
    for (const dir of hostDirs) {
        for (const f of files(dir, () => true, (d) => /\/var-lib-(docker|containerd)$/.test(d))) {
            const mode = fs.statSync(f).mode & 0o777;
            if ((mode & 0o077) === 0) continue;
            for (const hit of leaks(secrets, [{ where: `${f} (mode 0${mode.toString(8)})`, text: readOr(f) }])) out.push(hit);
        }
    }
    return out;
}

/**
 * On VMs: each VM's process list and environments, its journal, `docker inspect` and logs of
 * every container, and every file under /etc, /run, /tmp and /var/lib/ha-mysql that others may
 * read. The texts come back over ssh and are searched here: no secret goes to a VM to search for.
 */
export function gatherVmPlaces(lab: LabStack): Place[] {
    const places: Place[] = [];
    const sh = (host: string, script: string) => lab.onHost(host, ["sh", "-c", script], { timeoutMs: 60_000 }).stdout;
    for (const h of lab.topology.hosts) {
        places.push({ where: `ps on ${h.name}`, text: sh(h.name, "ps -e -ww -o pid=,args=") });
        places.push({ where: `process environments on ${h.name}`, text: sh(h.name, "for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < \"$f\" 2>/dev/null; done") });
        places.push({ where: `the journal of ${h.name}`, text: sh(h.name, "journalctl -b --no-pager -q 2>/dev/null || true") });
        places.push({ where: `docker inspect and logs on ${h.name}`, text: sh(h.name, 'ids=$(docker ps -aq 2>/dev/null); [ -z "$ids" ] || { docker inspect $ids; for i in $ids; do docker logs "$i" 2>&1; done; }') });
        const files = sh(h.name, "find /etc /run /tmp /var/lib/ha-mysql -xdev -type f -perm /044 -size -1M 2>/dev/null | while read -r f; do printf '\\n=== %s\\n' \"$f\"; cat \"$f\" 2>/dev/null; done");
        for (const part of files.split("\n=== ").slice(1)) {
            const nl = part.indexOf("\n");
            places.push({ where: `${part.slice(0, nl)} on ${h.name} (readable by others)`, text: part.slice(nl + 1) });
        }
    }
    return places;
}

/** Everything the check reads, gathered from the running lab. */
export function gatherPlaces(lab: LabStack): Place[] {
    const places: Place[] = [];
    for (const h of lab.topology.hosts) {
        const dk = lab.docker(h.name);
        const ids = dk(["ps", "-aq"]).stdout.split(/\s+/).filter(Boolean);
        if (ids.length) places.push({ where: `docker inspect on ${h.name}`, text: dk(["inspect", ...ids]).stdout });
        for (const id of ids) {
            const logs = dk(["logs", id]);
            places.push({ where: `docker logs ${id.slice(0, 12)} on ${h.name}`, text: logs.stdout + logs.stderr });
        }
    }
    const ps = run("ps", ["-e", "-ww", "-o", "pid=,args="]);
    places.push({ where: "ps on the machine", text: ps.stdout });
    for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)) {
        const env = readOr(`/proc/${pid}/environ`);
        if (env) places.push({ where: `the environment of pid ${pid} (${readOr(`/proc/${pid}/comm`).trim()})`, text: env });
    }
    // The lab's and its hosts' logs, the Pulumi state; not the secrets directory itself, the
    // hosts' Docker storage (databases, image layers and the files the stack uploaded, 0600 by
    // design) or the stack config copy (where the secrets sit encrypted).
    const skip = (d: string) => d === path.join(LAB_DIR, "pulumi", "secrets") || /\/fs\/var-lib-(docker|containerd)$/.test(d);
    for (const f of files(LAB_DIR, (p) => p.endsWith(".log") || p.includes(`${path.sep}state${path.sep}`), skip)) places.push({ where: f, text: readOr(f) });
    return places;
}
