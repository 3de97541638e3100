// The start wrapper every Galera container runs, rendered per node. Whether a node joins or
// starts a new cluster is decided here, at each start, from what the members report about
// themselves, never from configuration or the environment: an environment flag that says
// "bootstrap" outlives the one start it was meant for, and every later restart of that node
// with a lost or stale datadir would start a second, empty cluster.
//
// The rules, in the order the wrapper applies them:
// - a member is live only when its clustercheck answers 200 (Synced in the Primary
//   component); a live member means join, always;
// - an empty datadir bootstraps only with the one-shot marker the stack writes into the
//   bootstrap node's fresh volume, and only when no member is live or has state;
//   without the marker it joins and waits as long as it takes;
// - a node with state waits Galera's evs.inactive_timeout (plus a margin) for a live member;
//   then every member publishes its position and, once all of them have reported the same
//   cluster uuid, the most advanced bootstraps and the others join it (Galera's own recovery
//   rule, applied by every node to the same data, so exactly one bootstraps);
// - anything else waits and says why, until an operator runs ha-galera-recover.
import { Pxc, PxcNode, Topology } from "../../model/schema";
import { ROOT_CLIENT_CNF } from "./client-cnf";
import { RenderedFile, script } from "./file";
import { canonicalCidr } from "../../model/net";
import { CLUSTERCHECK_CNF_PATH, CLUSTERCHECK_SCRIPT_PATH, CLUSTERCHECK_SERVICE_USER, CLUSTERCHECK_XINETD_PATH } from "./health-services";
import { evsInactiveCheckMs, GALERA_CNF_DIR, GALERA_SST_AUTH_CNF_NAME } from "./mysql-cnf";

export const GALERA_START_PATH = "/usr/local/bin/ha-galera-start";
export const GALERA_INIT_SQL_PATH = "/etc/ha-mysql/init.sql";
export const GALERA_DATADIR = "/var/lib/mysql";
/**
 * One-shot record that the stack is creating this cluster: written into the bootstrap
 * node's volume before its container first starts, removed once that node is Synced.
 */
export const GALERA_NEW_CLUSTER_MARKER = `${GALERA_DATADIR}/ha-new-cluster`;
/**
 * TCP port on which a waiting node publishes "uuid seqno safe_to_bootstrap". Galera uses
 * 4567 (group communication), 4568 (IST) and 4444 (SST); the server 3306.
 */
export const GALERA_POSITION_PORT = 4569;
/** Galera's group communication port, the one a joiner must reach on every member. */
export const GALERA_GCOMM_PORT = 4567;
export const GALERA_RESERVED_PORTS: readonly number[] = [3306, 4444, GALERA_GCOMM_PORT, 4568];
/** How long a joiner waits for every other member's address to answer before it joins without the silent ones. */
export const GALERA_REACH_SECONDS = 10;
/** Added to evs.inactive_timeout: a peer's own eviction round and restart take a few seconds more. */
export const GALERA_PROBE_MARGIN_S = 5;
/**
 * Galera keeps gvwstate.dat while the node is in a Primary component and removes it on a clean
 * shutdown: finding it at start means the previous run crashed, and the members may still
 * count that run until they evict it.
 */
export const GALERA_VIEW_STATE = `${GALERA_DATADIR}/gvwstate.dat`;
/** Name of the request file ha-galera-recover drops into the run directory. */
export const GALERA_BOOTSTRAP_FLAG = "bootstrap-now";

export interface GaleraStartOptions {
    /** Port of the position service (GALERA_POSITION_PORT unless a test needs a free one). */
    readonly positionPort?: number;
}

/** Runtime files of the wrapper (position, bootstrap request), cleared at every start; every image runs it as root. */
export const GALERA_RUN_DIR = "/run/ha-galera";

/** The server binary that answers --wsrep-recover in each image. */
function serverBinary(flavor: Pxc["flavor"]): string {
    return flavor === "mariadb" ? "mariadbd" : "mysqld";
}

