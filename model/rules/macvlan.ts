// Rules for placement macvlan: holders' containers get a second interface on the hosts'
// LAN, so their LAN addresses, the shims and the LAN itself must line up.
import { Topology } from "../schema";
import { allContainers, hostAddress, hostByName, macvlanInstances, macvlanNodes } from "../derive";
import { ConfigIssue, issue } from "../issues";
import { canonicalCidr, isHostAddressOf } from "../net";

const holderKey = (n: { host: string; name: string }) => `${n.host}/${n.name}`;

/** Every macvlan holder has a LAN address on its own host's LAN; nobody else has one. */
export function macvlanLanAddresses(t: Topology): ConfigIssue[] {
    const holders = new Set(macvlanNodes(t).map(holderKey));
    const out: ConfigIssue[] = [];
    for (const c of allContainers(t)) {
        const at = `${c.section}.lanIp`;
        if (!holders.has(holderKey(c))) {
            if (c.lanIp) out.push(issue(at, c.lanIp, `${c.name} holds no macvlan VIP, so nothing attaches it to the LAN`, "remove lanIp, or add a keepalived instance with placement: macvlan that fronts its group"));
            continue;
        }
        const h = hostByName(t, c.host);
        if (!c.lanIp) out.push(issue(at, c.lanIp, `${c.name} holds a macvlan VIP but has no LAN address`, `give it a free address on the LAN of ${c.host}${h ? ` (${canonicalCidr(h.lan.address)})` : ""}`));
        else if (h && !isHostAddressOf(h.lan.address, c.lanIp)) out.push(issue(at, c.lanIp, `not a usable address of ${c.host}'s LAN ${canonicalCidr(h.lan.address)}`, "pick a free address on that LAN"));
    }
    return out;
}

/** A macvlan network is one L2 segment: the holders' hosts must share it. */
export function macvlanOneLan(t: Topology): ConfigIssue[] {
    return macvlanInstances(t).flatMap((inst) => {
        const i = t.keepalived.instances.indexOf(inst);
        const hosts = [...new Set(macvlanNodes(t).map((n) => n.host))].flatMap((hn) => {
            const h = hostByName(t, hn);
            return h ? [h] : [];
        });
        const lans = [...new Set(hosts.map((h) => canonicalCidr(h.lan.address)))];
        if (lans.length <= 1) return [];
        return [issue(`keepalived.instances[${i}].placement`, "macvlan", `the holders' hosts sit on different LANs (${hosts.map((h) => `${h.name} ${canonicalCidr(h.lan.address)}`).join(", ")}); a macvlan VIP moves only within one L2 segment`, "put the holders on hosts of one LAN, or use level: host")];
    });
}

/** A host reaches its own macvlan containers only through a shim (the parent never delivers to its children). */
export function macvlanShims(t: Topology): ConfigIssue[] {
    const holderHosts = new Set(macvlanNodes(t).map((n) => n.host));
    const out: ConfigIssue[] = [];
    t.hosts.forEach((h, i) => {
        const at = `hosts[${i}].lan.macvlanShim`;
        const shim = h.lan.macvlanShim;
        if (shim === undefined) {
            if (holderHosts.has(h.name)) out.push(issue(at, shim, `${h.name} runs a macvlan VIP holder but has no shim address; the host (and containers publishing through it) could not reach the VIP while its own container holds it`, `give it a free address on ${canonicalCidr(h.lan.address)}`));
            return;
        }
        if (macvlanInstances(t).length === 0) out.push(issue(at, shim, "no keepalived instance uses placement: macvlan", "remove macvlanShim"));
        else if (!isHostAddressOf(h.lan.address, shim)) out.push(issue(at, shim, `not a usable address of ${h.name}'s LAN ${canonicalCidr(h.lan.address)}`, "pick a free address on that LAN"));
    });
    return out;
}

/** Host addresses, shims and containers' LAN addresses share one LAN: no two may be equal. */
export function lanAddressesUnique(t: Topology): ConfigIssue[] {
    const seen = new Map<string, string>();
    const out: ConfigIssue[] = [];
    const claim = (address: string | undefined, at: string, who: string) => {
        if (!address) return;
        const first = seen.get(address);
        if (first) out.push(issue(at, address, `already the address of ${first}`, "give every host, shim and LAN container its own address"));
        else seen.set(address, who);
    };
    t.hosts.forEach((h) => seen.set(hostAddress(h), `host ${h.name}`));
    t.hosts.forEach((h, i) => claim(h.lan.macvlanShim, `hosts[${i}].lan.macvlanShim`, `the shim of ${h.name}`));
    for (const c of allContainers(t)) claim(c.lanIp, `${c.section}.lanIp`, `container ${c.name}`);
    return out;
}
