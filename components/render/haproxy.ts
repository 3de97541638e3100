// haproxy.cfg for one HAProxy node: one `listen` per listener, a health check that
// sees what the backend group can really serve, and an authenticated stats page.
import { Topology } from "../../model/schema";
import { haproxyListeners, Listener, pinsOneWriter } from "../../model/derive";
import { haproxyWord } from "./escape";
import { file, RenderedFile } from "./file";
import { secretOf } from "./secrets";

/** Where the official haproxy image (and ha-lab/haproxy) reads its configuration. */
export const HAPROXY_CFG_PATH = "/usr/local/etc/haproxy/haproxy.cfg";
/**
 * Admin socket for `show servers state` and seamless reloads (expose-fd listeners).
 * /var/lib/haproxy exists and belongs to the haproxy user both in the official image
 * and in Debian's package; /run/haproxy exists only in the latter.
 */
export const HAPROXY_ADMIN_SOCKET = "/var/lib/haproxy/admin.sock";
/** Galera nodes serve SQL on 3306 inside their containers (the schema has no port for them). */
export const GALERA_PORT = 3306;
/** The pxc listener's mysql-check user when there is no dual-master healthCheckUser to reuse. */
export const DEFAULT_CHECK_USER = "hacheck";
/** The peers section; '_' keeps it apart from listener names, which cannot contain one. */
export const PEERS_SECTION = "haproxy_nodes";

export type HaproxyLogTarget = { kind: "stdout" } | { kind: "syslog"; address: string };

export interface HaproxyOptions {
    /**
     * stdout suits containers (`docker logs`); syslog sends to an rsyslog such as the one
     * rsyslog.ts configures (127.0.0.1:514, facility local0).
     */
    readonly log?: HaproxyLogTarget;
}

type Haproxy = NonNullable<Topology["haproxy"]>;

/** Values end up as single words of haproxy.cfg; anything else would change its meaning. */
const CFG_WORD = /^[A-Za-z0-9_.,+=@%^~*\/:-]+$/;

function word(value: string, what: string): string {
    if (!CFG_WORD.test(value)) throw new Error(`${what} contains characters haproxy.cfg would read differently`);
    return value;
}

function globalSection(ha: Haproxy, node: string, log: HaproxyLogTarget, peers: boolean): string[] {
    const logLine = log.kind === "stdout" ? "log stdout format raw local0 info" : `log ${word(log.address, "syslog address")} local0 info`;
    return [
        "global",
        // master-worker: SIGUSR2 reloads without dropping the listening sockets.
        "    master-worker",
        `    maxconn ${ha.maxconn}`,
        `    ${logLine}`,
        `    stats socket ${HAPROXY_ADMIN_SOCKET} mode 600 level admin expose-fd listeners`,
        "    stats timeout 30s",
        `    node ${node}`,
        // Names this node's own line of the peers section, which is the same on every node.
        ...(peers ? [`    localpeer ${node}`] : []),
        "",
    ];
}

/**
 * Every HAProxy node learns from the others which server each write listener pins, so nodes
 * that hold different VIPs (or take over one) send writes to the same server; and a reloaded
 * process learns it from the old one instead of starting empty and going back to the first
 * server. An HAProxy process teaches its successor only once its own start-up sync is over
 * (about 5 s): reloads right after a start begin empty.
 */
function peersSection(ha: Haproxy, node: string): string[] {
    // The local peer listens on every address (`bind *`): a `peer` line with the node's own address
    // would stop HAProxy from starting whenever that address is not (yet) on an interface.
    return [
        `peers ${PEERS_SECTION}`,
        `    bind *:${ha.peerPort}`,
        ...ha.nodes.map((n) => (n.name === node ? `    server ${n.name}` : `    server ${n.name} ${n.ip}:${ha.peerPort}`)),
        "",
    ];
}

