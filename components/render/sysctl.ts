// Kernel settings a host needs for its role: forwarding for Docker and LVS-NAT, binding
// a VIP it does not hold yet, and the ARP discipline of an LVS-DR real server (which
// also carries the VIP on lo so it accepts the packets the director sends it).
import { Topology } from "../../model/schema";
import { allContainers, hostAddress, hostByName, vrrpMembers } from "../../model/derive";
import { file, RenderedFile, script } from "./file";

export const SYSCTL_DROP_IN = "/etc/sysctl.d/90-ha-mysql.conf";
export const LO_VIP_APPLY = "/var/lib/ha-mysql/lo-vip-apply.sh";
export const LO_VIP_REMOVE = "/var/lib/ha-mysql/lo-vip-remove.sh";

export interface SysctlRender {
    /** The sysctl.d drop-in; empty when the host needs no setting. */
    readonly files: RenderedFile[];
    /** LVS-DR real servers only: scripts that add / remove every DR VIP as /32 on lo. */
    readonly loopbackVip?: { readonly apply: RenderedFile; readonly remove: RenderedFile };
}

export interface SysctlSetting {
    readonly key: string;
    readonly value: number;
    readonly why: string;
}

/** The VIPs of LVS-DR services whose real servers include this host's LAN address. */
export function drVipsOf(t: Topology, hostName: string): string[] {
    const h = hostByName(t, hostName);
    if (!h) return [];
    const me = hostAddress(h);
    const vips = t.keepalived.instances
        .filter((i) => i.forwarding.kind === "lvs-dr" && i.forwarding.services.some((s) => s.realServers.some((r) => r.address === me)))
        .map((i) => i.vip);
    return [...new Set(vips)];
}

function holdsHostVip(t: Topology, hostName: string): boolean {
    return t.keepalived.instances.some((i) => i.level === "host" && vrrpMembers(t, i).some((m) => m.host === hostName));
}

function isNatDirector(t: Topology, hostName: string): boolean {
    return t.keepalived.instances.some((i) => i.level === "host" && i.forwarding.kind === "lvs-nat" && vrrpMembers(t, i).some((m) => m.host === hostName));
}

export function sysctlSettings(t: Topology, hostName: string): SysctlSetting[] {
    const out: SysctlSetting[] = [];
    const runsContainers = allContainers(t).some((c) => c.host === hostName);
    const natDirector = isNatDirector(t, hostName);
    if (runsContainers || natDirector) {
        const why = [runsContainers ? "Docker routes container traffic" : "", natDirector ? "LVS-NAT forwards VIP traffic to the real servers" : ""].filter((s) => s).join("; ");
        out.push({ key: "net.ipv4.ip_forward", value: 1, why });
    }
    if (holdsHostVip(t, hostName)) {
        out.push({ key: "net.ipv4.ip_nonlocal_bind", value: 1, why: "services may bind the VIP while another holder has it" });
    }
    if (drVipsOf(t, hostName).length > 0) {
        const why = "LVS-DR real server: answer ARP only for addresses on the asking interface, and never announce the VIP on lo";
        for (const dev of ["all", "lo"]) {
            out.push({ key: `net.ipv4.conf.${dev}.arp_ignore`, value: 1, why });
            out.push({ key: `net.ipv4.conf.${dev}.arp_announce`, value: 2, why });
        }
    }
    return out;
}

function dropIn(hostName: string, settings: SysctlSetting[]): string {
    const lines = [`# Kernel settings for ${hostName}, rendered by ha-mysql; removed on destroy.`];
    let lastWhy = "";
    for (const s of settings) {
        if (s.why !== lastWhy) lines.push(`# ${s.why}`);
        lastWhy = s.why;
        lines.push(`${s.key} = ${s.value}`);
    }
    return `${lines.join("\n")}\n`;
}

/**
 * The VIP goes on lo as /32 so the real server accepts packets addressed to it, while
 * arp_ignore/arp_announce keep it from answering ARP for it (only the director may).
 */
function loVipScript(vips: string[], action: "apply" | "remove"): string {
    const calls = vips.map((v) => `${action === "apply" ? "add_vip" : "del_vip"} ${v}/32`).join("\n");
    const fn =
        action === "apply"
            ? `add_vip() {
    if [ -z "$(ip -4 -o addr show dev lo to "$1")" ]; then
        ip addr add "$1" dev lo
        echo "added $1 on lo"
    else
        echo "$1 already on lo"
    fi
}`
            : `del_vip() {
    if [ -n "$(ip -4 -o addr show dev lo to "$1")" ]; then
        ip addr del "$1" dev lo
        echo "removed $1 from lo"
    fi
}`;
    const what = action === "apply" ? "Adds each LVS-DR VIP as /32 on lo (idempotent)." : "Removes the LVS-DR VIPs from lo (idempotent).";
    return `#!/bin/sh\n# ${what} Rendered by ha-mysql.\nset -eu\n${fn}\n${calls}\n`;
}

export function renderSysctl(t: Topology, hostName: string): SysctlRender {
    if (!hostByName(t, hostName)) throw new Error(`unknown host ${hostName}`);
    const settings = sysctlSettings(t, hostName);
    const files = settings.length > 0 ? [file(SYSCTL_DROP_IN, dropIn(hostName, settings))] : [];
    const vips = drVipsOf(t, hostName);
    if (vips.length === 0) return { files };
    return { files, loopbackVip: { apply: script(LO_VIP_APPLY, loVipScript(vips, "apply")), remove: script(LO_VIP_REMOVE, loVipScript(vips, "remove")) } };
}
