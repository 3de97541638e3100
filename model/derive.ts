// Values every consumer derives the same way from a parsed topology: who holds a
// VIP, with which priority and source address, which listeners HAProxy gets.
import { ContainerNode, Host, Network, Topology, VrrpInstance } from "./schema";
import { broadcastOf, fromInt, parseCidr, toInt } from "./net";

export type Placement = "overlay" | "macvlan" | "host";
export type Group = VrrpInstance["fronts"];

export function placementOf(inst: VrrpInstance): Placement {
    return inst.placement ?? (inst.level === "container" ? "overlay" : "host");
}

export function groupNodes(t: Topology, group: Group): ContainerNode[] | undefined {
    switch (group) {
        case "haproxy":
            return t.haproxy?.nodes;
        case "mycat":
            return t.mycat?.nodes;
        case "dualMaster":
            return t.database.dualMaster?.servers;
    }
}

export function hostByName(t: Topology, name: string): Host | undefined {
    return t.hosts.find((h) => h.name === name);
}

export function hostAddress(h: Host): string {
    return parseCidr(h.lan.address).address;
}

export interface VrrpMember {
    /** Container name (container level) or host name (host level). */
    readonly name: string;
    readonly host: string;
    /** Source address of its adverts: the container IP, or the host's LAN address. */
    readonly address: string;
    readonly interface: string;
    readonly priority: number;
}

/** A member's own address and its host's LAN address: what an isolation check cannot use as a reference for it. */
export function memberAddresses(t: Topology, m: VrrpMember): string[] {
    const host = hostByName(t, m.host);
    return [m.address, ...(host ? [hostAddress(host)] : [])];
}

/** Default priorities fall by 10 in node order so that no two are equal. */
export function defaultPriority(index: number): number {
    return Math.max(1, 150 - 10 * index);
}

export function vrrpMembers(t: Topology, inst: VrrpInstance): VrrpMember[] {
    const nodes = groupNodes(t, inst.fronts) ?? [];
    const priorityOf = (n: string, i: number) => inst.priorities?.[n] ?? defaultPriority(i);
    if (inst.level === "container") {
        const onLan = placementOf(inst) === "macvlan";
        return nodes.map((n, i) => {
            const address = onLan ? (n.lanIp ?? "") : n.ip;
            return {
                name: n.name,
                host: n.host,
                address,
                interface: inst.interface ?? (onLan ? interfaceOfAddress(address) : "eth0"),
                priority: priorityOf(n.name, i),
            };
        });
    }
    const hostNames = inst.holders ?? [...new Set(nodes.map((n) => n.host))];
    return hostNames.flatMap((hn, i) => {
        const h = hostByName(t, hn);
        if (!h) return [];
        return [{ name: h.name, host: h.name, address: hostAddress(h), interface: inst.interface ?? h.lan.interface, priority: priorityOf(h.name, i) }];
    });
}

/**
 * A container attached to two networks gets eth0/eth1 in an order Docker does not promise,
 * and the order can change on restart, so a macvlan holder names its interface by address:
 * keepalived's start script swaps this token for the interface that holds the address.
 */
export function interfaceOfAddress(address: string): string {
    return `%iface:${address}%`;
}

export const INTERFACE_TOKEN = /%iface:([0-9.]+)%/g;

/** Replaces every interface token with the name `lookup` gives for its address. */
export function resolveInterfaceTokens(text: string, lookup: (address: string) => string): string {
    return text.replace(INTERFACE_TOKEN, (_m, address: string) => lookup(address));
}

export function macvlanInstances(t: Topology): VrrpInstance[] {
    return t.keepalived.instances.filter((i) => i.level === "container" && placementOf(i) === "macvlan");
}

/** The containers that sit on the LAN through the macvlan network: every holder of a macvlan VIP. */
export function macvlanNodes(t: Topology): ContainerNode[] {
    const byKey = new Map<string, ContainerNode>();
    for (const inst of macvlanInstances(t)) for (const n of groupNodes(t, inst.fronts) ?? []) byKey.set(`${n.host}/${n.name}`, n);
    return [...byKey.values()];
}

/** Hosts that run a macvlan network (a holder lives there) or have a shim to reach one. */
export function macvlanHosts(t: Topology): Host[] {
    const holders = new Set(macvlanNodes(t).map((n) => n.host));
    return t.hosts.filter((h) => holders.has(h.name) || (macvlanInstances(t).length > 0 && h.lan.macvlanShim !== undefined));
}

/** Addresses a shim routes: every macvlan container's LAN address and every macvlan VIP. */
export function macvlanRoutes(t: Topology): string[] {
    const addrs = [...macvlanNodes(t).flatMap((n) => (n.lanIp ? [n.lanIp] : [])), ...macvlanInstances(t).map((i) => i.vip)];
    return [...new Set(addrs)];
}

/** Unicast unless told otherwise: multicast VRRP crosses neither the overlay nor routed hosts. */
export function usesUnicast(inst: VrrpInstance): boolean {
    return inst.unicast !== "never";
}

export type Backend = "pxc" | "dualMaster" | "mycat";
export type ListenerRole = "write" | "read";

export interface Listener {
    readonly name: string;
    readonly port: number;
    readonly backend: Backend;
    readonly role: ListenerRole;
    readonly publishPort?: number;
}

