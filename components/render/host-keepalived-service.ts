// keepalived as a host service: started under systemd where there is one, else by pidfile;
// reloaded in place when the config changes. The host's install step puts it there
// (components/render/host-install.ts).
import { KEEPALIVED_SCRIPT_DIR } from "./keepalived-scripts";
import { writeFilesOwning } from "./step-scripts";

const PRESENT = `command -v keepalived >/dev/null || { echo "keepalived is not installed on $(hostname): the host's install step installs it" >&2; exit 1; }`;

// A SIGKILLed keepalived leaves its pidfiles behind, and keepalived refuses to start while
// they exist: without systemd, pidfiles whose process is gone are removed before the start.
const START = `if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl enable -q keepalived
  if systemctl is-active -q keepalived; then systemctl reload keepalived; else systemctl start keepalived; fi
else
  pid=$(cat /run/keepalived.pid 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -HUP "$pid"; echo "keepalived reloaded"
  else rm -f /run/keepalived.pid /run/vrrp.pid /run/checkers.pid; keepalived -f /etc/keepalived/keepalived.conf -p /run/keepalived.pid; echo "keepalived started"; fi
fi`;

const STOP = `if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then systemctl disable -q --now keepalived || true
else pid=$(cat /run/keepalived.pid 2>/dev/null || true); if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi; fi
rm -rf /etc/keepalived/keepalived.conf /etc/keepalived/scripts`;

/**
 * Writes the config and scripts read on stdin and (re)starts keepalived.
 * Run as an update too: the scripts the new config no longer names go, and keepalived reloads
 * (it drops the VIPs of instances that left the config itself).
 */
export const HOST_KEEPALIVED_APPLY = `set -eu\n${PRESENT}\n${writeFilesOwning(KEEPALIVED_SCRIPT_DIR)}\n${START}`;

/** Stops keepalived, removes its files and any of `vips` ("address/prefix dev iface") left behind. */
export function hostKeepalivedRemove(vips: readonly string[]): string {
    return `${STOP}\n${vips.map((v) => `ip addr del ${v} 2>/dev/null || true`).join("\n")}\necho "keepalived removed from $(hostname)"`;
}
