// What the lab scripts know about the stack they run: the topology Pulumi is applying (the
// lab's config copy, which tests may have changed), its generated secrets and where each
// simulated host's namespace and Docker socket are.
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { parseTopology } from "../../model/load";
import { ConfigError, isWarning } from "../../model/issues";
import { Topology } from "../../model/schema";
import { LAB } from "./lab-description";

export const LAB_DIR = LAB.dir;
export const STACK = process.env.HA_LAB_STACK ?? "dev";
export const REPO = path.resolve(__dirname, "../..");

export interface LabStack {
    readonly topology: Topology;
    /** Generated secret values by config key. */
    readonly secret: (key: string) => string;
    /** The network namespace of a simulated host. */
    readonly netns: (host: string) => string;
    /** The Docker socket of a host, as the stack reaches it. */
    readonly dockerHost: (host: string) => string;
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
    return {
        topology: t,
        secret: (key) => {
            const f = path.join(LAB_DIR, "pulumi", "secrets", key);
            if (!fs.existsSync(f)) throw new Error(`secret ${key} not found at ${f}: run lab/stack.sh prepare first`);
            return fs.readFileSync(f, "utf8");
        },
        netns: (host) => `${LAB.netnsPrefix}${host}`,
        dockerHost: (host) => {
            const h = t.hosts.find((x) => x.name === host);
            if (!h) throw new Error(`no host ${host} in the topology`);
            return h.docker.host ?? `ssh://${h.ssh.user}@${h.ssh.address}:${h.ssh.port}`;
        },
    };
}
