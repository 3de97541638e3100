// The accounts replication and health checks log in with: created if missing and reset
// to the current password on every run, so applying the file twice changes nothing. On a
// dual-master update, the accounts only the previous file created are dropped (staleAccountsSql).
import { AppAccount, Topology } from "../../model/schema";
import { canonicalCidr, parseCidr, fromInt, toInt } from "../../model/net";
import { dualMasterServer, needsSstAuth, sstUser } from "./mysql-cnf";
import { sqlString } from "./escape";
import { secretOf } from "./secrets";

export function account(user: string, host: string): string {
    return `${sqlString(user)}@${sqlString(host)}`;
}

/**
 * The account host that admits exactly a CIDR: the '172.18.0.%' wildcard for octet-aligned
 * prefixes, otherwise the 'address/netmask' form MySQL and MariaDB both accept.
 */
export function hostMask(cidr: string): string {
    const { prefix } = parseCidr(cidr);
    const network = canonicalCidr(cidr).split("/")[0];
    if (prefix === 32) return network;
    if (prefix % 8 === 0 && prefix > 0) return [...network.split(".").slice(0, prefix / 8), "%"].join(".");
    if (prefix === 0) return "%";
    const mask = fromInt(toInt("255.255.255.255") - (2 ** (32 - prefix) - 1));
    return `${network}/${mask}`;
}

/** The replica connects from its own container address on the Docker network. */
export function replicationHosts(t: Topology): string[] {
    return [hostMask(t.network.subnet)];
}

/**
 * HAProxy checks from the Docker network; a check through a published port on an overlay
 * arrives from the host's docker_gwbridge instead, so that subnet is admitted too. The
 * user has no privileges and no password, so the wider mask exposes nothing.
 */
export function healthCheckHosts(t: Topology): string[] {
    const hosts = [hostMask(t.network.subnet)];
    if (t.database.dualMaster?.publishPort !== undefined && t.network.driver === "overlay") hosts.push(hostMask(t.network.gwbridgeSubnet));
    return [...new Set(hosts)];
}

/** SQL identifier quoting for a database name (the schema allows no backquote in it). */
function ident(name: string): string {
    return `\`${name}\``;
}

/** The application database and its user, admitted from the Docker network HAProxy connects from. */
function appAccountSql(t: Topology, app: AppAccount | undefined, secrets: Readonly<Record<string, string>>): string[] {
    if (!app) return [];
    const password = secretOf(secrets, app.passwordSecret);
    const who = account(app.user, hostMask(t.network.subnet));
    return [
        `-- ${app.user}: the application, through HAProxy; ALL on ${app.database} only.`,
        `CREATE DATABASE IF NOT EXISTS ${ident(app.database)};`,
        ...ensureUser(app.user, hostMask(t.network.subnet), `IDENTIFIED BY ${sqlString(password)}`, undefined),
        `GRANT ALL ON ${ident(app.database)}.* TO ${who};`,
    ];
}

function ensureUser(user: string, host: string, identified: string, grant: string | undefined): string[] {
    const who = account(user, host);
    return [
        `CREATE USER IF NOT EXISTS ${who} ${identified};`,
        `ALTER USER ${who} ${identified};`,
        ...(grant ? [`GRANT ${grant} ON *.* TO ${who};`] : []),
    ];
}

/**
 * Users SQL for one dual-master server: the replication user its peer logs in as and the
 * health-check user. Run on each server, outside the binlog (sql_log_bin=0): replicated,
 * each CREATE would meet the peer's own copy and stop its SQL thread.
 */
