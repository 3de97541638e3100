// What a reboot loses on a host and the boot path that restores it. keepalived and Docker are
// enabled units, sysctl drop-ins and firewalld's rules are permanent; iptables rules, the LVS-DR
// VIPs on lo and the macvlan shim with its routes are runtime state. Their steps keep their apply
// scripts under /var/lib/ha-mysql, and ha-mysql-host.service, a oneshot unit, runs the ones that
// are there at boot: after the network is online, before keepalived (VRRP is admitted before it
// speaks) and Docker (the containers that come back with it find the shim routes and the VIPs on
// lo in place). A Docker restart touches only Docker's own chains, so the unit has nothing to redo
// then. Without systemd the step installs nothing: the state comes back with the next `pulumi up`.
import { Topology } from "../../model/schema";
import { hostByName } from "../../model/derive";
import { file, RenderedFile, script } from "./file";
import { FIREWALL_APPLY, renderFirewall } from "./firewall";
import { LO_VIP_APPLY, renderSysctl } from "./sysctl";
import { hasShim, SHIM_APPLY } from "./macvlan-shim";
import { unitInstall, unitRemove } from "./systemd-unit";

export const BOOT_UNIT_NAME = "ha-mysql-host.service";
export const BOOT_UNIT = `/etc/systemd/system/${BOOT_UNIT_NAME}`;
export const BOOT_SCRIPT = "/var/lib/ha-mysql/boot.sh";

/** The kept apply scripts a host's boot runs, in order: firewall rules, VIPs on lo, the shim. */
export function bootScripts(t: Topology, hostName: string): string[] {
    const h = hostByName(t, hostName);
    if (!h) throw new Error(`unknown host ${hostName}`);
    const out: string[] = [];
    if (h.firewall.kind === "iptables" && renderFirewall(t, hostName)) out.push(FIREWALL_APPLY);
    if (renderSysctl(t, hostName).loopbackVip) out.push(LO_VIP_APPLY);
    if (hasShim(t, hostName)) out.push(SHIM_APPLY);
    return out;
}

function what(scripts: string[]): string {
    const names = scripts.map((s) => (s === FIREWALL_APPLY ? "firewall rules" : s === LO_VIP_APPLY ? "LVS-DR VIPs on lo" : "macvlan shim"));
    return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

export function bootUnit(hostName: string, scripts: string[]): string {
    return `# Restores the ${what(scripts)} of ${hostName} at boot. Rendered by ha-mysql; removed on destroy.
[Unit]
Description=ha-mysql: restore the ${what(scripts)} of ${hostName}
Wants=network-online.target
After=network-online.target firewalld.service
Before=keepalived.service docker.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh ${BOOT_SCRIPT}

[Install]
WantedBy=multi-user.target
`;
}

/** Runs each kept apply script that is there (its step may not have run yet), and fails when one does. */
export function bootScript(hostName: string, scripts: string[]): string {
    return `#!/bin/sh
# Restores the ${what(scripts)} of ${hostName} after a reboot: each script its step keeps here.
# Run by ${BOOT_UNIT_NAME}; rendered by ha-mysql.
status=0
run() {
    [ -f "$1" ] || return 0
    echo "running $1"
    sh "$1" || { echo "$1 failed" >&2; status=1; }
}
${scripts.map((s) => `run ${s}`).join("\n")}
exit "$status"
`;
}

/** The unit and its script for a host that keeps runtime state; undefined when it keeps none. */
export function renderHostBoot(t: Topology, hostName: string): RenderedFile[] | undefined {
    const scripts = bootScripts(t, hostName);
    if (scripts.length === 0) return undefined;
    return [file(BOOT_UNIT, bootUnit(hostName, scripts)), script(BOOT_SCRIPT, bootScript(hostName, scripts))];
}

/** Installs and enables the unit (files on stdin) where systemd runs; elsewhere says what a reboot loses. */
export function hostBootCreate(hostName: string): string {
    return unitInstall(BOOT_UNIT_NAME, hostName, `host ${hostName} has no systemd: what ${BOOT_UNIT_NAME} would restore after a reboot comes back with the next pulumi up`);
}

/** Disables and removes the unit and its script; the scripts it ran belong to their own steps. */
export const HOST_BOOT_DELETE = unitRemove(BOOT_UNIT_NAME, BOOT_UNIT, BOOT_SCRIPT);