/**
 * How long a node with state looks for a Synced member before it treats the cluster as down:
 * evs.inactive_timeout as mysql-cnf.ts's evsOptions sets it (a member that lost contact is
 * declared gone only after it), plus a margin.
 */
export function galeraProbeSeconds(pxc: Pxc): number {
    return Math.ceil(Math.max(15000, 3 * pxc.suspectTimeoutMs) / 1000) + GALERA_PROBE_MARGIN_S;
}

/**
 * How long after its start a crashed node waits before joining: the members' eviction of its
 * previous run (evs.suspect_timeout, plus one inactive check period, plus a second for the view
 * install). Joining earlier puts the new run's
 * join into the same configuration change as the eviction: the members' install of the new
 * primary component fails ("Cluster configuration change in progress"), and every commit
 * stalls until the next round, about one more suspect timeout (measured in the lab over 10 node
 * kills each: client outage p95 13.6 s, 6.2 s with this wait).
 */
export function galeraEvictionSeconds(pxc: Pxc): number {
    return Math.ceil((pxc.suspectTimeoutMs + evsInactiveCheckMs(pxc.suspectTimeoutMs)) / 1000) + 1;
}

export interface GaleraScriptContext {
    readonly pxc: Pxc;
    readonly self: PxcNode;
    readonly positionPort: number;
    readonly runDir: string;
    /** The stack network's subnet: where the clustercheck's callers are. */
    readonly network: string;
}

export function galeraScriptContext(t: Topology, node: string, opts: GaleraStartOptions, who: string): GaleraScriptContext {
    const pxc = t.database.pxc;
    if (!pxc) throw new Error(`${who}: no database.pxc in the topology`);
    const self = pxc.nodes.find((n) => n.name === node);
    if (!self) throw new Error(`${who}: ${node} is not a Galera node (${pxc.nodes.map((n) => n.name).join(", ")})`);
    const positionPort = opts.positionPort ?? GALERA_POSITION_PORT;
    const taken = [...GALERA_RESERVED_PORTS, pxc.clustercheck.port];
    if (taken.includes(positionPort)) throw new Error(`${who}: position port ${positionPort} collides with a Galera, server or clustercheck port (${taken.join(", ")})`);
    return { pxc, self, positionPort, runDir: GALERA_RUN_DIR, network: t.network.subnet };
}

/** Constants and member probes both scripts share, so they judge the members alike. */
export function galeraShellCommon(c: GaleraScriptContext): string {
    return `readonly NODE=${c.self.name}
readonly SELF_IP=${c.self.ip}
# Every member, in the topology's order: the order breaks ties between equal positions.
readonly MEMBERS=(${c.pxc.nodes.map((n) => n.name).join(" ")})
readonly MEMBER_IPS=(${c.pxc.nodes.map((n) => n.ip).join(" ")})
readonly CLUSTERCHECK_PORT=${c.pxc.clustercheck.port}
readonly POSITION_PORT=${c.positionPort}
readonly RUN_DIR=\${HA_GALERA_RUN_DIR:-${c.runDir}}
readonly POLL_SECONDS=\${HA_GALERA_POLL_SECONDS:-5}
readonly POSITION_FILE=$RUN_DIR/position
readonly FLAG=$RUN_DIR/${GALERA_BOOTSTRAP_FLAG}
readonly ZERO_UUID=00000000-0000-0000-0000-000000000000

# HTTP status of a member's clustercheck, empty when nothing answers. Only 200 (Synced in the
# Primary component) means a live cluster: an open Galera port is also what a node that fell
# out of the cluster, or one still starting, shows.
clustercheck_status() {
    local line code=""
    # shellcheck disable=SC2016 # expands in the inner bash, which gets address and port as arguments
    line=$(timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" && printf "GET / HTTP/1.0\\r\\n\\r\\n" >&3 && head -n 1 <&3' \\
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
}`;
}

