// The rendered dual-master files on two real MariaDB 10.11 servers: each replicates from
// the other, keys never collide, and applying a second time restarts nothing.
//
// The test topology puts the "container network" on loopback (subnet 127.0.0.0/24, servers
// 127.0.0.21 and 127.0.0.22, both on one free port), so the renderers run unmodified: the
// replication SQL points at the peer's address from the topology, and the replication user's
// host mask '127.0.0.%' admits the replica, which connects from 127.0.0.1 as a container
// would from its own address. No override or text substitution is needed.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Topology } from "../../model/schema";
import { renderDualMasterCnf } from "../../components/render/mysql-cnf";
import { renderReplicationFiles } from "../../components/render/replication-sql";
import { staleAccountsSql } from "../../components/render/database-users-sql";
import { SecretLookup } from "../../model/rules/secrets";
import { ROOT_CLIENT_CNF } from "../../components/render/client-cnf";
import { applyReplication, loopbackDualMaster, replicaStatus } from "../support/loopback-dual-master";
import { goodSecrets } from "../support/stacks";
import { freePort, hasMariadb, MariadbServer, startMariadb, waitFor } from "../support/mariadb";

const maybe = hasMariadb() ? describe : describe.skip;
if (!hasMariadb()) console.warn("mariadb-replication: mariadbd/mariadb-install-db not found, real replication test SKIPPED");

function testTopology(port: number, replication: Record<string, unknown> = { connectRetryS: 1 }, secrets: Record<string, SecretLookup> = {}) {
    return loopbackDualMaster(port, { replication }, secrets);
}

interface Side {
    readonly name: string;
    readonly server: MariadbServer;
    readonly haDir: string;
}

/**
 * Writes the rendered files into one directory the script is pointed at; only the socket line is
 * added to the client defaults. Again for an update: the files are rewritten in place, and the
 * users.sql they replace is kept as users.sql.previous, as the users step does.
 */
function installFiles(t: Topology, secrets: Readonly<Record<string, string>>, name: string, server: MariadbServer): string {
    const haDir = path.join(server.dir, "ha-mysql");
    if (fs.existsSync(haDir)) fs.copyFileSync(path.join(haDir, "users.sql"), path.join(haDir, "users.sql.previous"));
    else fs.mkdirSync(haDir);
    for (const f of renderReplicationFiles(t, name, secrets)) {
        const extra = f.path === ROOT_CLIENT_CNF ? `socket = ${server.socket}\n` : "";
        fs.writeFileSync(path.join(haDir, path.basename(f.path)), f.content + extra, { mode: parseInt(f.mode, 8) });
    }
    return haDir;
}

/** What the users step does on an update: the accounts only the previous users.sql created go. */
function dropStaleAccounts(side: Side): string {
    const script = staleAccountsSql(path.join(side.haDir, "users.sql.previous"), path.join(side.haDir, "users.sql"));
    const sql = spawnSync("sh", ["-c", script], { encoding: "utf8", timeout: 15_000 });
    if (sql.status !== 0) throw new Error(`stale accounts script failed: ${sql.stderr}`);
    side.server.query(sql.stdout);
    fs.rmSync(path.join(side.haDir, "users.sql.previous"));
    return sql.stdout;
}

const apply = (side: Side) => applyReplication(side.name, side.haDir);
const status = replicaStatus;

const running = (s: MariadbServer) => {
    const st = status(s);
    return st.Slave_IO_Running === "Yes" && st.Slave_SQL_Running === "Yes";
};

/** Connection ids of the replica's own threads: they change whenever it is stopped and started. */
const replicaThreads = (s: MariadbServer) => s.query("SELECT GROUP_CONCAT(ID ORDER BY ID) FROM information_schema.PROCESSLIST WHERE USER = 'system user' AND COMMAND IN ('Slave_IO', 'Slave_SQL')");

