// Server option files for the Galera nodes and the dual-master pair, one fragment per
// role dropped into the directory the image already includes, so the image's own
// defaults stay in place and ours win by being read last.
import { DualMaster, DualMasterServer, Pxc, PxcNode, Topology } from "../../model/schema";
import { optionFileValue } from "./escape";
import { file, RenderedFile } from "./file";
import { secretOf } from "./secrets";
import { TLS_CA, TLS_CERT, TLS_KEY } from "./tls-paths";

export type GaleraFlavor = Pxc["flavor"];
export type DualMasterFlavor = DualMaster["flavor"];

/**
 * Include directories read last by each image: the PXC images' /etc/my.cnf ends with
 * `!includedir /etc/percona-xtradb-cluster.conf.d/` (after node.cnf, which their
 * entrypoint rewrites from environment variables); Debian's MariaDB reads mariadb.conf.d.
 */
export const GALERA_CNF_DIR: Readonly<Record<GaleraFlavor, string>> = {
    pxc57: "/etc/percona-xtradb-cluster.conf.d",
    pxc80: "/etc/percona-xtradb-cluster.conf.d",
    mariadb: "/etc/mysql/mariadb.conf.d",
};

/** The official mysql images include /etc/mysql/conf.d; Debian's MariaDB reads mariadb.conf.d. */
export const DUAL_MASTER_CNF_DIR: Readonly<Record<DualMasterFlavor, string>> = {
    mysql57: "/etc/mysql/conf.d",
    mysql80: "/etc/mysql/conf.d",
    mariadb: "/etc/mysql/mariadb.conf.d",
};

export const GALERA_PROVIDER: Readonly<Record<GaleraFlavor, string>> = {
    pxc57: "/usr/lib64/galera3/libgalera_smm.so",
    pxc80: "/usr/lib64/galera4/libgalera_smm.so",
    mariadb: "/usr/lib/galera/libgalera_smm.so",
};

/** Where the SQL and apply script live inside a server container (beside client-cnf.ts's root defaults). */
export const HA_MYSQL_DIR = "/etc/ha-mysql";

export const GALERA_CNF_NAME = "60-galera.cnf";
/** Sorts after the main fragment; holds the SST credentials and nothing else. */
export const GALERA_SST_AUTH_CNF_NAME = "61-galera-sst-auth.cnf";
export const DUAL_MASTER_CNF_NAME = "60-dual-master.cnf";

/** evs.keepalive_period for a suspect timeout: a quarter of it, at most Galera's default 1 s. */
export const evsKeepaliveMs = (suspectTimeoutMs: number) => Math.min(1000, suspectTimeoutMs / 4);
/** evs.inactive_check_period: as often as the keepalive, at most Galera's default 0.5 s. */
export const evsInactiveCheckMs = (suspectTimeoutMs: number) => Math.min(500, evsKeepaliveMs(suspectTimeoutMs));

/**
 * Galera's evs timeouts, in the order Galera needs (inactive_check <= keepalive < suspect
 * <= install <= inactive). A dead node stalls every commit for about the suspect timeout,
 * so that one is short for a LAN; a keepalive every quarter of it means three lost in a row
 * before anyone is suspected, and eviction needs every other member to agree. Install and
 * inactive keep at least Galera's defaults (7.5 s, 15 s): a node that restarts at once
 * (Docker's restart policy) rejoins while its old self is being evicted, and with an install
 * timeout of 3 s that round timed out and left each survivor alone in a non-primary view
 * (measured: 9.7 s of failed writes instead of 2 s).
 */
export function evsOptions(suspectTimeoutMs: number): string[] {
    const period = (ms: number) => `PT${+(ms / 1000).toFixed(3)}S`;
    return [
        `evs.keepalive_period=${period(evsKeepaliveMs(suspectTimeoutMs))}`,
        `evs.inactive_check_period=${period(evsInactiveCheckMs(suspectTimeoutMs))}`,
        `evs.suspect_timeout=${period(suspectTimeoutMs)}`,
        `evs.inactive_timeout=${period(Math.max(15000, 3 * suspectTimeoutMs))}`,
        `evs.install_timeout=${period(Math.max(7500, 1.5 * suspectTimeoutMs))}`,
    ];
}

