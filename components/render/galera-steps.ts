// The Galera steps on a node's host: wait until the node is a Synced member of a Primary
// component that holds every node started before it, and at the end of `up` that the whole
// cluster is one component of the configured size. "Synced" alone is not enough: a node that
// bootstrapped a cluster of its own says Synced too.
import { ROOT_CLIENT_CNF } from "./client-cnf";
import { GALERA_DATADIR, GALERA_NEW_CLUSTER_MARKER } from "./galera-start";
import { quote, waitFor } from "./step-scripts";

export interface GaleraMembershipWait {
    /** The container to ask. */
    readonly node: string;
    /** Addresses that must be members of its component (wsrep_incoming_addresses). */
    readonly members: readonly string[];
    /** The component must have at least this many members. */
    readonly minSize: number;
    /** How long the state must hold before the step reports success. */
    readonly holdSeconds: number;
    /** Bound on the whole wait. */
    readonly timeoutSeconds: number;
    /** What the step waits for, in its log lines. */
    readonly what: string;
}

export function galeraMembershipWait(w: GaleraMembershipWait): string {
    const n = quote(w.node);
    return `set -eu
status() {
  docker exec ${n} mysql --defaults-extra-file=${ROOT_CLIENT_CNF} -N -B -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state_comment','wsrep_cluster_status','wsrep_cluster_size','wsrep_incoming_addresses')" 2>/dev/null </dev/null
}
value() { printf '%s\\n' "$s" | awk -v k="$1" '$1 == k { print $2 }'; }
member_ok() {
  s=$(status) || return 1
  [ "$(value wsrep_local_state_comment)" = Synced ] && [ "$(value wsrep_cluster_status)" = Primary ] || return 1
  [ "$(value wsrep_cluster_size)" -ge ${w.minSize} ] 2>/dev/null || return 1
  incoming=$(value wsrep_incoming_addresses | tr ',' '\\n')
${w.members.map((a) => `  printf '%s\\n' "$incoming" | grep -q ${quote(`^${a.replace(/\./g, "\\.")}:`)} || return 1`).join("\n")}
}
held=0
held_ok() {
  if member_ok; then held=$((held + 1)); else held=0; fi
  [ "$held" -ge ${w.holdSeconds} ]
}
if ! (${waitFor(w.what, "held_ok", w.timeoutSeconds).split("\n").join("\n  ")}
); then
  s=$(status || true)
  echo "${w.node} last reported: state $(value wsrep_local_state_comment), component $(value wsrep_cluster_status), size $(value wsrep_cluster_size), members $(value wsrep_incoming_addresses)" >&2
  exit 1
fi`;
}

/**
 * Writes the one-shot new-cluster marker into the bootstrap node's volume before its first start,
 * unless the volume already holds Galera state (an existing cluster's node).
 */
export function galeraMarkerCreate(volumeName: string, image: string): string {
    return `set -eu\ndocker run --rm --network none --user 0 -v ${quote(`${volumeName}:${GALERA_DATADIR}`)} --entrypoint sh ${quote(image)} -c ${quote(
        `if [ -e ${GALERA_DATADIR}/grastate.dat ]; then echo "${volumeName} has Galera state: no new-cluster marker"; else touch ${GALERA_NEW_CLUSTER_MARKER}; echo "${volumeName}: wrote ${GALERA_NEW_CLUSTER_MARKER}"; fi`,
    )}`;
}

/** Synced, the bootstrap node has made its cluster: the marker has done its one job. */
export function galeraMarkerDrop(node: string): string {
    return `docker exec ${quote(node)} rm -f ${GALERA_NEW_CLUSTER_MARKER}\necho "removed ${GALERA_NEW_CLUSTER_MARKER}"`;
}
