// Where clients reach the topology: each VIP with the port of every service behind it.
// The stack exports these, and the lab's verification and drills connect to them.
import { Topology, VrrpInstance } from "./schema";
import { Backend, groupNodes, haproxyListeners, ListenerRole, placementOf } from "./derive";

export type { Backend, ListenerRole } from "./derive";

export interface SqlEndpoint {
    /** "<listener> via <instance>", as the stack output names it. */
    readonly label: string;
    readonly instance: string;
    readonly backend: Backend;
    /** write: one server takes every connection; read: balanced over every Synced Galera node. */
    readonly role: ListenerRole;
    readonly address: string;
    readonly port: number;
}

export interface StatsEndpoint {
    readonly instance: string;
    readonly url: string;
}

// A host-level VIP reaches a container through its published port; a container VIP directly.
function hostLevel(inst: VrrpInstance): boolean {
    return placementOf(inst) === "host";
}

/**
 * Per VIP, write endpoints come before read ones: a client that takes the first endpoint of a
 * backend (the lab's checks, drills and probes) writes through the one-writer listener.
 */
export function sqlEndpoints(t: Topology): SqlEndpoint[] {
    const out: SqlEndpoint[] = [];
    for (const inst of t.keepalived.instances) {
        const at = (label: string, backend: Backend, role: ListenerRole, port: number) =>
            out.push({ label: `${label} via ${inst.name}`, instance: inst.name, backend, role, address: inst.vip, port });
        if (inst.fronts === "haproxy" && t.haproxy) {
            const listeners = haproxyListeners(t);
            const ordered = [...listeners.filter((l) => l.role === "write"), ...listeners.filter((l) => l.role === "read")];
            for (const l of ordered) at(l.name, l.backend, l.role, hostLevel(inst) ? l.publishPort ?? l.port : l.port);
        }
        if (inst.fronts === "mycat" && t.mycat) at("mycat", "mycat", "write", t.mycat.ports.server);
        if (inst.fronts === "dualMaster" && t.database.dualMaster) at("dualMaster", "dualMaster", "write", t.database.dualMaster.publishPort ?? t.database.dualMaster.port);
    }
    return out;
}

export function statsEndpoints(t: Topology): StatsEndpoint[] {
    const ha = t.haproxy;
    if (!ha) return [];
    return t.keepalived.instances
        .filter((inst) => inst.fronts === "haproxy")
        .map((inst) => ({ instance: inst.name, url: `http://${inst.vip}:${hostLevel(inst) ? ha.stats.publishPort ?? ha.stats.port : ha.stats.port}${ha.stats.uri}` }));
}

/** Every container by name: "<ip> on <host>". */
export function nodeAddresses(t: Topology): Record<string, string> {
    const out: Record<string, string> = {};
    for (const g of ["haproxy", "mycat", "dualMaster"] as const) for (const n of groupNodes(t, g) ?? []) out[n.name] = `${n.ip} on ${n.host}`;
    for (const n of t.database.pxc?.nodes ?? []) out[n.name] = `${n.ip} on ${n.host}`;
    return out;
}