/** Galera's own replication socket over TLS (MariaDB's galera-4; the PXC flavors use pxc-encrypt-cluster-traffic). */
export function galeraSocketTlsOptions(t: Topology): string[] {
    if (!t.tls.enabled || t.database.pxc?.flavor !== "mariadb") return [];
    return [`socket.ssl_cert=${TLS_CERT}`, `socket.ssl_key=${TLS_KEY}`, `socket.ssl_ca=${TLS_CA}`];
}

type Setting = readonly [string, string | number];

function cnf(header: string[], settings: Setting[]): string {
    const width = Math.max(...settings.map(([k]) => k.length));
    const lines = settings.map(([k, v]) => `${k.padEnd(width)} = ${v}`);
    return [...header.map((h) => `# ${h}`), "[mysqld]", ...lines, ""].join("\n");
}

function pxcOf(t: Topology): Pxc {
    const pxc = t.database.pxc;
    if (!pxc) throw new Error("database.pxc is not configured");
    return pxc;
}

function galeraNode(pxc: Pxc, node: string): { n: PxcNode; index: number } {
    const index = pxc.nodes.findIndex((x) => x.name === node);
    if (index < 0) throw new Error(`unknown Galera node "${node}"`);
    return { n: pxc.nodes[index], index };
}

/**
 * Every client reaches the servers from a proxy's address, so a host block (after 100
 * interrupted handshakes by default: health checks, clients killed mid-connect) would cut
 * off everyone behind that proxy. MySQL's docs suggest a large value behind load balancers.
 */
const MAX_CONNECT_ERRORS = 1_000_000_000;

/** PXC 8.0 without the stack's TLS: cluster traffic encryption explicitly off (it is on by default, and needs shared certificates). */
export function clusterTrafficOptOut(t: Topology): boolean {
    return t.database.pxc?.flavor === "pxc80" && !t.tls.enabled;
}

/** PXC 5.7's xtrabackup-v2 and MariaDB's mariabackup log in to the donor; PXC 8.0 uses an internal user, rsync none. */
export function needsSstAuth(pxc: Pxc): boolean {
    if (pxc.sstMethod === "rsync") return false;
    return pxc.flavor === "pxc57" || pxc.flavor === "mariadb";
}

/** The SST user: "xtrabackup" as Percona names it, "mariabackup" as MariaDB's docs do; the users SQL creates it. */
export function sstUser(pxc: Pxc): string {
    return pxc.flavor === "mariadb" ? "mariabackup" : "xtrabackup";
}

export function renderGaleraCnf(t: Topology, node: string): RenderedFile {
    const pxc = pxcOf(t);
    const { n, index } = galeraNode(pxc, node);
    const settings: Setting[] = [
        ["server_id", index + 1],
        ["binlog_format", "ROW"],
        ["default_storage_engine", "InnoDB"],
        ["innodb_autoinc_lock_mode", 2],
        ["bind-address", "0.0.0.0"],
        ["max_connect_errors", MAX_CONNECT_ERRORS],
        ...(pxc.flavor === "mariadb" ? [["wsrep_on", "ON"] as const] : []),
        ["wsrep_provider", GALERA_PROVIDER[pxc.flavor]],
        ["wsrep_cluster_name", pxc.clusterName],
        ["wsrep_cluster_address", `gcomm://${pxc.nodes.map((x) => x.ip).join(",")}`],
        ["wsrep_node_address", n.ip],
        ["wsrep_node_name", n.name],
        ["wsrep_sst_method", pxc.sstMethod],
        ["wsrep_provider_options", `"${[`gcache.size=${pxc.gcacheSize}`, ...evsOptions(pxc.suspectTimeoutMs), ...galeraSocketTlsOptions(t)].join("; ")}"`],
        ...(pxc.flavor === "mariadb" ? [] : [["pxc_strict_mode", "ENFORCING"] as const]),
        ...(clusterTrafficOptOut(t) ? [["pxc-encrypt-cluster-traffic", "OFF"] as const] : []),
    ];
    const header = [
        `Galera settings for ${n.name} of cluster ${pxc.clusterName} (${pxc.flavor}); rendered by ha-mysql, edits are overwritten.`,
        "Every node, the bootstrap one included, lists every member: bootstrapping is the start",
        "flag --wsrep-new-cluster on the first start only, never a setting that outlives it.",
        ...(needsSstAuth(pxc) ? [`wsrep_sst_auth is in ${GALERA_SST_AUTH_CNF_NAME} (mode 0600).`] : []),
        ...(clusterTrafficOptOut(t)
            ? [
                  "pxc-encrypt-cluster-traffic is OFF because tls.enabled is false: PXC 8.0 turns it on by default, and",
                  "then every node must hold certificates of one CA, which the certificates each node generates",
                  "for itself at initialisation are not; set tls.enabled to encrypt with the stack's CA.",
              ]
            : []),
    ];
    return file(`${GALERA_CNF_DIR[pxc.flavor]}/${GALERA_CNF_NAME}`, cnf(header, settings));
}

