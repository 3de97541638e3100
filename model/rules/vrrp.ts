// Rules about keepalived instances: the ones the tutorials get wrong, and the
// ones that make a VIP unreachable across hosts: Docker's overlay carries no multicast between
// hosts and answers ARP only for the addresses it allocated, so a container VIP on it is
// reachable from the holder's own host only (docs/vip-placement.md).
import { Topology, VrrpInstance } from "../schema";
import { allContainers, groupNodes, hostAddress, hostByName, memberAddresses, placementOf, VrrpMember, vrrpMembers } from "../derive";
import { ConfigIssue, issue } from "../issues";
import { canonicalCidr, contains, isHostAddressOf } from "../net";

const isLoopback = (ip: string) => contains("127.0.0.0/8", ip);

type InstanceRule = (t: Topology, inst: VrrpInstance, at: string) => ConfigIssue[];

const frontedGroupExists: InstanceRule = (t, inst, at) => {
    const nodes = groupNodes(t, inst.fronts);
    if (nodes && nodes.length >= 2) return [];
    const section = inst.fronts === "dualMaster" ? "database.dualMaster" : inst.fronts;
    return [issue(`${at}.fronts`, inst.fronts, nodes ? `${section} has ${nodes.length} node; a VIP with one holder has nothing to fail over to` : `${section} is not configured`, `configure at least two ${section} nodes, or remove this instance`)];
};

const holdersExist: InstanceRule = (t, inst, at) => {
    if (!inst.holders) return [];
    if (inst.level !== "host") return [issue(`${at}.holders`, inst.holders, "holders applies to host-level instances only", "remove holders; container instances are held by the fronted group's containers")];
    const known = new Set(t.hosts.map((h) => h.name));
    return inst.holders.flatMap((h, i) => (known.has(h) ? [] : [issue(`${at}.holders[${i}]`, h, `unknown host "${h}"`, `use one of the hosts: ${[...known].join(", ")}`)]));
};

const placementFitsLevel: InstanceRule = (_t, inst, at) => {
    const p = placementOf(inst);
    if (inst.level === "container" && p === "host") return [issue(`${at}.placement`, p, "placement host means keepalived on the hosts", "set level: host, or use placement overlay or macvlan")];
    if (inst.level === "container" && inst.fronts === "dualMaster") return [issue(`${at}.level`, "container", "keepalived inside the database containers is not supported (the stack installs it into HAProxy/MyCat containers only)", "use level: host, as tutorial 001 does: keepalived on the two hosts with a MySQL health script")];
    if (inst.level === "host" && p !== "host") return [issue(`${at}.placement`, p, `placement ${p} puts keepalived in containers`, "set level: container, or drop placement (host level is placement host)")];
    return [];
};

const overlayVipOnOneHost: InstanceRule = (t, inst, at) => {
    if (placementOf(inst) !== "overlay" || t.network.driver === "bridge") return [];
    const hosts = [...new Set(vrrpMembers(t, inst).map((m) => m.host))];
    if (hosts.length <= 1) return [];
    return [
        issue(
            `${at}.placement`,
            "overlay",
            `the VIP's holders run on different hosts (${hosts.join(", ")}); a VIP inside containers on the swarm overlay is reachable only from the holder's own host (Docker's VXLAN never floods ARP for it) and multicast VRRP splits brain`,
            "use level: host (keepalived on the hosts holding a LAN VIP, services published on host ports) or placement: macvlan (container VIP on the LAN), or place all holders on one host",
        ),
    ];
};

const vipInsideSegment: InstanceRule = (t, inst, at) => {
    const members = vrrpMembers(t, inst);
    const taken = new Map<string, string>(members.map((m) => [m.address, m.name]));
    if (placementOf(inst) === "overlay") {
        const { subnet, gateway } = t.network;
        if (!isHostAddressOf(subnet, inst.vip)) return [issue(`${at}.vip`, inst.vip, `not a usable address of network.subnet ${subnet}`, `pick a free address inside ${canonicalCidr(subnet)}`)];
        taken.set(gateway, "network.gateway");
        for (const c of allContainers(t)) taken.set(c.ip, `container ${c.name}`);
    } else {
        const outside = t.hosts.filter((h) => members.some((m) => m.host === h.name) && !isHostAddressOf(h.lan.address, inst.vip));
        if (outside.length > 0) return [issue(`${at}.vip`, inst.vip, `not inside the LAN of ${outside.map((h) => `${h.name} (${canonicalCidr(h.lan.address)})`).join(", ")}`, "pick a free address on the holders' common LAN")];
        for (const h of t.hosts) taken.set(hostAddress(h), `host ${h.name}`);
        for (const h of t.hosts) if (h.lan.macvlanShim) taken.set(h.lan.macvlanShim, `the shim of ${h.name}`);
        for (const c of allContainers(t)) if (c.lanIp) taken.set(c.lanIp, `container ${c.name}`);
    }
    const owner = taken.get(inst.vip);
    return owner ? [issue(`${at}.vip`, inst.vip, `already the address of ${owner}`, "pick an address no node, host or gateway uses")] : [];
};