function defaultsSection(ha: Haproxy): string[] {
    const t = ha.timeouts;
    return [
        "defaults",
        "    mode tcp",
        "    log global",
        "    option dontlognull",
        // A connection whose server failed is retried on another one instead of erroring.
        "    option redispatch",
        "    retries 3",
        `    timeout connect ${t.connectMs}ms`,
        `    timeout client ${t.clientMs}ms`,
        `    timeout server ${t.serverMs}ms`,
        `    timeout check ${t.checkMs}ms`,
        "",
    ];
}

/** Check timing shared by every server; shutdown-sessions cuts clients off a dead server at once. */
function defaultServer(ha: Haproxy, extra = ""): string {
    const c = ha.check;
    return `    default-server check${extra} inter ${c.interMs}ms fastinter ${c.fastinterMs}ms fall ${c.fall} rise ${c.rise} on-marked-down shutdown-sessions`;
}

function listenHead(l: Listener): string[] {
    // `*` rather than an address: a node that does not hold the VIP must still be able to bind.
    return [`listen ${l.name}`, `    bind *:${l.port}`, "    option tcplog", "    option tcpka"];
}

/** HTTP check against an xinetd status service that answers 200 (serving) or 503. */
const HTTP_STATUS_CHECK = ["    option httpchk GET /", "    http-check expect status 200"];

/** The health check of a Galera node, the same on the write and the read listener. */
function galeraCheck(t: Topology, ha: Haproxy, port: number): string[] {
    switch (ha.check.kind) {
        case "clustercheck":
            // Only clustercheck sees a node that accepts logins but is not Synced (donor, joining).
            return [...HTTP_STATUS_CHECK, defaultServer(ha, ` port ${port}`)];
        case "mysql-check":
            return [`    option mysql-check user ${t.database.dualMaster?.healthCheckUser ?? DEFAULT_CHECK_USER}`, defaultServer(ha)];
        case "tcp":
            return [defaultServer(ha)];
    }
}

/**
 * One writer: the first server takes every connection, the others are `backup` (without
 * `option allbackups` HAProxy sends to the first backup that is UP, never to several), and a
 * one-key stick table remembers the server that took the last connection. When the pinned
 * server fails, the next one takes over and the key moves to it; when the old one returns it
 * gets nothing until the pinned one fails in turn (HAProxy's equivalent of nopreempt).
 * `balance first` or plain backups would move writes back at once, while clients still hold
 * sessions on the server that took over: two writers.
 * `size 2 nopurge`, although only the key 1 is ever stored: HAProxy allocates each connection's
 * store entry before it finds the existing key, and in a full `nopurge` table that allocation
 * fails, so with `size 1` the key never moves off the first server and writes flap back; without
 * `nopurge` the allocation would purge the key itself, and a connection arriving in between
 * would find no key and go to the first server. No `expire`: the key stays until it moves.
 */
function oneWriter(servers: ReadonlyArray<{ name: string; ip: string }>, port: number): string[] {
    return [
        `    stick-table type integer size 2 nopurge peers ${PEERS_SECTION}`,
        "    stick on int(1)",
        ...servers.map((s, i) => `    server ${s.name} ${s.ip}:${port}${i === 0 ? "" : " backup"}`),
    ];
}

function pxcListen(t: Topology, ha: Haproxy, l: Listener): string[] {
    const pxc = t.database.pxc;
    if (!pxc) throw new Error(`listener ${l.name} balances pxc, which is not configured`);
    const check = galeraCheck(t, ha, pxc.clustercheck.port);
    if (l.role === "read") {
        // Reads go to every Synced node: certification conflicts come from concurrent writers only.
        return [...listenHead(l), `    balance ${ha.balance}`, ...check, ...pxc.nodes.map((n) => `    server ${n.name} ${n.ip}:${GALERA_PORT}`), ""];
    }
    // Writers on several Galera nodes abort each other's transactions at certification (deadlock
    // errors under concurrent writes to the same rows), so every write goes to one node.
    return [...listenHead(l), ...check, ...oneWriter(pxc.nodes, GALERA_PORT), ""];
}

