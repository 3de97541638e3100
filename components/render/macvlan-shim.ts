// The per-host macvlan shim: a macvlan interface on the LAN parent with its own address,
// through which the host reaches macvlan containers (a parent never delivers to its own
// macvlan children) and the macvlan VIPs, wherever they are held.
import { Host, Topology } from "../../model/schema";
import { macvlanHosts, macvlanRoutes } from "../../model/derive";
import { shellQuote } from "./escape";
import { RenderedFile, script } from "./file";
import { WRITE_FILES } from "./step-scripts";

export const SHIM_INTERFACE = "ha-shim";
/** The shim's apply script, kept on the host so that the boot unit can run it again (host-boot.ts). */
export const SHIM_APPLY = "/var/lib/ha-mysql/shim-apply.sh";

/** True when the host gets the shim: it runs a macvlan network or reaches one, and has lan.macvlanShim. */
export function hasShim(t: Topology, hostName: string): boolean {
    return macvlanHosts(t).some((h) => h.name === hostName && h.lan.macvlanShim !== undefined);
}

/** The shim step's create: the kept apply script (read on stdin) written, then run. */
export const SHIM_STEP_CREATE = `set -eu\n${WRITE_FILES}\nsh ${SHIM_APPLY}`;

/** The shim step's delete: the shim goes, with its routes, and so does the kept script. */
export function shimStepDelete(): string {
    return `${renderShimRemove()}\nrm -f ${SHIM_APPLY}`;
}

export function renderShimApply(t: Topology, h: Host): RenderedFile {
    return script(SHIM_APPLY, `#!/bin/sh\n# The macvlan shim of ${h.name}: rendered by ha-mysql, run by its shim step and at boot (ha-mysql-host.service).\n${shimScript(t, h)}\n`);
}

function shimScript(t: Topology, h: Host): string {
    const shim = h.lan.macvlanShim;
    if (!shim) throw new Error(`host ${h.name} has no lan.macvlanShim`);
    const routes = macvlanRoutes(t).map((a) => `${a}/32`);
    const parent = shellQuote(h.lan.interface);
    // Idempotent, and as an update it also moves the shim to a new parent interface and drops
    // the address and routes the previous version set and this one does not.
    return `set -eu
if ip link show ${SHIM_INTERFACE} >/dev/null 2>&1 && [ "$(ip -o link show ${SHIM_INTERFACE} | awk -F ': ' '{ print $2 }')" != ${shellQuote(`${SHIM_INTERFACE}@${h.lan.interface}`)} ]; then
  ip link del ${SHIM_INTERFACE}
  echo "${SHIM_INTERFACE} was on another interface: moving it to ${h.lan.interface}"
fi
if ! ip link show ${SHIM_INTERFACE} >/dev/null 2>&1; then
  ip link add ${SHIM_INTERFACE} link ${parent} type macvlan mode bridge
  echo "created ${SHIM_INTERFACE} on ${h.lan.interface}"
fi
if [ "$(ip -4 -o addr show dev ${SHIM_INTERFACE} | awk '{ print $4 }')" != "${shim}/32" ]; then
  ip addr flush dev ${SHIM_INTERFACE}
  ip addr add ${shim}/32 dev ${SHIM_INTERFACE}
fi
ip link set ${SHIM_INTERFACE} up
want="${routes.join(" ")}"
for r in $(ip -4 route show dev ${SHIM_INTERFACE} | awk '{ print $1 }'); do
  case " $want " in *" $r "*|*" $r/32 "*) ;; *) ip route del "$r" dev ${SHIM_INTERFACE}; echo "dropped route $r" ;; esac
done
for r in $want; do ip route replace "$r" dev ${SHIM_INTERFACE}; done
echo "${SHIM_INTERFACE} ${shim}: routes $want"`;
}

export function renderShimRemove(): string {
    return `if ip link show ${SHIM_INTERFACE} >/dev/null 2>&1; then ip link del ${SHIM_INTERFACE}; echo "removed ${SHIM_INTERFACE}"; else echo "no ${SHIM_INTERFACE}"; fi`;
}