/** How each flavor makes an empty data directory: MariaDB's install script; mysqld --initialize for Percona's, which refuses any file in it. */
function initialiseDatadir(flavor: Pxc["flavor"]): string {
    if (flavor === "mariadb") return `mariadb-install-db --user=mysql --datadir="$DATADIR" --skip-test-db >/dev/null`;
    return `# mysqld --initialize refuses a data directory with any file in it: the marker steps aside
  # while it runs and comes back after, so it is still there if the initialisation fails.
  had_marker=0
  if [ -f "$MARKER" ]; then had_marker=1; mv -f "$MARKER" "$RUN_DIR/new-cluster-marker"; fi
  initialised=0
  if mysqld --initialize-insecure --user=mysql --datadir="$DATADIR" >"$RUN_DIR/initialise.log" 2>&1; then initialised=1; fi
  if [ "$had_marker" = 1 ]; then mv -f "$RUN_DIR/new-cluster-marker" "$MARKER"; fi
  if [ "$initialised" = 0 ]; then
    log "mysqld --initialize-insecure failed; its last lines:"
    tail -n 20 "$RUN_DIR/initialise.log" >&2
    exit 1
  fi`;
}

/**
 * Every flavor starts its server the same way: this wrapper, running as root, initialises an
 * empty data directory only on a bootstrap, hands the uploaded 0600 files to mysql, starts the
 * clustercheck service, and execs the server with --wsrep-new-cluster and the users file, or
 * with the members to join. The Percona images' own entrypoint is not used: it would take the
 * passwords from the environment, and with CLUSTER_JOIN empty it leaves the rendered gcomm://
 * list of every member in force without --wsrep-new-cluster, so a new cluster cannot form.
 */
function startServer(c: GaleraScriptContext): string {
    const server = serverBinary(c.pxc.flavor);
    return `if [ "$decision" = bootstrap ] && [ ! -d "$DATADIR/mysql" ]; then
  log "initialising an empty data directory"
  ${initialiseDatadir(c.pxc.flavor)}
fi
chown -R mysql:mysql "$DATADIR"
# Uploaded files arrive owned by root; these 0600 ones are read by processes running as mysql
# (${server} reads --init-file after dropping to mysql; the clustercheck service; the SST script).
for f in ${GALERA_INIT_SQL_PATH} ${CLUSTERCHECK_CNF_PATH} ${GALERA_CNF_DIR[c.pxc.flavor]}/${GALERA_SST_AUTH_CNF_NAME}; do if [ -f "$f" ]; then chown mysql:mysql "$f"; fi; done
# The clustercheck HTTP service HAProxy polls (its files are uploaded with this script): xinetd
# where the image has it, else socat on this node's address, answering the network only.
if command -v xinetd >/dev/null && [ -f ${CLUSTERCHECK_XINETD_PATH} ]; then
  xinetd -pidfile /run/xinetd.pid
elif command -v socat >/dev/null; then
  socat "TCP-LISTEN:$CLUSTERCHECK_PORT,bind=$SELF_IP,fork,reuseaddr,range=${canonicalCidr(c.network)}" "EXEC:${CLUSTERCHECK_SCRIPT_PATH},su=${CLUSTERCHECK_SERVICE_USER}" </dev/null >/dev/null 2>&1 &
else
  log "neither xinetd nor socat in the image: no clustercheck on port $CLUSTERCHECK_PORT, so HAProxy and the other members see this node as down"
fi
start_watchdog
if [ "$decision" = bootstrap ]; then
  # The users file is idempotent (CREATE IF NOT EXISTS, then ALTER): every bootstrap applies it.
  exec ${server} --user=mysql --wsrep-new-cluster --init-file=${GALERA_INIT_SQL_PATH} "$@"
fi
exec ${server} --user=mysql --wsrep_cluster_address="gcomm://$join" "$@"`;
}

