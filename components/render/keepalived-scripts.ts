// The scripts keepalived.conf names: health checks for vrrp_script and the notify
// hook. They live under /etc/keepalived/scripts, root-owned and not group/world
// writable, because enable_script_security refuses anything a non-root user could edit.
import { RenderedFile, script } from "./file";

export const KEEPALIVED_DIR = "/etc/keepalived";
export const KEEPALIVED_SCRIPT_DIR = `${KEEPALIVED_DIR}/scripts`;

export type KeepalivedScript = "check-tcp.sh" | "check-http.sh" | "notify.sh";

export function scriptPath(name: KeepalivedScript): string {
    return `${KEEPALIVED_SCRIPT_DIR}/${name}`;
}

/**
 * A TCP connect proves the process is alive AND accepting, which a process check
 * (`killall -0`, `pidof`) cannot, and which `netstat | grep` only guesses at. bash's
 * /dev/tcp needs no extra package in the slim images (no nc, no psmisc); `timeout`
 * bounds each attempt so one black-holed target cannot eat the vrrp_script timeout.
 */
const CHECK_TCP = `#!/bin/bash
# keepalived vrrp_script: exit 0 when all (or any) HOST:PORT targets accept a TCP connection.
# Usage: check-tcp.sh all|any HOST:PORT...
set -u
mode=\${1:-}
case $mode in
    all | any) shift ;;
    *) echo "usage: check-tcp.sh all|any HOST:PORT..." >&2; exit 2 ;;
esac
[ $# -gt 0 ] || exit 2

answers() {
    # $0 and $1 of the inner bash are the host and the port.
    # shellcheck disable=SC2016
    timeout 1 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "\${1%:*}" "\${1##*:}" 2>/dev/null
}

if [ "$mode" = any ]; then
    # All at once: a round costs one timeout however many targets are cut off, which is what
    # the isolation check (every reference unreachable) measures.
    pids=()
    for target in "$@"; do
        answers "$target" &
        pids+=("$!")
    done
    for pid in "\${pids[@]}"; do
        if wait "$pid"; then exit 0; fi
    done
    exit 1
fi

for target in "$@"; do
    answers "$target" || exit 1
done
exit 0
`;

/**
 * MyCat's status service (xinetd, see the MyCat renderer) answers 200 only while MyCat
 * itself answers; its port being open proves nothing because xinetd holds it.
 */
const CHECK_HTTP = `#!/bin/bash
# keepalived vrrp_script: exit 0 when GET / on HOST:PORT answers HTTP 200 within 2 s.
# Usage: check-http.sh HOST PORT
set -u
host=\${1:?usage: check-http.sh HOST PORT}
port=\${2:?usage: check-http.sh HOST PORT}
# $0 and $1 of the inner bash are the host and the port.
# shellcheck disable=SC2016
status=$(timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1" || exit 1
printf "GET / HTTP/1.0\\r\\n\\r\\n" >&3 2>/dev/null
head -n 1 <&3' "$host" "$port" 2>/dev/null) || exit 1
case $status in
    "HTTP/1."?" 200"*) exit 0 ;;
    *) exit 1 ;;
esac
`;

/**
 * keepalived removes the VIP itself on a clean transition, but a holder that crashed
 * (SIGKILL, OOM) leaves it on the interface, answering ARP beside the new MASTER (lab
 * facts). When keepalived restarts it enters BACKUP and this hook clears the leftover.
 * A BACKUP notice that arrives after a quick BACKUP->MASTER flip could remove a fresh
 * VIP; that needs a priority-0 advert and a re-election inside the few milliseconds the
 * hook runs, and keepalived re-adds its VIPs on the next MASTER transition regardless.
 */
const NOTIFY = `#!/bin/sh
# keepalived notify hook: log every transition; off MASTER, drop the VIP if still present.
# Usage: notify.sh VIP/PREFIX DEV (keepalived appends TYPE NAME STATE PRIORITY)
set -u
vip=\${1:?usage: notify.sh VIP/PREFIX DEV TYPE NAME STATE PRIORITY}
dev=\${2:?usage: notify.sh VIP/PREFIX DEV TYPE NAME STATE PRIORITY}
kind=\${3:-INSTANCE}
name=\${4:-?}
state=\${5:-?}
priority=\${6:-?}

say() {
    echo "$1"
    logger -t keepalived-notify -p daemon.notice -- "$1" 2>/dev/null || true
}

say "$kind $name -> $state (priority $priority, VIP $vip on $dev)"
case $state in
    BACKUP | FAULT | STOP | DELETED)
        if [ -n "$(ip -4 -o addr show dev "$dev" to "\${vip%/*}/32" 2>/dev/null)" ]; then
            if ip addr del "$vip" dev "$dev"; then
                say "$name: removed stale VIP $vip from $dev"
            else
                say "$name: could not remove stale VIP $vip from $dev"
            fi
        fi
        ;;
esac
exit 0
`;

const TEXT: Readonly<Record<KeepalivedScript, string>> = {
    "check-tcp.sh": CHECK_TCP,
    "check-http.sh": CHECK_HTTP,
    "notify.sh": NOTIFY,
};

export function keepalivedScript(name: KeepalivedScript): RenderedFile {
    return script(scriptPath(name), TEXT[name]);
}