export function renderUsersSql(t: Topology, server: string, secrets: Readonly<Record<string, string>>): string {
    const dm = t.database.dualMaster;
    if (!dm) throw new Error("database.dualMaster is not configured");
    const s = dualMasterServer(t, server);
    const replPassword = secretOf(secrets, dm.replication.passwordSecret);
    // MySQL 8's default caching_sha2_password needs HAProxy's post-80 check (HAProxy >= 3.4): the
    // password-less check user keeps the older plugin, which every HAProxy mysql-check speaks.
    const noPassword = dm.flavor === "mysql80" ? "IDENTIFIED WITH mysql_native_password BY ''" : "IDENTIFIED BY ''";
    return [
        `-- Users on ${s.name}; rendered by ha-mysql. Holds a password: keep it mode 0600.`,
        "-- Kept out of the binlog, so the peer never receives these statements; it runs its own copy.",
        "SET SESSION sql_log_bin = 0;",
        `-- ${dm.replication.user}: the peer's replica logs in with it (REPLICATION SLAVE only).`,
        ...replicationHosts(t).flatMap((h) => ensureUser(dm.replication.user, h, `IDENTIFIED BY ${sqlString(replPassword)}`, "REPLICATION SLAVE")),
        `-- ${dm.healthCheckUser}: HAProxy's mysql-check cannot send a password; no privileges (USAGE).`,
        ...healthCheckHosts(t).flatMap((h) => ensureUser(dm.healthCheckUser, h, noPassword, undefined)),
        ...appAccountSql(t, dm.app, secrets),
        "SET SESSION sql_log_bin = 1;",
        "",
    ].join("\n");
}

/** Local logins: over the socket ('localhost') or TCP to 127.0.0.1 (no name resolution makes these differ). */
const LOCAL_HOSTS = ["localhost", "127.0.0.1"];

/**
 * Users SQL for a Galera cluster: run once on the bootstrap node when it is up (Galera
 * replicates CREATE USER to every node that joins later). The SST user must exist on a
 * donor before a joiner asks it for a snapshot.
 */
export function renderGaleraUsersSql(t: Topology, secrets: Readonly<Record<string, string>>): string {
    const pxc = t.database.pxc;
    if (!pxc) throw new Error("database.pxc is not configured");
    const cc = pxc.clustercheck;
    const ccPassword = secretOf(secrets, cc.passwordSecret);
    // Percona's clustercheck reads wsrep status with PROCESS; MariaDB shows global status to USAGE.
    const ccGrant = pxc.flavor === "mariadb" ? "USAGE" : "PROCESS";
    const lines = [
        `-- Galera users of cluster ${pxc.clusterName}; rendered by ha-mysql. Holds passwords: keep it mode 0600.`,
        "-- Run on the bootstrap node only; the cluster replicates it to every joiner.",
        `-- ${cc.user}: the clustercheck service inside each node logs in locally.`,
        ...LOCAL_HOSTS.flatMap((h) => ensureUser(cc.user, h, `IDENTIFIED BY ${sqlString(ccPassword)}`, ccGrant)),
    ];
    if (needsSstAuth(pxc)) {
        // mariabackup on 10.5+ reads binlog positions with BINLOG MONITOR (REPLICATION CLIENT before).
        const grant = pxc.flavor === "mariadb" ? "RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR" : "RELOAD, PROCESS, LOCK TABLES, REPLICATION CLIENT";
        const password = secretOf(secrets, pxc.sstPasswordSecret);
        lines.push(`-- ${sstUser(pxc)}: ${pxc.sstMethod} on the donor logs in over the socket.`, ...ensureUser(sstUser(pxc), "localhost", `IDENTIFIED BY ${sqlString(password)}`, grant));
    }
    lines.push(...appAccountSql(t, pxc.app, secrets), "");
    return lines.join("\n");
}

/**
 * A script that prints the SQL dropping the accounts a previous users file created and the
 * current one no longer does (a renamed user, a host mask the topology dropped), outside the
 * binlog like the files themselves. Prints nothing when there is no previous file. Reads only
 * the account names from the files: its output carries no password.
 */
export function staleAccountsSql(previous: string, current: string): string {
    return `set -eu
[ -f ${previous} ] || exit 0
accounts() { sed -n "s/^CREATE USER IF NOT EXISTS \\('[^']*'@'[^']*'\\) .*/\\1/p" "$1" | sort -u; }
old=$(mktemp); new=$(mktemp)
accounts ${previous} >"$old"
accounts ${current} >"$new"
echo "SET SESSION sql_log_bin = 0;"
comm -23 "$old" "$new" | sed 's/^/DROP USER IF EXISTS /; s/$/;/'
rm -f "$old" "$new"`;
}
