// Rules about the Docker network and the addresses and ports on it.
import { Topology } from "../schema";
import { allContainers, dynamicRangeOf, publishedPorts } from "../derive";
import { ConfigIssue, issue } from "../issues";
import { broadcastOf, canonicalCidr, contains, isHostAddressOf, networkOf, overlaps, parseCidr } from "../net";

export function gatewayInsideSubnet(t: Topology): ConfigIssue[] {
    const { subnet, gateway } = t.network;
    if (isHostAddressOf(subnet, gateway)) return [];
    return [issue("network.gateway", gateway, `gateway is not a usable address of network.subnet ${subnet}`, `pick an address inside ${canonicalCidr(subnet)}, e.g. its first one`)];
}

export function subnetsDoNotOverlap(t: Topology): ConfigIssue[] {
    const out: ConfigIssue[] = [];
    const { subnet, gwbridgeSubnet } = t.network;
    if (overlaps(subnet, gwbridgeSubnet)) {
        out.push(issue("network.gwbridgeSubnet", gwbridgeSubnet, `overlaps network.subnet ${subnet}; containers could not join the overlay`, "choose a docker_gwbridge subnet outside the container subnet, e.g. 10.201.0.0/24"));
    }
    t.hosts.forEach((h, i) => {
        if (overlaps(subnet, h.lan.address)) {
            out.push(issue("network.subnet", subnet, `overlaps the LAN of host ${h.name} (${canonicalCidr(h.lan.address)}); replies to LAN clients would be routed into Docker`, "choose a container subnet that no host LAN uses"));
        }
        if (overlaps(gwbridgeSubnet, h.lan.address)) {
            out.push(issue(`hosts[${i}].lan.address`, h.lan.address, `overlaps network.gwbridgeSubnet ${gwbridgeSubnet}`, "choose a gwbridgeSubnet that no host LAN uses"));
        }
    });
    return out;
}

/** Networks Docker creates by itself on its default address pools. */
export const DOCKER_DEFAULT_NETWORKS: ReadonlyArray<{ readonly name: string; readonly subnet: string; readonly overlayOnly: boolean; readonly why: string }> = [
    { name: "docker0", subnet: "172.17.0.0/16", overlayOnly: false, why: "the default bridge every Docker engine creates" },
    { name: "ingress", subnet: "10.0.0.0/24", overlayOnly: true, why: "the routing-mesh network `docker swarm init` creates" },
];

/**
 * The container subnet and docker_gwbridge's subnet stay clear of the networks Docker makes by
 * itself. docker_gwbridge's own default (172.18.0.0/16, the next free pool) never applies: the
 * stack creates it on network.gwbridgeSubnet before `swarm init` (subnetsDoNotOverlap).
 */
export function dockerDefaultNetworksFree(t: Topology): ConfigIssue[] {
    const out: ConfigIssue[] = [];
    const overlay = t.network.driver === "overlay";
    const ours = [
        { path: "network.subnet", subnet: t.network.subnet, what: "container subnet" },
        ...(overlay ? [{ path: "network.gwbridgeSubnet", subnet: t.network.gwbridgeSubnet, what: "docker_gwbridge subnet" }] : []),
    ];
    for (const o of ours) {
        for (const d of DOCKER_DEFAULT_NETWORKS) {
            if (d.overlayOnly && !overlay) continue;
            if (!overlaps(o.subnet, d.subnet)) continue;
            out.push(
                issue(
                    o.path,
                    o.subnet,
                    `overlaps ${d.name} (${d.subnet}), ${d.why}; Docker refuses the network or routes its traffic into ${d.name}`,
                    `choose a ${o.what} outside ${DOCKER_DEFAULT_NETWORKS.filter((x) => overlay || !x.overlayOnly).map((x) => x.subnet).join(" and ")}, e.g. ${o.path === "network.subnet" ? "172.18.0.0/24" : "10.201.0.0/24"}`,
                ),
            );
        }
    }
    return out;
}

export function bridgeOnlyOnOneHost(t: Topology): ConfigIssue[] {
    if (t.network.driver !== "bridge") return [];
    const hosts = [...new Set(allContainers(t).map((c) => c.host))];
    if (hosts.length <= 1) return [];
    return [issue("network.driver", "bridge", `a bridge network cannot span hosts, but containers are placed on ${hosts.join(", ")}`, "use driver: overlay (a swarm network), or place every container on one host")];
}

/** Anchors are swarm services: they need the overlay's swarm (and attachable, as the stack's containers do). */
export function anchorsNeedOverlay(t: Topology): ConfigIssue[] {
    if (!t.network.anchors) return [];
    if (t.network.driver !== "overlay") return [issue("network.anchors", true, "anchors are swarm services on the overlay network, but network.driver is bridge", "remove network.anchors (a bridge network has no attach deadline), or use driver: overlay")];
    if (!t.network.attachable) return [issue("network.anchors", true, "anchors hold the network for standalone containers, but network.attachable is false", "set network.attachable: true (the stack's containers need it)")];
    return [];
}