const prioritiesDistinct: InstanceRule = (t, inst, at) => {
    const out: ConfigIssue[] = [];
    const members = vrrpMembers(t, inst);
    const names = new Set(members.map((m) => m.name));
    for (const key of Object.keys(inst.priorities ?? {})) {
        if (!names.has(key)) out.push(issue(`${at}.priorities.${key}`, inst.priorities?.[key], `"${key}" does not hold this VIP`, `key priorities by ${inst.level === "host" ? "host" : "container"} name: ${[...names].join(", ")}`));
    }
    const seen = new Map<number, string>();
    for (const m of members) {
        const first = seen.get(m.priority);
        if (first) out.push(issue(`${at}.priorities`, inst.priorities ?? {}, `${first} and ${m.name} share priority ${m.priority}; equal priorities elect by address and flap on restarts`, "give every holder a distinct priority"));
        seen.set(m.priority, m.name);
    }
    return out;
};

const nopreemptNeedsBackup: InstanceRule = (_t, inst, at) => {
    const out: ConfigIssue[] = [];
    if (inst.nopreempt && inst.initialState === "MASTER") out.push(issue(`${at}.initialState`, "MASTER", "nopreempt works only when every node starts as BACKUP (keepalived refuses nopreempt with state MASTER)", "set initialState: BACKUP, or nopreempt: false"));
    if (inst.nopreempt && inst.preemptDelayS !== undefined) out.push(issue(`${at}.preemptDelayS`, inst.preemptDelayS, "preempt_delay has no effect with nopreempt", "remove preemptDelayS, or set nopreempt: false"));
    return out;
};

const advertMatchesVersion: InstanceRule = (_t, inst, at) => {
    const out: ConfigIssue[] = [];
    if (inst.version === 2 && inst.advertInt < 1) out.push(issue(`${at}.advertInt`, inst.advertInt, "VRRP v2 adverts are whole seconds; sub-second intervals need VRRP v3", "set version: 3, or advertInt: 1 or more"));
    if (inst.version === 2 && inst.advertInt >= 1 && !Number.isInteger(inst.advertInt)) out.push(issue(`${at}.advertInt`, inst.advertInt, "VRRP v2 advert intervals are whole seconds", "use a whole number of seconds, or version: 3"));
    if (inst.version === 3 && Math.round(inst.advertInt * 100) !== inst.advertInt * 100) out.push(issue(`${at}.advertInt`, inst.advertInt, "VRRP v3 intervals are in centiseconds", "use at most two decimals, e.g. 0.1"));
    if (inst.version === 3 && inst.authPassSecret) out.push(issue(`${at}.authPassSecret`, inst.authPassSecret, "VRRP v3 has no authentication (RFC 5798); keepalived refuses it", "remove authPassSecret, or set version: 2"));
    return out;
};

const unicastWhereNeeded: InstanceRule = (t, inst, at) => {
    if (inst.unicast !== "never") return [];
    const hosts = new Set(vrrpMembers(t, inst).map((m) => m.host));
    if (inst.level === "container" && hosts.size > 1) return [issue(`${at}.unicast`, "never", "multicast VRRP does not cross the overlay between hosts; both holders would become MASTER", "use unicast: auto")];
    return [];
};