export function renderGaleraStart(t: Topology, node: string, opts: GaleraStartOptions = {}): RenderedFile {
    const c = galeraScriptContext(t, node, opts, "renderGaleraStart");
    const flavor = c.pxc.flavor;
    const server = serverBinary(flavor);
    const probe = galeraProbeSeconds(c.pxc);
    return script(
        GALERA_START_PATH,
        `#!/bin/bash
# ha-galera-start for Galera node ${c.self.name} (${c.self.ip}) of cluster ${c.pxc.clusterName} (${flavor}).
# Rendered by ha-mysql from the stack topology: edit the stack, not this file.
#
# Decides at every start whether this node joins the cluster or starts a new one:
# - it joins when any member's clustercheck (port ${c.pxc.clustercheck.port}) answers 200: Synced in the Primary component;
# - an empty datadir starts a new cluster only with the marker ${GALERA_NEW_CLUSTER_MARKER} (the stack
#   writes it into the bootstrap node's new volume) and when no member is Synced or has state;
#   without the marker it only ever joins;
# - with state it looks ${probe}s (evs.inactive_timeout plus a margin) for a Synced member; then it
#   publishes its position ("uuid seqno safe_to_bootstrap") on port ${c.positionPort} and reads every member's:
#   when all report the same cluster uuid, the most advanced (highest seqno, then safe_to_bootstrap 1,
#   then member order) bootstraps and the others join it;
# - otherwise it waits and logs what is missing; \`ha-galera-recover [--force]\` (docker exec) decides by hand.
# A node whose previous run crashed (gvwstate.dat left) joins only once the members have evicted that run.
# A joiner first waits up to ${GALERA_REACH_SECONDS}s for every other member's address to answer on port ${GALERA_GCOMM_PORT}.
# Before it execs the server it starts a watchdog that stops the server (SIGTERM) when the node has
# been out of a Primary component for a grace period, so Docker's restart policy brings it back here.
#
# Test hooks (environment; the defaults are the rendered values): HA_GALERA_DATADIR,
# HA_GALERA_RUN_DIR, HA_GALERA_PROBE_SECONDS, HA_GALERA_POLL_SECONDS, HA_GALERA_EVICTION_SECONDS,
# HA_GALERA_REACH_SECONDS, HA_GALERA_WATCHDOG_GRACE_SECONDS, HA_GALERA_WATCHDOG_START_SECONDS,
# HA_GALERA_WATCHDOG_INTERVAL_SECONDS.
set -euo pipefail

${galeraShellCommon(c)}

readonly DATADIR=\${HA_GALERA_DATADIR:-${GALERA_DATADIR}}
readonly PROBE_SECONDS=\${HA_GALERA_PROBE_SECONDS:-${probe}}
# Out of a Primary component this long (not joining, no state transfer) stops the server.
readonly WATCHDOG_GRACE=\${HA_GALERA_WATCHDOG_GRACE_SECONDS:-60}
# A server that has not answered yet is starting (crash recovery, waiting for its state transfer).
readonly WATCHDOG_START=\${HA_GALERA_WATCHDOG_START_SECONDS:-300}
readonly WATCHDOG_INTERVAL=\${HA_GALERA_WATCHDOG_INTERVAL_SECONDS:-5}
readonly GRASTATE=$DATADIR/grastate.dat
readonly VIEW_STATE=$DATADIR/${GALERA_VIEW_STATE.slice(GALERA_DATADIR.length + 1)}
# A crashed node's previous run is evicted this long after it died (galeraEvictionSeconds).
readonly EVICTION_SECONDS=\${HA_GALERA_EVICTION_SECONDS:-${galeraEvictionSeconds(c.pxc)}}
readonly MARKER=$DATADIR/${GALERA_NEW_CLUSTER_MARKER.slice(GALERA_DATADIR.length + 1)}
readonly REACH_SECONDS=\${HA_GALERA_REACH_SECONDS:-${GALERA_REACH_SECONDS}}

log() { echo "ha-galera-start: $*" >&2; }

# A wait can last hours: say a waiting message when it changes, else once a minute.
last_said=""
last_said_at=0
say() {
    if [ "$1" != "$last_said" ] || [ $((SECONDS - last_said_at)) -ge 60 ]; then
        log "$1"
        last_said=$1
        last_said_at=$SECONDS
    fi
}

grastate_field() { sed -n "s/^$1:[[:space:]]*//p" "$GRASTATE" 2>/dev/null | head -n 1; }

# The position service: each connection gets the content of $POSITION_FILE. Restarted when
# it died (a bind that failed while an old socket lingered), stopped before the server starts.
position_pid=""
publish_position() {
    printf '%s\\n' "$1" >"$POSITION_FILE.tmp"
    mv -f "$POSITION_FILE.tmp" "$POSITION_FILE"
    keep_publishing
}
keep_publishing() {
    if [ -n "$position_pid" ] && kill -0 "$position_pid" 2>/dev/null; then return 0; fi
    socat "TCP-LISTEN:$POSITION_PORT,bind=$SELF_IP,fork,reuseaddr" "SYSTEM:cat $POSITION_FILE" </dev/null >/dev/null 2>&1 &
    position_pid=$!
    sleep 0.2
    if ! kill -0 "$position_pid" 2>/dev/null; then
        say "cannot publish this node's position on $SELF_IP:$POSITION_PORT (socat exited): the other members cannot see it"
    fi
}
stop_publishing() {
    if [ -n "$position_pid" ]; then
        kill "$position_pid" 2>/dev/null || true
        wait "$position_pid" 2>/dev/null || true
        position_pid=""
    fi
    rm -f "$POSITION_FILE"
}
trap stop_publishing EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

decision=""
join=""

join_via() {
    local name=$1 ip=$2 other
    join=$ip
    for other in "\${MEMBER_IPS[@]}"; do
        if [ "$other" != "$ip" ] && [ "$other" != "$SELF_IP" ]; then join="$join,$other"; fi
    done
    decision="join"
    if [ -f "$FLAG" ]; then
        rm -f "$FLAG"
        log "ignoring the bootstrap request of ha-galera-recover: $name is Synced"
    fi
    log "joining the cluster through $name ($ip answers clustercheck 200: Synced in the Primary component); cluster address gcomm://$join"
}

# Joins the first other member whose clustercheck answers 200; fails when none does.
join_synced_member() {
    local i
    for i in "\${!MEMBERS[@]}"; do
        if [ "\${MEMBERS[i]}" = "$NODE" ]; then continue; fi
        if [ "$(clustercheck_status "\${MEMBER_IPS[i]}")" = 200 ]; then
            join_via "\${MEMBERS[i]}" "\${MEMBER_IPS[i]}"
            return 0
        fi
    done
    return 1
}

# ha-galera-recover's request, taken only in a round in which no member was Synced.
take_bootstrap_request() {
    if [ ! -f "$FLAG" ]; then return 1; fi
    rm -f "$FLAG"
    log "ha-galera-recover asked for a new cluster from this node and no member is Synced: bootstrapping"
    decision=bootstrap
}

# Whether a member's address answers on the group communication port: a connection, or a refusal
# (nothing listening yet), both prove the route works both ways; no route or no answer does not.
member_reachable() {
    local err
    # shellcheck disable=SC2016 # expands in the inner bash, which gets address and port as arguments
    if err=$(timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" ${GALERA_GCOMM_PORT} 2>&1); then return 0; fi
    [[ $err == *refused* ]]
}

# A restarted container's address can take seconds to reach every other host again (on a swarm
# overlay the other hosts learn its new endpoint by gossip). A joiner that reaches only some members
# is suspected by the others round after round, and every round stalls their commits: it waits up
# to REACH_SECONDS for every other member, then joins without the silent ones (down or cut off).
wait_for_reachable_members() {
    local deadline=$((SECONDS + REACH_SECONDS + 1)) i silent waited=0
    while :; do
        silent=()
        for i in "\${!MEMBERS[@]}"; do
            if [ "\${MEMBERS[$i]}" != "$NODE" ] && ! member_reachable "\${MEMBER_IPS[$i]}"; then silent+=("\${MEMBERS[$i]}"); fi
        done
        if [ "\${#silent[@]}" -eq 0 ]; then
            if [ "$waited" = 1 ]; then log "every member answers on port ${GALERA_GCOMM_PORT}: joining"; fi
            return 0
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            log "\${silent[*]} still not answering on port ${GALERA_GCOMM_PORT} after \${REACH_SECONDS}s (down or cut off): joining without them"
            return 0
        fi
        if [ "$waited" = 0 ]; then log "\${silent[*]} not answering on port ${GALERA_GCOMM_PORT} yet: waiting up to \${REACH_SECONDS}s before joining, so every member can reach this node"; fi
        waited=1
        sleep 0.5
    done
}

# Probes for a Synced member for PROBE_SECONDS; fails when none appeared. SECONDS counts
# whole seconds, so the deadline is one more: the window is never shorter than asked.
probe_for_synced_member() {
    local deadline=$((SECONDS + PROBE_SECONDS + 1))
    while :; do
        if join_synced_member; then return 0; fi
        if [ "$SECONDS" -ge "$deadline" ]; then return 1; fi
        sleep "$POLL_SECONDS"
    done
}

# No state: join whenever a member is Synced; never bootstrap unless an operator asks.
wait_for_synced_member() {
    while :; do
        if join_synced_member || take_bootstrap_request; then return 0; fi
        keep_publishing
        say "$1: waiting for a member to answer clustercheck 200 (Synced in the Primary component) to join it; this node never bootstraps by itself (ha-galera-recover --force would, with an empty cluster)"
        sleep "$POLL_SECONDS"
    done
}

# Empty datadir with the marker: a new cluster, unless some member is Synced or has state.
probe_for_new_cluster() {
    local deadline=$((SECONDS + PROBE_SECONDS + 1)) i pos
    while :; do
        if join_synced_member; then return 0; fi
        for i in "\${!MEMBERS[@]}"; do
            if [ "\${MEMBERS[i]}" = "$NODE" ]; then continue; fi
            pos=$(member_position "\${MEMBER_IPS[i]}")
            if [ -n "$pos" ] && [ "\${pos%% *}" != "$ZERO_UUID" ]; then
                log "the new-cluster marker is stale: \${MEMBERS[i]} (\${MEMBER_IPS[i]}) has state ($pos), so the cluster exists and this node must not start another"
                wait_for_synced_member "empty datadir, and the cluster exists"
                return 0
            fi
        done
        if [ "$SECONDS" -ge "$deadline" ]; then
            log "empty datadir, the new-cluster marker $MARKER, and for \${PROBE_SECONDS}s no member Synced or with state: bootstrapping a new cluster"
            decision=bootstrap
            return 0
        fi
        sleep "$POLL_SECONDS"
    done
}

# Reads the position InnoDB holds when grastate.dat has none (seqno -1 after a crash).
recover_position() {
    local out=$RUN_DIR/wsrep-recover.log found
    : >"$out"
    chown -R mysql:mysql "$DATADIR" "$out"
    log "grastate.dat has seqno -1 (the server did not save its position): asking ${server} --wsrep-recover"
    if ! timeout 900 ${server} --user=mysql --wsrep-recover --log-error="$out" "$@" >>"$out" 2>&1; then
        log "${server} --wsrep-recover failed; its last lines:"
        tail -n 20 "$out" >&2 || true
    fi
    found=$(grep -o 'WSREP: Recovered position: [0-9a-f-]\\{36\\}:-\\{0,1\\}[0-9]\\{1,\\}' "$out" | tail -n 1) || true
    if [ -z "$found" ]; then
        log "--wsrep-recover printed no position: this node's position stays unknown (seqno -1)"
        return 0
    fi
    found=\${found##*: }
    if [ "\${found%%:*}" != "$uuid" ]; then log "the recovered cluster uuid \${found%%:*} differs from grastate.dat's $uuid"; fi
    uuid=\${found%%:*}
    seqno=\${found##*:}
    log "recovered position $uuid:$seqno"
}

# The whole cluster is down: bootstrap only when every member reported a position of the same
# cluster and this one is the most advanced; join once the one that is starts.
wait_for_all_members() {
    local i name ip pos u s f best best_seqno best_safe known missing differ
    while :; do
        if join_synced_member || take_bootstrap_request; then return 0; fi
        keep_publishing
        best="" best_seqno=-1 best_safe=0 known="" missing="" differ=""
        for i in "\${!MEMBERS[@]}"; do
            name=\${MEMBERS[i]} ip=\${MEMBER_IPS[i]}
            if [ "$name" = "$NODE" ]; then pos="$uuid $seqno $safe"; else pos=$(member_position "$ip"); fi
            if [ -z "$pos" ]; then
                missing="$missing, $name ($ip publishes no position on port $POSITION_PORT: not waiting, or running a server)"
                continue
            fi
            read -r u s f <<<"$pos"
            known="$known, $name $u:$s safe_to_bootstrap=$f"
            if [ "$u" = "$ZERO_UUID" ]; then missing="$missing, $name (no state: it needs a full state transfer)"; continue; fi
            if [ "$s" -lt 0 ]; then missing="$missing, $name (its position is unknown: --wsrep-recover found none)"; continue; fi
            if [ "$u" != "$uuid" ]; then differ="$differ, $name has cluster $u"; continue; fi
            if [ -z "$best" ] || [ "$s" -gt "$best_seqno" ] || { [ "$s" -eq "$best_seqno" ] && [ "$f" -gt "$best_safe" ]; }; then
                best=$name best_seqno=$s best_safe=$f
            fi
        done
        if [ -n "$differ" ]; then
            say "no automatic bootstrap: the members come from different clusters (this node has $uuid\${differ}); positions: \${known#, }. Choose the cluster to keep and run ha-galera-recover on its most advanced member (docker exec <node> ha-galera-recover)"
        elif [ -n "$missing" ]; then
            say "no member is Synced, and no automatic bootstrap until every member reports its position; missing: \${missing#, }; known: \${known#, }. If the missing ones cannot come back, run ha-galera-recover on the most advanced member that can (docker exec <node> ha-galera-recover)"
        elif [ "$best" = "$NODE" ]; then
            log "every member reported its position in cluster $uuid (\${known#, }) and this node is the most advanced: bootstrapping from it"
            decision=bootstrap
            return 0
        else
            say "every member reported its position in cluster $uuid (\${known#, }): $best is the most advanced; waiting for it to bootstrap, then joining it"
        fi
        sleep "$POLL_SECONDS"
    done
}

# The watchdog: a node that fell out of the cluster keeps mysqld running (Initialized,
# wsrep_ready OFF) and Docker's restart policy never acts. Stopping the server sends it back
# through this script, which rejoins. It checks that the server still runs on every round,
# so it ends with it.
watchdog() {
    set +e
    local server=$1 started=$SECONDS answered="" bad_since="" client status comment cluster ready reason
    client=$(command -v mariadb || command -v mysql) || { log "watchdog: no mysql client, so nothing watches this node"; return 0; }
    while sleep "$WATCHDOG_INTERVAL"; do
        kill -0 "$server" 2>/dev/null || return 0
        status=$(timeout 10 "$client" --defaults-extra-file=${ROOT_CLIENT_CNF} --connect-timeout=5 --batch --skip-column-names \\
            -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state_comment','wsrep_cluster_status','wsrep_ready');" 2>/dev/null)
        comment=$(printf '%s\\n' "$status" | awk -F '\\t' 'tolower($1) == "wsrep_local_state_comment" { print $2 }')
        cluster=$(printf '%s\\n' "$status" | awk -F '\\t' 'tolower($1) == "wsrep_cluster_status" { print $2 }')
        ready=$(printf '%s\\n' "$status" | awk -F '\\t' 'tolower($1) == "wsrep_ready" { print $2 }')
        reason=""
        if pgrep -f 'wsrep_sst_' >/dev/null 2>&1; then
            reason=""
        elif [ -z "$comment" ]; then
            if [ -n "$answered" ] || [ $((SECONDS - started)) -ge "$WATCHDOG_START" ]; then reason="the server does not answer"; fi
        else
            answered=1
            case "$comment" in
                Joiner | Joining* | Joined) ;;
                Synced | Donor* | Desynced)
                    if [ "$cluster" != Primary ] || [ "$ready" != ON ]; then reason="state $comment, cluster status $cluster, wsrep_ready $ready"; fi ;;
                *) reason="state $comment, cluster status \${cluster:-unknown}, wsrep_ready \${ready:-unknown}" ;;
            esac
        fi
        if [ -z "$reason" ]; then
            if [ -n "$bad_since" ]; then log "watchdog: the node is a cluster member again ($comment)"; fi
            bad_since=""
            continue
        fi
        if [ -z "$bad_since" ]; then
            bad_since=$SECONDS
            log "watchdog: not a member of a Primary component ($reason); stopping the server if this lasts \${WATCHDOG_GRACE}s"
        fi
        if [ $((SECONDS - bad_since)) -ge "$WATCHDOG_GRACE" ]; then
            log "watchdog: out of the Primary component for $((SECONDS - bad_since))s ($reason): stopping the server (SIGTERM to $server) so Docker's restart policy starts the container again and ha-galera-start rejoins"
            kill -TERM "$server"
            bad_since=""
        fi
    done
}

# The server is exec'd in place of this shell: its PID is this shell's.
start_watchdog() {
    watchdog "$$" </dev/null &
}

mkdir -p "$RUN_DIR"
# Left from an earlier run of this container: a request or a position is for one wait only.
rm -f "$FLAG" "$POSITION_FILE"

uuid=""
seqno=-1
safe=0
if [ -f "$GRASTATE" ]; then
    uuid=$(grastate_field uuid)
    seqno=$(grastate_field seqno)
    safe=$(grastate_field safe_to_bootstrap)
fi
if ! [[ $seqno =~ ^-?[0-9]+$ ]]; then seqno=-1; fi
if [ "$safe" != 1 ]; then safe=0; fi

if [ -n "$uuid" ] && [ "$uuid" != "$ZERO_UUID" ]; then
    log "this node has state: cluster $uuid, seqno $seqno, safe_to_bootstrap $safe (a tie-breaker only: it never bootstraps by itself)"
    if [ -f "$MARKER" ]; then log "ignoring $MARKER: the new-cluster marker counts only on an empty datadir"; fi
    log "looking for a Synced member for \${PROBE_SECONDS}s before treating the cluster as down"
    if ! probe_for_synced_member; then
        if [ "$seqno" -lt 0 ]; then recover_position "$@"; fi
        publish_position "$uuid $seqno $safe"
        log "no member is Synced after \${PROBE_SECONDS}s: publishing this node's position $uuid:$seqno on $SELF_IP:$POSITION_PORT and reading every member's"
        wait_for_all_members
    fi
elif [ -f "$MARKER" ]; then
    publish_position "$ZERO_UUID -1 0"
    log "empty datadir and the new-cluster marker $MARKER: looking \${PROBE_SECONDS}s for a Synced member, or one with state, before starting a new cluster"
    probe_for_new_cluster
else
    publish_position "$ZERO_UUID -1 0"
    log "empty datadir and no new-cluster marker: this node joins an existing cluster by state transfer"
    wait_for_synced_member "empty datadir"
fi

if [ "$decision" = bootstrap ] && [ -f "$GRASTATE" ]; then
    # Galera refuses --wsrep-new-cluster from a node not marked safe; the decision above is what makes it safe.
    if grep -q '^safe_to_bootstrap:' "$GRASTATE"; then
        sed -i 's/^safe_to_bootstrap:.*/safe_to_bootstrap: 1/' "$GRASTATE"
    else
        echo 'safe_to_bootstrap: 1' >>"$GRASTATE"
    fi
fi
stop_publishing
trap - EXIT TERM INT
if [ "$decision" = join ] && [ -f "$VIEW_STATE" ] && [ "$SECONDS" -lt "$EVICTION_SECONDS" ]; then
    log "$VIEW_STATE is left from a run that did not shut down cleanly: the members count that run until they evict it; joining after \${EVICTION_SECONDS}s so the join does not collide with the eviction"
    sleep $((EVICTION_SECONDS - SECONDS))
fi
if [ "$decision" = join ]; then wait_for_reachable_members; fi
${startServer(c)}
`,
    );
}