export function containerAddressesValid(t: Topology): ConfigIssue[] {
    const { subnet, gateway } = t.network;
    const out: ConfigIssue[] = [];
    const seen = new Map<string, string>();
    for (const c of allContainers(t)) {
        if (!isHostAddressOf(subnet, c.ip)) {
            out.push(issue(`${c.section}.ip`, c.ip, `container ${c.name} address is not a usable address of network.subnet ${subnet}`, `pick a free address inside ${canonicalCidr(subnet)}`));
        } else if (c.ip === gateway) {
            out.push(issue(`${c.section}.ip`, c.ip, `container ${c.name} would take the network gateway`, `pick another address; ${gateway} is network.gateway`));
        }
        const first = seen.get(c.ip);
        if (first) out.push(issue(`${c.section}.ip`, c.ip, `address already given to ${first}`, "give every container its own address"));
        else seen.set(c.ip, c.name);
    }
    return out;
}

export function publishedPortsUniquePerHost(t: Topology): ConfigIssue[] {
    const seen = new Map<string, string>();
    const out: ConfigIssue[] = [];
    for (const p of publishedPorts(t)) {
        const key = `${p.host}:${p.port}`;
        const first = seen.get(key);
        if (first) out.push(issue(p.path, p.port, `host port ${p.port} on ${p.host} is published twice (${first} and ${p.what})`, "publish a different port, or place the containers on different hosts"));
        else seen.set(key, p.what);
    }
    return out;
}

/** TCP ports a host's own services listen on: sshd, and dockerd's swarm and API ports. */
export function hostServicePorts(t: Topology, hostIndex: number): Array<{ port: number; what: string }> {
    const h = t.hosts[hostIndex];
    const out = [{ port: h.ssh.port, what: `its sshd (hosts[${hostIndex}].ssh.port)` }];
    if (t.network.driver === "overlay") {
        if (h.swarmRole === "manager") out.push({ port: 2377, what: "the swarm manager's cluster port" });
        out.push({ port: 7946, what: "the swarm's node-to-node gossip port" });
    }
    const api = /^tcp:\/\/([^:/]+):(\d+)/.exec(h.docker.host ?? "");
    if (api && [h.ssh.address, parseCidr(h.lan.address).address, "0.0.0.0"].includes(api[1])) out.push({ port: Number(api[2]), what: `dockerd's API (hosts[${hostIndex}].docker.host)` });
    return out;
}

/**
 * A published port takes the host's port for every address: on sshd's port Docker's DNAT rule
 * sends SSH to the container, and the stack (and everyone else) loses its way into the host.
 */
export function publishedPortsFreeOnHost(t: Topology): ConfigIssue[] {
    const out: ConfigIssue[] = [];
    for (const p of publishedPorts(t)) {
        const index = t.hosts.findIndex((h) => h.name === p.host);
        if (index < 0) continue;
        const services = hostServicePorts(t, index);
        const taken = services.find((s) => s.port === p.port);
        if (taken) {
            const own = [...new Set(services.map((s) => s.port))].join(", ");
            out.push(issue(p.path, p.port, `host port ${p.port} on ${p.host} belongs to ${taken.what}; publishing ${p.what} there takes it over`, `publish another port (${p.host}'s own services use ${own})`));
        }
    }
    return out;
}

/**
 * Docker gives addresses from the dynamic range to endpoints it creates itself (one swarm
 * load-balancer endpoint per host on an overlay): a static address there collides with them
 * ("Address already in use" when the container attaches).
 */
export function staticAddressesOutsideDynamicRange(t: Topology): ConfigIssue[] {
    const n = t.network;
    const range = dynamicRangeOf(n);
    if (!contains(n.subnet, networkOf(range)) || !contains(n.subnet, broadcastOf(range))) {
        return [issue("network.dynamicRange", range, `is not inside network.subnet ${n.subnet}`, `pick a block at the end of ${canonicalCidr(n.subnet)}`)];
    }
    const out: ConfigIssue[] = [];
    const where = n.dynamicRange ? "network.dynamicRange" : `the default network.dynamicRange ${range}`;
    for (const c of allContainers(t)) {
        if (contains(range, c.ip)) out.push(issue(`${c.section}.ip`, c.ip, `is inside ${where}, which Docker allocates from by itself`, `pick an address below ${networkOf(range)}, or set network.dynamicRange elsewhere in the subnet`));
    }
    t.keepalived.instances.forEach((inst, i) => {
        if (contains(n.subnet, inst.vip) && contains(range, inst.vip)) {
            out.push(issue(`keepalived.instances[${i}].vip`, inst.vip, `is inside ${where}, which Docker allocates from by itself`, `pick a VIP below ${networkOf(range)}, or set network.dynamicRange elsewhere in the subnet`));
        }
    });
    return out;
}