const forwardingFitsLevel: InstanceRule = (t, inst, at) => {
    const f = inst.forwarding;
    if (f.kind === "none") return f.services.length > 0 ? [issue(`${at}.forwarding.services`, f.services.map((s) => s.port), "services listed but forwarding.kind is none", "set kind: lvs-nat or lvs-dr, or remove the services")] : [];
    const out: ConfigIssue[] = [];
    if (inst.level !== "host") out.push(issue(`${at}.forwarding.kind`, f.kind, "LVS forwarding runs in host keepalived only", "move forwarding to a level: host instance"));
    if (f.services.length === 0) out.push(issue(`${at}.forwarding.services`, [], `${f.kind} without services forwards nothing`, "list the VIP ports and their real servers"));
    if (f.kind === "lvs-dr") {
        const lan = vrrpMembers(t, inst).map((m) => t.hosts.find((h) => h.name === m.host)?.lan.address).find((a) => a !== undefined);
        f.services.forEach((s, i) =>
            s.realServers.forEach((r, j) => {
                if (lan && !contains(lan, r.address)) out.push(issue(`${at}.forwarding.services[${i}].realServers[${j}].address`, r.address, `LVS DR rewrites only the MAC, so real servers must share the VIP's LAN ${canonicalCidr(lan)}`, "use a real server on that LAN, or kind: lvs-nat"));
            }),
        );
    }
    return out;
};

/**
 * An isolation reference must be something other than the VIP's own holders: with only the
 * peers as references, the survivor of a dead peer would find itself "isolated" and drop the
 * VIP too.
 */
const isolationBeyondHolders: InstanceRule = (t, inst, at) => {
    const refs = inst.track.isolation;
    if (refs.length === 0 || !inst.track.enabled) return [];
    const own = new Set(vrrpMembers(t, inst).flatMap((m) => memberAddresses(t, m)));
    if (refs.some((r) => !own.has(r.address))) return [];
    return [
        issue(
            `${at}.track.isolation`,
            refs.map((r) => `${r.address}:${r.port}`).join(", "),
            "every reference is a holder of this VIP (or its host): when one holder dies the other reaches no reference and gives the VIP up as well",
            "add an endpoint on the LAN that is not a holder: another host's SSH port, or a service on the router",
        ),
    ];
};

/**
 * Track settings keepalived would carry out but that can never act: a weight only shifts
 * priorities, and under nopreempt a backup never takes the VIP from a lower-priority master
 * (measured: a weight-based script never moves the VIP under nopreempt); weight 0 instead puts
 * a failing holder in FAULT, which moves it. And with tracking off there is no script at all.
 */
const trackSettingsTakeEffect: InstanceRule = (_t, inst, at) => {
    const tr = inst.track;
    const out: ConfigIssue[] = [];
    if (!tr.enabled) {
        if (tr.weight !== 0) out.push(issue(`${at}.track.weight`, tr.weight, "has no effect with track.enabled: false (no track script runs)", "remove track.weight, or set track.enabled: true"));
        if (tr.isolation.length > 0) out.push(issue(`${at}.track.isolation`, tr.isolation.map((r) => `${r.address}:${r.port}`).join(", "), "no isolation check runs with track.enabled: false", "remove track.isolation, or set track.enabled: true"));
        return out;
    }
    if (tr.weight !== 0 && inst.nopreempt) {
        out.push(
            issue(
                `${at}.track.weight`,
                tr.weight,
                "with nopreempt a failing check that only shifts priority never moves the VIP: no backup takes it from a lower-priority master",
                "set track.weight: 0 (a failing check then puts the holder in FAULT, which moves the VIP even with nopreempt), or nopreempt: false",
            ),
        );
    }
    return out;
};

/**
 * Addresses a member reaches without its LAN link: on its own host (the host's other
 * addresses, its containers, its shim) or the VIP it holds itself. A reference among them
 * answers even when the member is cut off, so "reaches none" never happens and the isolation
 * check never fires. The member's own address and its host's LAN address are skipped by the
 * check already (memberAddresses).
 */
function alwaysReachable(t: Topology, inst: VrrpInstance, m: VrrpMember): Map<string, string> {
    const out = new Map<string, string>();
    const h = hostByName(t, m.host);
    if (h) {
        if (h.ssh.address !== hostAddress(h)) out.set(h.ssh.address, `the SSH address of ${h.name}`);
        if (h.lan.macvlanShim) out.set(h.lan.macvlanShim, `the macvlan shim of ${h.name}`);
    }
    const containers = allContainers(t).filter((c) => c.host === m.host);
    for (const c of containers) {
        // A container reaches its host's other containers through the local bridge; a host reaches its macvlan containers through its shim, its bridge containers directly.
        if (inst.level === "container" || t.network.driver === "bridge") out.set(c.ip, `container ${c.name} on ${m.host}`);
        if (c.lanIp && (inst.level === "container" || h?.lan.macvlanShim)) out.set(c.lanIp, `the LAN address of container ${c.name} on ${m.host}`);
    }
    for (const skip of memberAddresses(t, m)) out.delete(skip);
    return out;
}

