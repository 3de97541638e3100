// What the lab scripts know about the stack they run: the topology Pulumi is applying (the
// lab's config copy, which tests may have changed), its generated secrets, and how to run a
// command on a host and on its Docker engine. Two labs share this: the namespace lab (hosts are
// network namespaces whose files the lab mounts, engines behind unix sockets) and the VM lab
// (HA_LAB_DIR=/var/lib/ha-vmlab: hosts are VMs reached over SSH with the lab's key and pinned
// host keys, listed in <dir>/vms.json).
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { parseTopology } from "../../model/load";
import { ConfigError, isWarning } from "../../model/issues";
import { Topology } from "../../model/schema";
import { LAB } from "./lab-description";
import { DockerOn, dockerAt, run, RunResult } from "./exec";

export const LAB_DIR = process.env.HA_LAB_DIR ?? LAB.dir;
export const STACK = process.env.HA_LAB_STACK ?? "dev";
export const REPO = path.resolve(__dirname, "../..");

export interface LabStack {
    /** namespace: hosts are the namespace lab's lab<N>; vm: the VM lab's VMs. */
    readonly kind: "namespace" | "vm";
    readonly topology: Topology;
    /** Generated secret values by config key. */
    readonly secret: (key: string) => string;
    /** The network namespace of a simulated host (namespace lab only). */
    readonly netns: (host: string) => string;
    /** The Docker socket of a host, as the stack reaches it. */
    readonly dockerHost: (host: string) => string;
    /** The Docker CLI against a host's engine. */
    readonly docker: (host: string) => DockerOn;
    /** A command (argv, no shell) run on a host as root. */
    readonly onHost: (host: string, argv: string[], opts?: { timeoutMs?: number; input?: string }) => RunResult;
    /** A file of a host, read as root. */
    readonly readHostFile: (host: string, file: string) => string;
}

/** A VM of the VM lab, as lab/vm/vms.sh describes it in <dir>/vms.json. */
export interface LabVm {
    readonly name: string;
    readonly address: string;
    readonly hostKey: string;
}

export function labVms(dir: string = LAB_DIR): LabVm[] | undefined {
    const f = path.join(dir, "vms.json");
    if (!fs.existsSync(f)) return undefined;
    const j = JSON.parse(fs.readFileSync(f, "utf8")) as LabVm[] | { vms: LabVm[] };
    return Array.isArray(j) ? j : j.vms;
}

/** A POSIX shell word for an argument (ssh hands the remote shell one joined string). */
export function shellWord(arg: string): string {
    return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * ssh to a lab VM as root with the ssh config lab/vm/vms.sh writes: the lab's key only, the VM's
 * pinned host key only, one shared connection per VM (a new one costs most of a second under
 * emulation).
 */
export function vmSsh(dir: string, address: string, argv: string[], opts: { timeoutMs?: number; input?: string } = {}): RunResult {
    return run("ssh", ["-F", path.join(dir, "ssh", "config"), address, "--", argv.map(shellWord).join(" ")], { timeoutMs: opts.timeoutMs ?? 30_000, input: opts.input });
}

export function configCopyPath(): string {
    return path.join(LAB_DIR, "pulumi", `Pulumi.${STACK}.yaml`);
}

/** The validated topology of a stack file; a ConfigError listing every problem otherwise. */
export function topologyOfFile(file: string): Topology {
    const doc = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
    const { topology, issues } = parseTopology(doc.config?.["ha-mysql:topology"]);
    if (!topology || issues.some((i) => !isWarning(i))) throw new ConfigError("ha-mysql", issues);
    return topology;
}

export function loadLabStack(): LabStack {
    const file = fs.existsSync(configCopyPath()) ? configCopyPath() : path.join(REPO, `Pulumi.${STACK}.yaml`);
    const t = topologyOfFile(file);
    const address = (host: string) => {
        const h = t.hosts.find((x) => x.name === host);
        if (!h) throw new Error(`no host ${host} in the topology`);
        return h.ssh.address;
    };
    const vms = labVms();
    const onHost: LabStack["onHost"] = vms
        ? (host, argv, opts) => vmSsh(LAB_DIR, address(host), argv, opts)
        : (host, argv, opts) => run("ip", ["netns", "exec", `${LAB.netnsPrefix}${host}`, ...argv], opts);
    const dockerHost = (host: string) => {
        const h = t.hosts.find((x) => x.name === host);
        if (!h) throw new Error(`no host ${host} in the topology`);
        return h.docker.host ?? `ssh://${h.ssh.user}@${h.ssh.address}:${h.ssh.port}`;
    };
    return {
        kind: vms ? "vm" : "namespace",
        topology: t,
        secret: (key) => {
            const f = path.join(LAB_DIR, "pulumi", "secrets", key);
            if (!fs.existsSync(f)) throw new Error(`secret ${key} not found at ${f}: run lab/stack.sh prepare first`);
            return fs.readFileSync(f, "utf8");
        },
        netns: (host) => `${LAB.netnsPrefix}${host}`,
        dockerHost,
        // On a VM the Docker CLI runs there, over the lab's ssh, not through the stack's ssh files.
        docker: vms ? (host) => (args, opts) => onHost(host, ["docker", ...args], opts) : (host) => dockerAt(dockerHost(host)),
        onHost,
        readHostFile: (host, file) => {
            if (vms) {
                const r = onHost(host, ["cat", "--", file]);
                if (r.code !== 0) throw new Error(`cannot read ${file} on ${host}: ${r.stderr.trim()}`);
                return r.stdout;
            }
            return fs.readFileSync(path.join(LAB_DIR, host, "fs", file.replace(/^\/([^/]+)\//, (_, top: string) => `${top}-`)), "utf8");
        },
    };
}
