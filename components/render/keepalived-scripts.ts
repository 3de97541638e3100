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
 * /dev/tcp needs no extra package in the slim images (no nc, no psmisc). keepalived runs
 * the script every interval on every holder, so it starts no program: each connect is a
 * subshell of the script, bounded by the script itself (a builtin read with a timeout on a
 * pipe that never delivers is its clock), where `timeout` and a bash per target cost two
 * program starts each, which on a small or emulated VM (measured: the script at 54 % of a
 * vCPU) is where a host's CPU goes.
 */
const CHECK_TCP = `#!/bin/bash
# keepalived vrrp_script: exit 0 when all (or any) HOST:PORT targets accept a TCP connection
# within 1 s. Usage: check-tcp.sh all|any HOST:PORT...
set -u
mode=\${1:-}
case $mode in
    all | any) shift ;;
    *) echo "usage: check-tcp.sh all|any HOST:PORT..." >&2; exit 2 ;;
esac
[ $# -gt 0 ] || exit 2

# Every target at once, each connect in a subshell: a round costs one deadline however many
# targets are cut off, which is what the isolation check (every reference unreachable) measures.
pids=()
for target in "$@"; do
    (exec 3<>"/dev/tcp/\${target%:*}/\${target##*:}") 2>/dev/null &
    pids+=("$!")
done
# Ends the script with status $1, the connects still waiting stopped and reaped.
finish() {
    if [ "\${#pids[@]}" -gt 0 ]; then kill "\${pids[@]}" 2>/dev/null; fi
    wait 2>/dev/null
    exit "$1"
}
# The clock: reads on a pipe whose writer is this shell never return before their timeout.
exec 9<> <(:)
ticks=0
while [ "\${#pids[@]}" -gt 0 ]; do
    for i in "\${!pids[@]}"; do
        kill -0 "\${pids[$i]}" 2>/dev/null && continue
        if wait "\${pids[$i]}"; then ok=1; else ok=0; fi
        unset "pids[$i]"
        if [ "$mode" = any ] && [ "$ok" = 1 ]; then finish 0; fi
        if [ "$mode" = all ] && [ "$ok" = 0 ]; then finish 1; fi
    done
    [ "\${#pids[@]}" -gt 0 ] || break
    # 20 ticks of 50 ms: the 1 s a target has to answer.
    if [ "$ticks" -ge 20 ]; then finish 1; fi
    ticks=$((ticks + 1))
    read -r -t 0.05 -u 9 _ || true
done
if [ "$mode" = all ]; then finish 0; fi
finish 1
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
