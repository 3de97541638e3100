// Whether the Galera cluster is whole: every configured node a Synced member of one Primary
// component of the configured size, all with the same cluster state UUID, and staying so for a
// few seconds (a node that formed a cluster of its own also says Synced).
import { LabStack } from "./lab-stack";
import { containerSql, sleep } from "./exec";

export interface NodeMembership {
    readonly node: string;
    readonly state: string;
    readonly status: string;
    readonly size: number;
    readonly uuid: string;
    readonly ready: string;
}

const VARS = ["wsrep_local_state_comment", "wsrep_cluster_status", "wsrep_cluster_size", "wsrep_cluster_state_uuid", "wsrep_ready"];

export function membership(lab: LabStack): NodeMembership[] {
    const pxc = lab.topology.database.pxc;
    if (!pxc) return [];
    return pxc.nodes.map((n) => {
        const r = containerSql(lab.docker(n.host), n.name, `SHOW GLOBAL STATUS WHERE Variable_name IN (${VARS.map((v) => `'${v}'`).join(",")})`, { timeoutMs: 10_000 });
        const v = Object.fromEntries(
            r.stdout
                .trim()
                .split("\n")
                .filter(Boolean)
                .map((l) => l.split("\t")),
        );
        return {
            node: n.name,
            state: r.code === 0 ? v.wsrep_local_state_comment ?? "?" : "unreachable",
            status: v.wsrep_cluster_status ?? "?",
            size: Number(v.wsrep_cluster_size ?? 0),
            uuid: v.wsrep_cluster_state_uuid ?? "?",
            ready: v.wsrep_ready ?? "?",
        };
    });
}

/** What is wrong with the cluster, or an empty list when it is whole. */
export function membershipProblems(nodes: readonly NodeMembership[], expectedSize: number): string[] {
    const problems = nodes.filter((m) => m.state !== "Synced" || m.status !== "Primary" || m.size !== expectedSize || m.ready !== "ON").map((m) => `${m.node}: ${m.state}, ${m.status}, size ${m.size}, ready ${m.ready}`);
    const uuids = new Set(nodes.map((m) => m.uuid));
    if (uuids.size > 1) problems.push(`${uuids.size} cluster state UUIDs: ${nodes.map((m) => `${m.node} ${m.uuid}`).join(", ")}`);
    return problems;
}

export const describeMembership = (nodes: readonly NodeMembership[]) => nodes.map((m) => `${m.node} ${m.state}/${m.status}/${m.size}`).join(", ");

/**
 * Waits up to `timeoutMs` for the cluster to be whole and stay whole for `holdMs`; returns the
 * milliseconds until it first was, or throws with the last problems seen.
 */
export async function waitClusterWhole(lab: LabStack, timeoutMs: number, holdMs = 5000): Promise<number> {
    const pxc = lab.topology.database.pxc;
    if (!pxc) return 0;
    const started = Date.now();
    let since: number | undefined;
    let last: string[] = [];
    while (Date.now() - started < timeoutMs) {
        last = membershipProblems(membership(lab), pxc.nodes.length);
        if (last.length === 0) {
            since ??= Date.now();
            if (Date.now() - since >= holdMs) return since - started;
        } else {
            since = undefined;
        }
        await sleep(1000);
    }
    throw new Error(`the Galera cluster is not whole after ${Math.round(timeoutMs / 1000)} s: ${last.join("; ")}`);
}
