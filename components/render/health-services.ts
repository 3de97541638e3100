// Small HTTP status services that xinetd runs per connection, so HAProxy's httpchk
// sees whether a node can really serve: clustercheck on Galera nodes, mycat_status
// on MyCat nodes. Each answers 200 (serving) or 503 (do not send traffic here).
import { Topology } from "../../model/schema";
import { canonicalCidr } from "../../model/net";
import { optionFileValue } from "./escape";
import { file, RenderedFile, script } from "./file";
import { secretOf } from "./secrets";

export const CLUSTERCHECK_SCRIPT_PATH = "/usr/local/bin/clustercheck";
/** The clustercheck user's credentials, read by the client with --defaults-extra-file. */
export const CLUSTERCHECK_CNF_PATH = "/etc/mysql/clustercheck.cnf";
export const CLUSTERCHECK_XINETD_PATH = "/etc/xinetd.d/mysqlchk";
/**
 * xinetd runs clustercheck as this user; the 0600 credentials file must belong to it
 * (RenderedFile carries no owner, so the component chowns it).
 */
export const CLUSTERCHECK_SERVICE_USER = "mysql";
export const MYCAT_STATUS_SCRIPT_PATH = "/usr/local/bin/mycat_status";
export const MYCAT_STATUS_XINETD_PATH = "/etc/xinetd.d/mycat_status";
/** mycat_status needs no credentials, so it runs with none. */
export const MYCAT_STATUS_SERVICE_USER = "nobody";

export interface ClustercheckOptions {
    /**
     * Report a Donor/Desynced node (wsrep_local_state 2) as available. Safe only for an SST
     * method that keeps the donor writable (xtrabackup-v2, mariabackup), never for rsync.
     */
    readonly availableWhenDonor?: boolean;
}

/** Bash helpers shared by both scripts: drain the request, answer with a complete HTTP response. */
const HTTP_REPLY = `# Read the request (up to its blank line) before answering: closing a socket with
# unread data sends a reset, which can destroy the response before HAProxy reads it.
while IFS= read -r -t 1 line; do
    line=\${line%$'\\r'}
    [ -z "$line" ] && break
done

reply() {
    local status=$1 body=$2
    printf 'HTTP/1.1 %s\\r\\nContent-Type: text/plain\\r\\nConnection: close\\r\\nContent-Length: %d\\r\\n\\r\\n%s\\n' \\
        "$status" "$(( \${#body} + 1 ))" "$body"
    exit 0
}`;

interface XinetdService {
    readonly name: string;
    readonly port: number;
    readonly user: string;
    readonly server: string;
    readonly onlyFrom: string[];
}

function xinetdService(s: XinetdService, why: string): string {
    const kv = (k: string, v: string | number) => `    ${k.padEnd(15)} = ${v}`;
    return [
        `# ${why}`,
        "# Rendered from the stack topology: edit the stack, not this file.",
        "# type UNLISTED + port: no /etc/services entry needed.",
        `service ${s.name}`,
        "{",
        kv("type", "UNLISTED"),
        kv("port", s.port),
        kv("socket_type", "stream"),
        kv("protocol", "tcp"),
        kv("wait", "no"),
        kv("flags", "REUSE"),
        kv("user", s.user),
        kv("server", s.server),
        // Only the container network (HAProxy) and the node itself may ask.
        kv("only_from", s.onlyFrom.join(" ")),
        // Health checks come often and from few sources: never throttle them, and never let
        // xinetd's default rate limit (50/s, then 10 s off) turn a burst into DOWN servers.
        kv("per_source", "UNLIMITED"),
        kv("instances", "UNLIMITED"),
        kv("cps", "1000 1"),
        // HOST only: USERID would make xinetd ask the checker's identd and stall.
        `    ${"log_on_failure".padEnd(15)} += HOST`,
        kv("disable", "no"),
        "}",
        "",
    ].join("\n");
}

function onlyFrom(t: Topology): string[] {
    return [canonicalCidr(t.network.subnet), "127.0.0.1"];
}

function clustercheckScript(node: string, opts: ClustercheckOptions): string {
    const donor = opts.availableWhenDonor ? 1 : 0;
    return `#!/bin/bash
# clustercheck for Galera node ${node}: HTTP 200 when this node is Synced
# (wsrep_local_state 4${donor ? ", or 2 Donor/Desynced" : ""}) in the Primary component, else 503.
# Run by xinetd per connection. Rendered from the stack topology: edit the stack, not this file.
# A node cut off from its peers keeps its last local state but serves nothing, and the start
# wrapper of every other node reads 200 as "a live cluster to join": both need Primary too.
set -u

readonly DEFAULTS_FILE=${CLUSTERCHECK_CNF_PATH}
readonly AVAILABLE_WHEN_DONOR=${donor}
readonly TIMEOUT_S=3

${HTTP_REPLY}

client=$(command -v mariadb || command -v mysql) || reply "503 Service Unavailable" "${node}: no mysql client"

# Credentials come from the 0600 defaults file, never from the command line (ps shows it).
# One query for both values, so they describe the same moment.
status=$(timeout "$TIMEOUT_S" "$client" --defaults-extra-file="$DEFAULTS_FILE" --connect-timeout=2 \\
    --batch --skip-column-names \\
    -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state','wsrep_cluster_status');" 2>/dev/null)
state=$(printf '%s\\n' "$status" | awk -F '\\t' 'tolower($1) == "wsrep_local_state" { print $2 }')
cluster=$(printf '%s\\n' "$status" | awk -F '\\t' 'tolower($1) == "wsrep_cluster_status" { print $2 }')

if [ -z "$state" ]; then
    reply "503 Service Unavailable" "${node}: mysqld does not answer"
fi
if [ "$cluster" != Primary ]; then
    reply "503 Service Unavailable" "${node}: Galera node is not in the Primary component (cluster status \${cluster:-unknown})"
fi
case "$state" in
    4) reply "200 OK" "${node}: Galera node is synced" ;;
    2) if [ "$AVAILABLE_WHEN_DONOR" = 1 ]; then
           reply "200 OK" "${node}: Galera node is a donor"
       fi
       reply "503 Service Unavailable" "${node}: Galera node is a donor" ;;
    *) reply "503 Service Unavailable" "${node}: Galera node is not synced (state $state)" ;;
esac
`;
}