function dualMasterListen(t: Topology, ha: Haproxy, l: Listener): string[] {
    const dm = t.database.dualMaster;
    if (!dm) throw new Error(`listener ${l.name} balances dualMaster, which is not configured`);
    const out = listenHead(l);
    if (ha.check.kind === "tcp") {
        out.push(defaultServer(ha));
    } else if (dm.flavor === "mysql80") {
        // HAProxy before 3.4 cannot complete MySQL 8's handshake (no post-80), so mysql-check
        // would keep both servers DOWN; a TCP connect is the best it can do.
        out.push("    # mysql-check needs post-80 (HAProxy >= 3.4) against MySQL 8: TCP check instead", defaultServer(ha));
    } else {
        // clustercheck is Galera-only; for the pair a login by the password-less check user tells
        // a serving mysqld from a merely open port.
        out.push(`    option mysql-check user ${dm.healthCheckUser}`, defaultServer(ha));
    }
    // One writer at a time: async replication has no conflict detection, and a recovered first
    // server must not get writes back while it may still be catching up.
    out.push(...oneWriter(dm.servers, dm.port), "");
    return out;
}

function mycatListen(t: Topology, ha: Haproxy, l: Listener): string[] {
    const m = t.mycat;
    if (!m) throw new Error(`listener ${l.name} balances mycat, which is not configured`);
    return [
        ...listenHead(l),
        `    balance ${ha.balance}`,
        // mycat_status answers 200 only when MyCat's SQL port sends a MySQL greeting.
        ...HTTP_STATUS_CHECK,
        defaultServer(ha, ` port ${m.ports.status}`),
        ...m.nodes.map((n) => `    server ${n.name} ${n.ip}:${m.ports.server}`),
        "",
    ];
}

function statsListen(ha: Haproxy, password: string): string[] {
    const s = ha.stats;
    return [
        "listen stats",
        `    bind *:${s.port}`,
        "    mode http",
        "    option httplog",
        "    timeout http-request 10s",
        "    stats enable",
        `    stats uri ${s.uri}`,
        "    stats refresh 10s",
        "    stats hide-version",
        // Read-only page: no `stats admin`, so a leaked password cannot take servers down.
        // `stats auth` splits at the first ':', so the password may hold one; the user cannot (schema).
        `    stats auth ${haproxyWord(`${word(s.user, "stats user")}:${password}`)}`,
        "",
    ];
}

export function renderHaproxyCfg(t: Topology, node: string, secrets: Readonly<Record<string, string>>, opts: HaproxyOptions = {}): RenderedFile {
    const ha = t.haproxy;
    if (!ha) throw new Error("haproxy is not configured");
    if (!ha.nodes.some((n) => n.name === node)) throw new Error(`${node} is not an HAProxy node (${ha.nodes.map((n) => n.name).join(", ")})`);
    const password = secretOf(secrets, ha.stats.passwordSecret, "haproxy.stats.passwordSecret");
    const listens = haproxyListeners(t).flatMap((l) => {
        switch (l.backend) {
            case "pxc":
                return pxcListen(t, ha, l);
            case "dualMaster":
                return dualMasterListen(t, ha, l);
            case "mycat":
                return mycatListen(t, ha, l);
        }
    });
    const peers = haproxyListeners(t).some(pinsOneWriter);
    const lines = [
        `# HAProxy node ${node}. Rendered from the stack topology: edit the stack, not this file.`,
        ...globalSection(ha, node, opts.log ?? { kind: "stdout" }, peers),
        ...defaultsSection(ha),
        ...(peers ? peersSection(ha, node) : []),
        ...listens,
        ...statsListen(ha, password),
    ];
    // 0600: it holds the stats password. The config step hands it to the user the image runs
    // HAProxy as (configOwner in haproxy-steps.ts).
    return file(HAPROXY_CFG_PATH, lines.join("\n"), "0600");
}