maybe("dual-master replication on two real MariaDB servers", () => {
    const sides: Side[] = [];
    let t: Topology;
    let port: number;

    beforeAll(async () => {
        port = await freePort();
        const loaded = testTopology(port);
        t = loaded.topology;
        const dm = t.database.dualMaster;
        if (!dm) throw new Error("test topology has no dualMaster");
        for (const s of dm.servers) {
            const cnfDir = fs.mkdtempSync("/tmp/dm-cnf-");
            const cnf = path.join(cnfDir, `${s.name}.cnf`);
            fs.writeFileSync(cnf, renderDualMasterCnf(t, s.name).content);
            try {
                // The rendered cnf is read first; the test's datadir, socket and loopback address follow it.
                const server = await startMariadb({ name: s.name, bindAddress: s.ip, port, rootPassword: loaded.secrets[dm.rootPasswordSecret], includes: [cnf] });
                sides.push({ name: s.name, server, haDir: installFiles(t, loaded.secrets, s.name, server) });
            } finally {
                fs.rmSync(cnfDir, { recursive: true, force: true });
            }
        }
    }, 120_000);

    afterAll(async () => {
        await Promise.all(sides.map((s) => s.server.stop()));
    }, 60_000);

    it("runs the rendered settings on both servers", () => {
        expect(sides.map((s) => s.name)).toEqual(["dm1", "dm2"]);
        const vars = sides.map((s) => s.server.query("SELECT CONCAT_WS(' ', @@server_id, @@gtid_domain_id, @@log_bin, @@log_slave_updates, @@binlog_format, @@gtid_strict_mode, @@auto_increment_increment, @@auto_increment_offset, @@skip_name_resolve)"));
        expect(vars).toEqual(["1 1 ON ON ROW ON 2 1 ON", "2 2 ON ON ROW ON 2 2 ON"]);
    });

    it("applies users and replication on each side, without writing the users to the binlog", () => {
        for (const side of sides) expect(apply(side)).toMatch(/^replication changed: /m);
        for (const side of sides) expect(side.server.query("SELECT @@gtid_binlog_pos")).toBe("");
    }, 120_000);

    it("brings both replicas up within 20 s", async () => {
        const up = await waitFor(() => sides.every((s) => running(s.server)), 20_000);
        if (!up) throw new Error(`replicas not running: ${JSON.stringify(sides.map((s) => [s.name, status(s.server).Last_IO_Error, status(s.server).Slave_IO_Running]))}`);
        for (const side of sides) {
            const peer = sides.find((x) => x !== side);
            const st = status(side.server);
            expect([st.Master_Host, st.Master_Port, st.Master_User, st.Using_Gtid]).toEqual([peer?.server.bindAddress, String(peer?.server.port), "repl", "Slave_Pos"]);
        }
    }, 30_000);

    it("grants the replication user REPLICATION SLAVE only, and lets the check user in without a password", () => {
        const [a] = sides;
        expect(a.server.query("SHOW GRANTS FOR 'repl'@'127.0.0.%'")).toMatch(/^GRANT REPLICATION SLAVE ON \*\.\* TO `repl`@`127\.0\.0\.%` IDENTIFIED BY PASSWORD '\*[0-9A-F]{40}'$/);
        const check = spawnSync("mariadb", ["--no-defaults", "-h", a.server.bindAddress, "-P", String(a.server.port), "-u", "hacheck", "-e", "SELECT CURRENT_USER()"], { encoding: "utf8", timeout: 15_000 });
        expect(check.stderr).toBe("");
        expect(check.stdout).toContain("hacheck@127.0.0.%");
    });

    it("replicates writes both ways, with keys that never collide", async () => {
        const [a, b] = sides;
        a.server.query("CREATE DATABASE app; CREATE TABLE app.k (id INT AUTO_INCREMENT PRIMARY KEY, origin VARCHAR(8) NOT NULL)");
        expect(await waitFor(() => b.server.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'app' AND TABLE_NAME = 'k'") === "1", 20_000)).toBe(true);
        for (let i = 0; i < 5; i++) {
            a.server.query("INSERT INTO app.k (origin) VALUES ('dm1')");
            b.server.query("INSERT INTO app.k (origin) VALUES ('dm2')");
        }
        const both = await waitFor(() => sides.every((s) => s.server.query("SELECT COUNT(*) FROM app.k") === "10"), 20_000);
        expect(both).toBe(true);
        const rows = sides.map((s) => s.server.query("SELECT CONCAT(id, ':', origin) FROM app.k ORDER BY id"));
        expect(rows[0]).toBe(rows[1]);
        const parsed = rows[0].split("\n").map((r) => r.split(":"));
        expect(new Set(parsed.map(([id]) => id)).size).toBe(10);
        // auto_increment_offset 1 and 2 of increment 2: dm1 writes odd keys, dm2 even ones.
        for (const [id, origin] of parsed) expect(Number(id) % 2).toBe(origin === "dm1" ? 1 : 0);
        expect(sides.every((s) => running(s.server))).toBe(true);
    }, 60_000);

    it("changes nothing when applied a second time", () => {
        const before = sides.map((s) => ({ threads: replicaThreads(s.server), st: status(s.server) }));
        expect(before.every((b) => /^\d+,\d+$/.test(b.threads))).toBe(true);
        for (const side of sides) expect(apply(side)).toMatch(/^replication unchanged: /m);
        const after = sides.map((s) => ({ threads: replicaThreads(s.server), st: status(s.server) }));
        after.forEach((a, i) => {
            expect(a.threads).toBe(before[i].threads);
            for (const k of ["Master_Log_File", "Read_Master_Log_Pos", "Gtid_IO_Pos", "Relay_Log_File"]) expect(a.st[k]).toBe(before[i].st[k]);
        });
        for (const side of sides) expect(side.server.query("SELECT @@gtid_binlog_pos")).not.toMatch(/^$/);
    }, 120_000);

    it("re-applies when the replica is stopped (the check is not vacuous)", async () => {
        const [a] = sides;
        const threads = replicaThreads(a.server);
        a.server.query("STOP SLAVE");
        expect(apply(a)).toMatch(/^replication changed: dm1 was \[127\.0\.0\.22 \d+ repl Slave_Pos No No No\]/m);
        expect(await waitFor(() => running(a.server), 20_000)).toBe(true);
        expect(replicaThreads(a.server)).not.toBe(threads);
    }, 60_000);

    /** Forces each replica to log in again: a stored password that no longer works shows here. */
    async function reconnectBoth(): Promise<void> {
        for (const side of sides) side.server.query("STOP SLAVE; START SLAVE");
        const up = await waitFor(() => sides.every((s) => running(s.server)), 20_000);
        if (!up) throw new Error(`replicas not running after a reconnect: ${JSON.stringify(sides.map((s) => [s.name, status(s.server).Last_IO_Error]))}`);
    }

    it("a new replication password: both sides re-apply (status alone looks unchanged) and reconnect with it", async () => {
        const updated = testTopology(port, { connectRetryS: 1 }, { replicationPassword: { value: "a-New-Replication-Password-7", secret: true } });
        // The update writes every server's files first (the users steps), then applies (the replication steps).
        for (const side of sides) installFiles(updated.topology, updated.secrets, side.name, side.server);
        for (const side of sides) expect(dropStaleAccounts(side)).toBe("SET SESSION sql_log_bin = 0;\n");
        for (const side of sides) expect(apply(side)).toMatch(/^replication changed: dm\d follows .* but replication\.sql differs from the one last applied/m);
        await reconnectBoth();
        for (const side of sides) expect(apply(side)).toMatch(/^replication unchanged: /m);
    }, 90_000);

    it("the old password no longer logs in (the reconnect above proves the new one)", () => {
        const [a, b] = sides;
        const old = goodSecrets()("replicationPassword")?.value ?? "";
        const login = (password: string) => spawnSync("mariadb", ["--no-defaults", "-h", a.server.bindAddress, "-P", String(a.server.port), "-u", "repl", `-p${password}`, "-e", "SELECT 1"], { encoding: "utf8", timeout: 15_000 });
        expect(login(old).status).not.toBe(0);
        expect(login("a-New-Replication-Password-7").status).toBe(0);
        expect(b.name).toBe("dm2");
    });

    it("a renamed replication user: the old account is dropped and both replicas follow as the new one", async () => {
        const renamed = testTopology(port, { connectRetryS: 1, user: "repl2" }, { replicationPassword: { value: "a-New-Replication-Password-7", secret: true } });
        for (const side of sides) installFiles(renamed.topology, renamed.secrets, side.name, side.server);
        for (const side of sides) expect(dropStaleAccounts(side)).toBe("SET SESSION sql_log_bin = 0;\nDROP USER IF EXISTS 'repl'@'127.0.0.%';\n");
        for (const side of sides) expect(apply(side)).toMatch(/^replication changed: dm\d was \[\S+ \d+ repl Slave_Pos No Yes Yes\], now follows .* as repl2$/m);
        await reconnectBoth();
        for (const side of sides) {
            expect(side.server.query("SELECT GROUP_CONCAT(CONCAT(User, '@', Host) ORDER BY User) FROM mysql.user WHERE User LIKE 'repl%'")).toBe("repl2@127.0.0.%");
            expect(status(side.server).Master_User).toBe("repl2");
            // Kept out of the binlog like the users themselves.
            expect(side.server.query("SHOW BINLOG EVENTS").toUpperCase()).not.toContain("DROP USER");
        }
    }, 90_000);
});