function clustercheckCnf(t: Topology, password: string): string {
    const cc = t.database.pxc?.clustercheck;
    if (!cc) throw new Error("database.pxc is not configured");
    return [
        "# Credentials of the clustercheck user (USAGE only). Mode 0600, owned by the xinetd service user.",
        "[client]",
        `user=${cc.user}`,
        `password=${optionFileValue(password)}`,
        // TCP to 127.0.0.1: works whatever socket path the image uses; the account is 'user'@'127.0.0.1'.
        "host=127.0.0.1",
        "port=3306",
        "",
    ].join("\n");
}

/** clustercheck script, its credentials file and its xinetd service, for one Galera node. */
export function renderClustercheck(t: Topology, node: string, secrets: Readonly<Record<string, string>>, opts: ClustercheckOptions = {}): RenderedFile[] {
    const pxc = t.database.pxc;
    if (!pxc) throw new Error("database.pxc is not configured");
    if (!pxc.nodes.some((n) => n.name === node)) throw new Error(`${node} is not a Galera node (${pxc.nodes.map((n) => n.name).join(", ")})`);
    const password = secretOf(secrets, pxc.clustercheck.passwordSecret, "database.pxc.clustercheck.passwordSecret");
    return [
        script(CLUSTERCHECK_SCRIPT_PATH, clustercheckScript(node, opts)),
        file(CLUSTERCHECK_CNF_PATH, clustercheckCnf(t, password), "0600"),
        file(
            CLUSTERCHECK_XINETD_PATH,
            xinetdService(
                { name: "mysqlchk", port: pxc.clustercheck.port, user: CLUSTERCHECK_SERVICE_USER, server: CLUSTERCHECK_SCRIPT_PATH, onlyFrom: onlyFrom(t) },
                "Galera clustercheck: HAProxy's httpchk asks here whether this node is Synced.",
            ),
        ),
    ];
}

function mycatStatusScript(port: number): string {
    return `#!/bin/bash
# mycat_status: HTTP 200 when MyCat's SQL port ${port} answers with a MySQL greeting, else 503.
# Run by xinetd per connection. Rendered from the stack topology: edit the stack, not this file.
#
# Why not \`mycat status\` (the tutorial's check): it only asks the Java service wrapper
# whether its JVM process exists. A JVM that is restarting, stuck in GC or failed to bind
# the port still counts as "running", and a plain TCP connect would still succeed on a hung
# JVM because the kernel completes the handshake from the listen backlog. The greeting
# (protocol version 10 in its fifth byte) comes only from MyCat's own network thread.
set -u

readonly SQL_PORT=${port}
readonly TIMEOUT_S=2

${HTTP_REPLY}

# Bounded: a MyCat that accepts but never greets must not hang the check.
# shellcheck disable=SC2016 # $1 expands in the inner bash, which gets the port as an argument
greeting=$(timeout "$TIMEOUT_S" bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && head -c 5 <&3' _ "$SQL_PORT" 2>/dev/null |
    od -An -tx1 | tr -d ' \\n')

if [ "\${greeting:8:2}" = "0a" ]; then
    reply "200 OK" "MyCat is serving on port $SQL_PORT"
fi
reply "503 Service Unavailable" "MyCat does not answer on port $SQL_PORT"
`;
}

/** mycat_status script and its xinetd service, identical on every MyCat node. */
export function renderMycatStatus(t: Topology): RenderedFile[] {
    const m = t.mycat;
    if (!m) throw new Error("mycat is not configured");
    return [
        script(MYCAT_STATUS_SCRIPT_PATH, mycatStatusScript(m.ports.server)),
        file(
            MYCAT_STATUS_XINETD_PATH,
            xinetdService(
                { name: "mycat_status", port: m.ports.status, user: MYCAT_STATUS_SERVICE_USER, server: MYCAT_STATUS_SCRIPT_PATH, onlyFrom: onlyFrom(t) },
                "MyCat status: HAProxy's httpchk asks here whether MyCat serves SQL.",
            ),
        ),
    ];
}
