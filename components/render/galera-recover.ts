// The operator's command for a cluster that cannot bootstrap by itself (a member lost its
// data, or will not come back): `docker exec <node> ha-galera-recover [--force]`. It never
// starts anything itself; it checks that bootstrapping from this node loses nothing it can
// see, then asks the waiting start wrapper to do it, which checks once more that no member is
// Synced before it does.
import { Topology } from "../../model/schema";
import { RenderedFile, script } from "./file";
import { GALERA_START_PATH, GaleraStartOptions, galeraScriptContext, galeraShellCommon } from "./galera-start";

export const GALERA_RECOVER_PATH = "/usr/local/bin/ha-galera-recover";

export function renderGaleraRecover(t: Topology, node: string, opts: GaleraStartOptions = {}): RenderedFile {
    const c = galeraScriptContext(t, node, opts, "renderGaleraRecover");
    return script(
        GALERA_RECOVER_PATH,
        `#!/bin/bash
# ha-galera-recover for Galera node ${c.self.name} (${c.self.ip}) of cluster ${c.pxc.clusterName}.
# Rendered by ha-mysql from the stack topology: edit the stack, not this file.
#
#   docker exec ${c.self.name} ha-galera-recover [--force]
#
# Bootstraps the cluster from this node by hand, while ${GALERA_START_PATH} waits because no
# member is Synced and it cannot decide alone (a member is missing, has no state, or comes from
# another cluster). Refuses when a member is Synced (this node joins it by itself), and, unless
# --force, when a reachable member is more advanced, has data from another cluster, or this
# node has no data: bootstrapping then loses what only the others have.
# Test hooks (environment): HA_GALERA_RUN_DIR, HA_GALERA_POLL_SECONDS.
set -euo pipefail

${galeraShellCommon(c)}

refuse() { echo "ha-galera-recover: refusing: $*" >&2; exit 1; }

force=0
case "\${1:-}" in
    "") ;;
    --force) force=1 ;;
    *) echo "usage: ha-galera-recover [--force]" >&2; exit 2 ;;
esac

if [ ! -f "$POSITION_FILE" ]; then
    refuse "ha-galera-start on $NODE is not waiting for a bootstrap decision (the server runs, or it is still looking for a Synced member): nothing to do"
fi
read -r own_uuid own_seqno own_safe <"$POSITION_FILE"

for i in "\${!MEMBERS[@]}"; do
    if [ "\${MEMBERS[i]}" = "$NODE" ]; then continue; fi
    if [ "$(clustercheck_status "\${MEMBER_IPS[i]}")" = 200 ]; then
        refuse "the cluster has a Primary component at \${MEMBERS[i]} \${MEMBER_IPS[i]}: this node joins it by itself"
    fi
done

echo "positions (cluster uuid, seqno, safe_to_bootstrap):"
echo "  $NODE $SELF_IP (this node): $own_uuid $own_seqno $own_safe"
blockers=()
if [ "$own_uuid" = "$ZERO_UUID" ]; then blockers+=("this node has no data: bootstrapping it starts an EMPTY cluster"); fi
if [ "$own_uuid" != "$ZERO_UUID" ] && [ "$own_seqno" -lt 0 ]; then blockers+=("this node's position is unknown (--wsrep-recover found none)"); fi
for i in "\${!MEMBERS[@]}"; do
    name=\${MEMBERS[i]} ip=\${MEMBER_IPS[i]}
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

if [ "\${#blockers[@]}" -gt 0 ]; then
    if [ "$force" != 1 ]; then
        for b in "\${blockers[@]}"; do echo "ha-galera-recover: refusing: $b" >&2; done
        echo "ha-galera-recover: add --force to bootstrap from $NODE anyway; transactions only the others have are then lost" >&2
        exit 1
    fi
    for b in "\${blockers[@]}"; do echo "ha-galera-recover: --force: bootstrapping although $b" >&2; done
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
`,
    );
}
