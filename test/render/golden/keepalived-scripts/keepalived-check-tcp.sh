#!/bin/bash
# keepalived vrrp_script: exit 0 when all (or any) HOST:PORT targets accept a TCP connection.
# Usage: check-tcp.sh all|any HOST:PORT...
set -u
mode=${1:-}
case $mode in
    all | any) shift ;;
    *) echo "usage: check-tcp.sh all|any HOST:PORT..." >&2; exit 2 ;;
esac
[ $# -gt 0 ] || exit 2

answers() {
    # $0 and $1 of the inner bash are the host and the port.
    # shellcheck disable=SC2016
    timeout 1 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "${1%:*}" "${1##*:}" 2>/dev/null
}

if [ "$mode" = any ]; then
    # All at once: a round costs one timeout however many targets are cut off, which is what
    # the isolation check (every reference unreachable) measures.
    pids=()
    for target in "$@"; do
        answers "$target" &
        pids+=("$!")
    done
    for pid in "${pids[@]}"; do
        if wait "$pid"; then exit 0; fi
    done
    exit 1
fi

for target in "$@"; do
    answers "$target" || exit 1
done
exit 0