/**
 * The SST credentials, kept out of the main fragment so that file stays world-readable
 * and diffable. Upload with mode 0600 owned by the server's user (uid 1001 in the PXC
 * images, mysql in MariaDB's). Empty when the SST method logs in to nothing.
 */
export function renderGaleraSecretCnf(t: Topology, node: string, secrets: Readonly<Record<string, string>>): RenderedFile[] {
    const pxc = pxcOf(t);
    const { n } = galeraNode(pxc, node);
    if (!needsSstAuth(pxc)) return [];
    const password = secretOf(secrets, pxc.sstPasswordSecret);
    const header = [`SST credentials for ${n.name} (${pxc.sstMethod}); rendered by ha-mysql. Mode 0600: holds a password.`];
    return [file(`${GALERA_CNF_DIR[pxc.flavor]}/${GALERA_SST_AUTH_CNF_NAME}`, cnf(header, [["wsrep_sst_auth", optionFileValue(`${sstUser(pxc)}:${password}`)]]), "0600")];
}

function dualMasterOf(t: Topology): DualMaster {
    const dm = t.database.dualMaster;
    if (!dm) throw new Error("database.dualMaster is not configured");
    return dm;
}

export function dualMasterServer(t: Topology, server: string): DualMasterServer {
    const s = dualMasterOf(t).servers.find((x) => x.name === server);
    if (!s) throw new Error(`unknown dual-master server "${server}"`);
    return s;
}

export function renderDualMasterCnf(t: Topology, server: string): RenderedFile {
    const dm = dualMasterOf(t);
    const s = dualMasterServer(t, server);
    const gtid: Setting[] =
        dm.flavor === "mariadb"
            ? [
                  // One domain per writer: with gtid_strict_mode each server's own stream stays ordered.
                  ["gtid_domain_id", s.gtidDomainId ?? s.serverId],
                  ["gtid_strict_mode", "ON"],
              ]
            : [
                  ["gtid_mode", "ON"],
                  ["enforce_gtid_consistency", "ON"],
              ];
    const settings: Setting[] = [
        ["server_id", s.serverId],
        ["port", dm.port],
        ["bind-address", "0.0.0.0"],
        ["report_host", s.ip],
        ["skip_name_resolve", "ON"],
        ["max_connect_errors", MAX_CONNECT_ERRORS],
        ["log_bin", `${s.name}-bin`],
        // The peer must see the events this server applied from it, or a third replica would miss them.
        [dm.flavor === "mysql80" ? "log_replica_updates" : "log_slave_updates", "ON"],
        ["binlog_format", "ROW"],
        ["relay_log", `${s.name}-relay-bin`],
        // After a crash the relay log may be torn: fetch it again from the source instead.
        ["relay_log_recovery", "ON"],
        ...(dm.flavor === "mysql57"
            ? [
                  // 5.7 keeps positions in files by default, which a crash can leave behind the data.
                  ["master_info_repository", "TABLE"] as const,
                  ["relay_log_info_repository", "TABLE"] as const,
              ]
            : []),
        ["sync_binlog", 1],
        ["innodb_flush_log_at_trx_commit", 1],
        ["auto_increment_increment", dm.autoIncrementIncrement],
        ["auto_increment_offset", s.autoIncrementOffset],
        ...(dm.gtid || dm.flavor !== "mariadb" ? gtid : []),
    ];
    const header = [
        `Dual-master settings for ${s.name} (${dm.flavor}); rendered by ha-mysql, edits are overwritten.`,
        `Distinct auto_increment_offset per server (${s.autoIncrementOffset} of ${dm.autoIncrementIncrement}) keeps keys from colliding when both take writes.`,
    ];
    return file(`${DUAL_MASTER_CNF_DIR[dm.flavor]}/${DUAL_MASTER_CNF_NAME}`, cnf(header, settings));
}

