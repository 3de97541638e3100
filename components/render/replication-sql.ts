// Each dual-master server replicates from the other. The SQL points a server's replica at
// its peer; the apply script runs it only when the replica does not already follow the
// peer with both threads running, so a second `pulumi up` restarts nothing.
import { DualMaster, Topology } from "../../model/schema";
import { file, RenderedFile, script } from "./file";
import { renderClientCnf, ROOT_CLIENT_CNF } from "./client-cnf";
import { renderUsersSql } from "./database-users-sql";
import { dualMasterServer, HA_MYSQL_DIR } from "./mysql-cnf";
import { secretOf } from "./secrets";
import { shellQuote, sqlString } from "./escape";

// The users SQL is applied together with the replication SQL; components import both from here.
export { renderGaleraUsersSql, renderUsersSql } from "./database-users-sql";

export interface SourceEndpoint {
    readonly name: string;
    readonly host: string;
    readonly port: number;
}

function dualMasterOf(t: Topology): DualMaster {
    const dm = t.database.dualMaster;
    if (!dm) throw new Error("database.dualMaster is not configured");
    return dm;
}

/** The OTHER server: its container address on the Docker network and the in-container port. */
export function replicationSource(t: Topology, server: string): SourceEndpoint {
    const dm = dualMasterOf(t);
    dualMasterServer(t, server);
    const peer = dm.servers.find((s) => s.name !== server);
    if (!peer) throw new Error(`dual-master server "${server}" has no peer`);
    return { name: peer.name, host: peer.ip, port: dm.port };
}

/** Names of the statements and SHOW ... STATUS fields, which MySQL 8.0 renamed and MariaDB kept. */
interface Dialect {
    readonly stop: string;
    readonly start: string;
    readonly show: string;
    readonly host: string;
    readonly port: string;
    readonly user: string;
    readonly io: string;
    readonly sql: string;
    /** GTID field and the value it shows when the replica auto-positions. */
    readonly gtid: readonly [string, string];
    readonly client: string;
}

function dialectOf(dm: DualMaster): Dialect {
    switch (dm.flavor) {
        case "mysql80":
            return { stop: "STOP REPLICA", start: "START REPLICA", show: "SHOW REPLICA STATUS", host: "Source_Host", port: "Source_Port", user: "Source_User", io: "Replica_IO_Running", sql: "Replica_SQL_Running", gtid: ["Auto_Position", "1"], client: "mysql" };
        case "mysql57":
            return { stop: "STOP SLAVE", start: "START SLAVE", show: "SHOW SLAVE STATUS", host: "Master_Host", port: "Master_Port", user: "Master_User", io: "Slave_IO_Running", sql: "Slave_SQL_Running", gtid: ["Auto_Position", "1"], client: "mysql" };
        case "mariadb":
            return {
                stop: "STOP SLAVE",
                start: "START SLAVE",
                show: "SHOW SLAVE STATUS",
                host: "Master_Host",
                port: "Master_Port",
                user: "Master_User",
                io: "Slave_IO_Running",
                sql: "Slave_SQL_Running",
                gtid: ["Using_Gtid", dm.gtid ? "Slave_Pos" : "No"],
                // MariaDB 11 images no longer ship the mysql name.
                client: "mariadb",
            };
    }
}

function changeSource(dm: DualMaster, src: SourceEndpoint, password: string): string[] {
    const retry = dm.replication.connectRetryS;
    const user = sqlString(dm.replication.user);
    switch (dm.flavor) {
        case "mysql80":
            return [
                "CHANGE REPLICATION SOURCE TO",
                `    SOURCE_HOST = ${sqlString(src.host)},`,
                `    SOURCE_PORT = ${src.port},`,
                `    SOURCE_USER = ${user},`,
                `    SOURCE_PASSWORD = ${sqlString(password)},`,
                "    SOURCE_AUTO_POSITION = 1,",
                // caching_sha2_password without TLS needs the source's RSA key to send the password.
                "    GET_SOURCE_PUBLIC_KEY = 1,",
                `    SOURCE_CONNECT_RETRY = ${retry};`,
            ];
        case "mysql57":
            return [
                "CHANGE MASTER TO",
                `    MASTER_HOST = ${sqlString(src.host)},`,
                `    MASTER_PORT = ${src.port},`,
                `    MASTER_USER = ${user},`,
                `    MASTER_PASSWORD = ${sqlString(password)},`,
                "    MASTER_AUTO_POSITION = 1,",
                `    MASTER_CONNECT_RETRY = ${retry};`,
            ];
        case "mariadb":
            return [
                "CHANGE MASTER TO",
                `    MASTER_HOST = ${sqlString(src.host)},`,
                `    MASTER_PORT = ${src.port},`,
                `    MASTER_USER = ${user},`,
                `    MASTER_PASSWORD = ${sqlString(password)},`,
                // slave_pos: resume after the last transaction this server applied from the peer.
                `    MASTER_USE_GTID = ${dm.gtid ? "slave_pos" : "no"},`,
                `    MASTER_CONNECT_RETRY = ${retry};`,
            ];
    }
}

