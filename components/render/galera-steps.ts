// The Galera steps on a node's host: wait until the node is a Synced member of a Primary
// component that holds every node started before it, and at the end of `up` that the whole
// cluster is one component of the configured size. "Synced" alone is not enough: a node that
// bootstrapped a cluster of its own says Synced too.
import { ROOT_CLIENT_CNF } from "./client-cnf";
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
    const members = w.members.map(quote).join(" ");
    return `set -eu
status() {
  docker exec ${n} mysql --defaults-extra-file=${ROOT_CLIENT_CNF} -N -B -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state_comment','wsrep_cluster_status','wsrep_cluster_size','wsrep_incoming_addresses')" 2>/dev/null </dev/null
}
value() { printf '%s\\n' "$s" | awk -v k="$1" '$1 == k { print $2 }'; }
member_ok() {
  s=$(status) || return 1
  [ "$(value wsrep_local_state_comment)" = Synced ] && [ "$(value wsrep_cluster_status)" = Primary ] || return 1
  [ "$(value wsrep_cluster_size)" -ge ${w.minSize} ] 2>/dev/null || return 1
  for a in ${members}; do
    printf '%s\\n' "$(value wsrep_incoming_addresses)" | tr ',' '\\n' | grep -q "^$a:" || return 1
  done
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