/** Port of the default pxc read listener: the first one after the other defaults (3306, 3307) that is free. */
export const DEFAULT_READ_PORT = 3308;

export function haproxyListeners(t: Topology): Listener[] {
    if (t.haproxy?.listeners) return t.haproxy.listeners;
    const out: Listener[] = [];
    if (t.database.pxc) {
        out.push({ name: "pxc", port: 3306, backend: "pxc", role: "write" });
        out.push({ name: "pxc-read", port: DEFAULT_READ_PORT, backend: "pxc", role: "read" });
    }
    if (t.database.dualMaster) out.push({ name: "dualmaster", port: 3307, backend: "dualMaster", role: "write" });
    if (t.mycat) out.push({ name: "mycat", port: 8066, backend: "mycat", role: "write" });
    return out;
}

/**
 * Listeners that send every connection to one server and keep it there after a failover
 * (HAProxy's stick table, shared between the nodes through the peers section).
 */
export function pinsOneWriter(l: Listener): boolean {
    return l.role === "write" && l.backend !== "mycat";
}

/** A host port a container publishes: where, which config key sets it, and what listens behind it. */
export interface PublishedPort {
    readonly host: string;
    readonly port: number;
    readonly path: string;
    readonly what: string;
}

/** Every TCP port a container publishes on its host (HAProxy listeners and stats, MyCat, MySQL). */
export function publishedPorts(t: Topology): PublishedPort[] {
    const out: PublishedPort[] = [];
    const ha = t.haproxy;
    if (ha) {
        const listeners = haproxyListeners(t);
        for (const n of ha.nodes) {
            listeners.forEach((l, i) => {
                if (l.publishPort) out.push({ host: n.host, port: l.publishPort, path: `haproxy.listeners[${i}].publishPort`, what: `HAProxy ${n.name} listener ${l.name}` });
            });
            if (ha.stats.publishPort) out.push({ host: n.host, port: ha.stats.publishPort, path: "haproxy.stats.publishPort", what: `HAProxy ${n.name} stats page` });
        }
    }
    if (t.mycat?.publish) {
        for (const n of t.mycat.nodes) {
            out.push({ host: n.host, port: t.mycat.ports.server, path: "mycat.ports.server", what: `MyCat ${n.name} server port` });
            out.push({ host: n.host, port: t.mycat.ports.manager, path: "mycat.ports.manager", what: `MyCat ${n.name} manager port` });
        }
    }
    const dm = t.database.dualMaster;
    if (dm?.publishPort) {
        for (const s of dm.servers) out.push({ host: s.host, port: dm.publishPort, path: "database.dualMaster.publishPort", what: `MySQL ${s.name}` });
    }
    return out;
}

/** Every container the topology declares, with the section it came from. */
export function allContainers(t: Topology): Array<ContainerNode & { section: string; image: string }> {
    const tag = (section: string, image: string | undefined, nodes: ContainerNode[] | undefined) =>
        (nodes ?? []).map((n, i) => ({ ...n, section: `${section}[${i}]`, image: image ?? "" }));
    return [
        ...tag("database.pxc.nodes", t.database.pxc?.image, t.database.pxc?.nodes),
        ...tag("database.dualMaster.servers", t.database.dualMaster?.image, t.database.dualMaster?.servers),
        ...tag("haproxy.nodes", t.haproxy?.image, t.haproxy?.nodes),
        ...tag("mycat.nodes", t.mycat?.image, t.mycat?.nodes),
    ];
}

/** The containers the stack places on a host, in the order they start (databases first). */
export function containersOn(t: Topology, host: string): Array<ContainerNode & { section: string; image: string }> {
    return allContainers(t).filter((c) => c.host === host);
}

/**
 * True when the stack runs a Docker engine on the host: it places a container there, or it is the
 * swarm manager. A host that only holds a VIP or directs LVS traffic (the directors of tutorial
 * 004) runs keepalived alone: no Docker engine, no swarm membership, no Docker provider.
 */
export function runsDocker(t: Topology, host: string): boolean {
    return containersOn(t, host).length > 0 || t.hosts.some((h) => h.name === host && h.swarmRole === "manager");
}

/** The database servers: the Galera nodes, then the dual-master pair. */
export function databaseServers(t: Topology): ContainerNode[] {
    return [...(t.database.pxc?.nodes ?? []), ...(t.database.dualMaster?.servers ?? [])];
}

export function pxcBootstrapNode(t: Topology) {
    const nodes = t.database.pxc?.nodes ?? [];
    return nodes.find((n) => n.bootstrap) ?? nodes[0];
}

/** The sub-range Docker's IPAM allocates from on its own; static addresses stay outside it. */
export function dynamicRangeOf(n: Network): string {
    if (n.dynamicRange) return n.dynamicRange;
    const { prefix } = parseCidr(n.subnet);
    const p = Math.min(prefix + 4, 30);
    const size = 2 ** (32 - p);
    const last = toInt(broadcastOf(n.subnet));
    return `${fromInt(last - size + 1)}/${p}`;
}

/** The images of the containers the stack places on a host, sorted. */
export function imagesOnHost(t: Topology, host: string): string[] {
    return [...new Set(containersOn(t, host).map((c) => c.image))].sort();
}
