#!/bin/bash
# keepalived vrrp_script: exit 0 when all (or any) HOST:PORT targets accept a TCP connection
# within 1 s. Usage: check-tcp.sh all|any HOST:PORT...
set -u
mode=${1:-}
case $mode in
    all | any) shift ;;
    *) echo "usage: check-tcp.sh all|any HOST:PORT..." >&2; exit 2 ;;
esac
[ $# -gt 0 ] || exit 2

# Every target at once, each connect in a subshell: a round costs one deadline however many
# targets are cut off, which is what the isolation check (every reference unreachable) measures.
pids=()
for target in "$@"; do
    (exec 3<>"/dev/tcp/${target%:*}/${target##*:}") 2>/dev/null &
    pids+=("$!")
done
# Ends the script with status $1, the connects still waiting stopped and reaped.
finish() {
    if [ "${#pids[@]}" -gt 0 ]; then kill "${pids[@]}" 2>/dev/null; fi
    wait 2>/dev/null
    exit "$1"
}
# The clock: reads on a pipe whose writer is this shell never return before their timeout.
exec 9<> <(:)
ticks=0
while [ "${#pids[@]}" -gt 0 ]; do
    for i in "${!pids[@]}"; do
        kill -0 "${pids[$i]}" 2>/dev/null && continue
        if wait "${pids[$i]}"; then ok=1; else ok=0; fi
        unset "pids[$i]"
        if [ "$mode" = any ] && [ "$ok" = 1 ]; then finish 0; fi
        if [ "$mode" = all ] && [ "$ok" = 0 ]; then finish 1; fi
    done
    [ "${#pids[@]}" -gt 0 ] || break
    # 20 ticks of 50 ms: the 1 s a target has to answer.
    if [ "$ticks" -ge 20 ]; then finish 1; fi
    ticks=$((ticks + 1))
    read -r -t 0.05 -u 9 _ || true
done
if [ "$mode" = all ]; then finish 0; fi
finish 1
