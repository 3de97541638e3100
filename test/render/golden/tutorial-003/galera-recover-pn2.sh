#!/bin/bash
# ha-galera-recover for Galera node pn2 (172.18.0.3) of cluster pxc.
# Rendered by ha-mysql from the stack topology: edit the stack, not this file.
#
#   docker exec pn2 ha-galera-recover [--force]
#
# Bootstraps the cluster from this node by hand, while /usr/local/bin/ha-galera-start waits because no
# member is Synced and it cannot decide alone (a member is missing, has no state, or comes from
# another cluster). Refuses when a member is Synced (this node joins it by itself), and, unless
# --force, when a reachable member is more advanced, has data from another cluster, or this
# node has no data: bootstrapping then loses what only the others have.
# Test hooks (environment): HA_GALERA_RUN_DIR, HA_GALERA_POLL_SECONDS.
set -euo pipefail

readonly NODE=pn2
readonly SELF_IP=172.18.0.3
# Every member, in the topology's order: the order breaks ties between equal positions.
readonly MEMBERS=(pn1 pn2 pn3 pn4 pn5)
readonly MEMBER_IPS=(172.18.0.2 172.18.0.3 172.18.0.4 172.18.0.5 172.18.0.6)
readonly CLUSTERCHECK_PORT=9200
readonly POSITION_PORT=4569
readonly RUN_DIR=${HA_GALERA_RUN_DIR:-/run/ha-galera}
readonly POLL_SECONDS=${HA_GALERA_POLL_SECONDS:-5}
readonly POSITION_FILE=$RUN_DIR/position
readonly FLAG=$RUN_DIR/bootstrap-now
readonly ZERO_UUID=00000000-0000-0000-0000-000000000000

# HTTP status of a member's clustercheck, empty when nothing answers. Only 200 (Synced in the
# Primary component) means a live cluster: an open Galera port is also what a node that fell
# out of the cluster, or one still starting, shows.
clustercheck_status() {
    local line code=""
    # shellcheck disable=SC2016 # expands in the inner bash, which gets address and port as arguments
    line=$(timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" && printf "GET / HTTP/1.0\r\n\r\n" >&3 && head -n 1 <&3' \
        _ "$1" "$CLUSTERCHECK_PORT" 2>/dev/null) || true
    read -r _ code _ <<<"$line" || true
    echo "$code"
}

# The "uuid seqno safe_to_bootstrap" line a waiting member publishes, empty when it publishes none.
member_position() {
    local line re='^[0-9a-f-]{36} -?[0-9]+ [01]$'
    # shellcheck disable=SC2016 # expands in the inner bash, which gets address and port as arguments
    line=$(timeout 3 bash -c 'exec 3<"/dev/tcp/$1/$2" && head -n 1 <&3' _ "$1" "$POSITION_PORT" 2>/dev/null) || true
    if [[ $line =~ $re ]]; then echo "$line"; fi
}

refuse() { echo "ha-galera-recover: refusing: $*" >&2; exit 1; }

force=0
case "${1:-}" in
    "") ;;
    --force) force=1 ;;
    *) echo "usage: ha-galera-recover [--force]" >&2; exit 2 ;;
esac

if [ ! -f "$POSITION_FILE" ]; then
    refuse "ha-galera-start on $NODE is not waiting for a bootstrap decision (the server runs, or it is still looking for a Synced member): nothing to do"
fi
read -r own_uuid own_seqno own_safe <"$POSITION_FILE"

for i in "${!MEMBERS[@]}"; do
    if [ "${MEMBERS[i]}" = "$NODE" ]; then continue; fi
    if [ "$(clustercheck_status "${MEMBER_IPS[i]}")" = 200 ]; then
        refuse "the cluster has a Primary component at ${MEMBERS[i]} ${MEMBER_IPS[i]}: this node joins it by itself"
    fi
done

echo "positions (cluster uuid, seqno, safe_to_bootstrap):"
echo "  $NODE $SELF_IP (this node): $own_uuid $own_seqno $own_safe"
blockers=()
if [ "$own_uuid" = "$ZERO_UUID" ]; then blockers+=("this node has no data: bootstrapping it starts an EMPTY cluster"); fi
if [ "$own_uuid" != "$ZERO_UUID" ] && [ "$own_seqno" -lt 0 ]; then blockers+=("this node's position is unknown (--wsrep-recover found none)"); fi
for i in "${!MEMBERS[@]}"; do
    name=${MEMBERS[i]} ip=${MEMBER_IPS[i]}
    if [ "$name" = "$NODE" ]; then continue; fi
    pos=$(member_position "$ip")
    if [ -z "$pos" ]; then
        echo "  $name $ip: no answer on port $POSITION_PORT (its position is unknown: make sure it is not more advanced)"
        continue
    fi
    echo "  $name $ip: $pos"
    read -r u s _ <<<"$pos"
    if [ "$u" = "$ZERO_UUID" ]; then continue; fi
    if [ "$own_uuid" = "$ZERO_UUID" ]; then
        blockers+=("$name $ip has data ($u:$s)")
    elif [ "$u" != "$own_uuid" ]; then
        blockers+=("$name $ip has data from another cluster ($u:$s)")
    elif [ "$s" -gt "$own_seqno" ]; then
        blockers+=("$name $ip is more advanced (seqno $s, this node $own_seqno): run ha-galera-recover there")
    fi
done

if [ "${#blockers[@]}" -gt 0 ]; then
    if [ "$force" != 1 ]; then
        for b in "${blockers[@]}"; do echo "ha-galera-recover: refusing: $b" >&2; done
        echo "ha-galera-recover: add --force to bootstrap from $NODE anyway; transactions only the others have are then lost" >&2
        exit 1
    fi
    for b in "${blockers[@]}"; do echo "ha-galera-recover: --force: bootstrapping although $b" >&2; done
fi

: >"$FLAG"
echo "asked ha-galera-start on $NODE to bootstrap a new cluster from this node; the other members join it by themselves"
for _ in $(seq 1 $((POLL_SECONDS * 3 + 5))); do
    if [ ! -f "$FLAG" ]; then
        echo "ha-galera-start took the request"
        exit 0
    fi
    sleep 1
done
echo "ha-galera-start has not taken the request yet; it does at its next round (see the container log)"