const isolationReferencesCanFail: InstanceRule = (t, inst, at) => {
    const tr = inst.track;
    if (!tr.enabled || tr.isolation.length === 0) return [];
    const members = vrrpMembers(t, inst);
    const fix = "use an endpoint on another machine of the LAN: another host's SSH port, or a service on the router";
    return tr.isolation.flatMap((r, j) => {
        const path = `${at}.track.isolation[${j}].address`;
        if (r.address === inst.vip) return [issue(path, r.address, "is this instance's own VIP: its holder answers it itself, so a holder cut off the LAN still reaches one reference and the isolation check never fires", fix)];
        if (isLoopback(r.address)) return [issue(path, r.address, "is a loopback address: every holder reaches it, so the isolation check never fires", fix)];
        for (const m of members) {
            const what = alwaysReachable(t, inst, m).get(r.address);
            if (what) return [issue(path, r.address, `is ${what}, where holder ${m.name} runs: ${m.name} reaches it even when cut off the LAN, so its isolation check never fires`, fix)];
        }
        return [];
    });
};

/** Interfaces that exist on the hosts only: the LAN interface, Docker's host-side bridges and veth ends. */
const containerInterfaceExists: InstanceRule = (t, inst, at) => {
    if (inst.level !== "container" || inst.interface === undefined) return [];
    const ifname = inst.interface;
    if (/^eth\d+$/.test(ifname)) return [];
    const holderHosts = new Set(vrrpMembers(t, inst).map((m) => m.host));
    const onHost = t.hosts.find((h) => holderHosts.has(h.name) && (h.lan.interface === ifname || h.firewall.interface === ifname));
    const docker = ifname === "docker0" || ifname === "docker_gwbridge" || /^(br-|veth)/.test(ifname);
    if (!onHost && !docker) return [];
    return [
        issue(
            `${at}.interface`,
            ifname,
            `${onHost ? `is the LAN interface of host ${onHost.name}` : "is an interface Docker creates on the host"}; keepalived of a container-level instance runs inside the containers, which have only eth0, eth1, ...`,
            inst.placement === "macvlan" ? "remove interface (a macvlan holder finds its LAN interface by its address)" : "remove interface (default eth0), or set level: host to run keepalived on the hosts",
        ),
    ];
};

const instanceRules: InstanceRule[] = [
    frontedGroupExists,
    holdersExist,
    placementFitsLevel,
    overlayVipOnOneHost,
    vipInsideSegment,
    prioritiesDistinct,
    nopreemptNeedsBackup,
    advertMatchesVersion,
    unicastWhereNeeded,
    forwardingFitsLevel,
    isolationBeyondHolders,
    trackSettingsTakeEffect,
    isolationReferencesCanFail,
    containerInterfaceExists,
];

export function vrrpInstances(t: Topology): ConfigIssue[] {
    return t.keepalived.instances.flatMap((inst, i) => instanceRules.flatMap((rule) => rule(t, inst, `keepalived.instances[${i}]`)));
}

export function routerIdsUnique(t: Topology): ConfigIssue[] {
    // Host bridges carry container adverts onto the LAN, so an ID is unique across the topology, not per network.
    const out: ConfigIssue[] = [];
    const seen = new Map<number, string>();
    t.keepalived.instances.forEach((inst, i) => {
        const first = seen.get(inst.virtualRouterId);
        if (first) out.push(issue(`keepalived.instances[${i}].virtualRouterId`, inst.virtualRouterId, `shared with instance ${first}; routers with one ID on one segment fight over the VIP`, "give every instance its own virtualRouterId"));
        else seen.set(inst.virtualRouterId, inst.name);
    });
    const names = new Set<string>();
    t.keepalived.instances.forEach((inst, i) => {
        if (names.has(inst.name)) out.push(issue(`keepalived.instances[${i}].name`, inst.name, "instance name used twice", "give every instance its own name"));
        names.add(inst.name);
    });
    return out;
}

export function vipsUnique(t: Topology): ConfigIssue[] {
    const seen = new Map<string, string>();
    return t.keepalived.instances.flatMap((inst, i) => {
        const first = seen.get(inst.vip);
        seen.set(inst.vip, inst.name);
        return first ? [issue(`keepalived.instances[${i}].vip`, inst.vip, `also the VIP of ${first}`, "give every instance its own VIP")] : [];
    });
}