/**
 * Points `server`'s replica at the other server and starts it. Holds the replication
 * password: pipe it to the client on stdin or keep it in a mode 0600 file, never in argv.
 */
export function renderReplicationSql(t: Topology, server: string, secrets: Readonly<Record<string, string>>): string {
    const dm = dualMasterOf(t);
    const src = replicationSource(t, server);
    const d = dialectOf(dm);
    const password = secretOf(secrets, dm.replication.passwordSecret);
    return [
        `-- ${server} replicates from ${src.name} (${src.host}:${src.port}); rendered by ha-mysql. Holds a password: keep it mode 0600.`,
        "-- The replica must be stopped before its source can change; stopping a stopped one only warns.",
        `${d.stop};`,
        ...changeSource(dm, src, password),
        `${d.start};`,
        "",
    ].join("\n");
}

/**
 * The apply script for `server`, run inside its container. It holds no secret: the users
 * SQL and replication SQL beside it and the root client defaults (client-cnf.ts) carry the passwords.
 * Prints "replication unchanged" when the replica already follows the peer with both
 * threads running and replication.sql is the one it last applied (a wrong password shows as a
 * thread stuck in Connecting, so it is re-applied). The second condition matters on an update
 * with a new password: the running replica keeps its session, so its status looks right while
 * the stored password is the old one, and the next reconnect would fail.
 */
export function renderReplicationApplyScript(t: Topology, server: string): RenderedFile {
    const dm = dualMasterOf(t);
    const src = replicationSource(t, server);
    const d = dialectOf(dm);
    const [gtidField, gtidValue] = d.gtid;
    const text = `#!/bin/bash
# Makes ${server} replicate from ${src.name} (${src.host}:${src.port}); rendered by ha-mysql.
# Changes nothing when the replica already follows that source with both threads running
# and replication.sql is the one it last applied (its hash is kept in replication.applied).
# No secret in here or on any command line: the SQL files beside it and the root
# client defaults (all mode 0600) hold them.
set -euo pipefail

dir="\${HA_MYSQL_DIR:-${HA_MYSQL_DIR}}"
client=(${d.client} --defaults-extra-file="\${HA_MYSQL_CLIENT_CNF:-${ROOT_CLIENT_CNF}}")

want_host=${shellQuote(src.host)}
want_port=${shellQuote(String(src.port))}
want_user=${shellQuote(dm.replication.user)}
want_gtid=${shellQuote(gtidValue)}

# The peer's replica logs in with these users; the file is idempotent and skips the binlog.
"\${client[@]}" --batch < "$dir/users.sql"

status="$("\${client[@]}" --vertical -e '${d.show}')"

# Value of one "Name: value" line of the vertical status output (empty when absent).
field() {
    awk -v key="$1" '{ sub(/^ +/, "") } index($0, key ": ") == 1 { print substr($0, length(key) + 3); exit }' <<<"$status"
}

current="$(field ${d.host}) $(field ${d.port}) $(field ${d.user}) $(field ${gtidField}) $(field ${d.io}) $(field ${d.sql})"
wanted="$want_host $want_port $want_user $want_gtid Yes Yes"
# The hash of the replication SQL last applied: a new password changes it, not the status.
sql_hash="$(sha256sum < "$dir/replication.sql" | cut -d ' ' -f 1)"
applied="$(cat "$dir/replication.applied" 2>/dev/null || true)"
if [ "$current" = "$wanted" ] && [ "$applied" = "$sql_hash" ]; then
    echo "replication unchanged: ${server} follows $want_host:$want_port as $want_user, both threads running"
    exit 0
fi

if [ "$current" = "$wanted" ]; then
    echo "replication changed: ${server} follows $want_host:$want_port, but replication.sql differs from the one last applied (new password)"
else
    echo "replication changed: ${server} was [$current], now follows $want_host:$want_port as $want_user"
fi
"\${client[@]}" --batch < "$dir/replication.sql"
(umask 077 && printf '%s\\n' "$sql_hash" > "$dir/replication.applied")
`;
    return script(`${HA_MYSQL_DIR}/apply-replication.sh`, text);
}

/**
 * Everything the dual-master component copies into `server`'s container, in the order
 * it is needed; then it runs apply-replication.sh from HA_MYSQL_DIR.
 */
export function renderReplicationFiles(t: Topology, server: string, secrets: Readonly<Record<string, string>>): RenderedFile[] {
    const dm = dualMasterOf(t);
    return [
        renderClientCnf("root", secretOf(secrets, dm.rootPasswordSecret)),
        file(`${HA_MYSQL_DIR}/users.sql`, renderUsersSql(t, server, secrets), "0600"),
        file(`${HA_MYSQL_DIR}/replication.sql`, renderReplicationSql(t, server, secrets), "0600"),
        renderReplicationApplyScript(t, server),
    ];
}
