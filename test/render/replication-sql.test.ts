// Users SQL, replication SQL and the apply script: golden per stack, shellcheck on every
// script, every MariaDB-flavor statement run on a real throwaway MariaDB server, and the
// MySQL flavors checked for the statements each version accepts (no MySQL server here).
import { Topology } from "../../model/schema";
import { healthCheckHosts, hostMask, renderGaleraUsersSql, renderUsersSql } from "../../components/render/database-users-sql";
import { ROOT_CLIENT_CNF } from "../../components/render/client-cnf";
import { renderReplicationApplyScript, renderReplicationFiles, renderReplicationSql, replicationSource } from "../../components/render/replication-sql";
import { HA_MYSQL_DIR } from "../../components/render/mysql-cnf";
import { allStackFiles, loadStackFile, stackLabel } from "../support/stacks";
import { expectGolden } from "../support/golden";
import { shellcheck } from "../support/validators";
import { freePort, hasMariadb, MariadbServer, startMariadb } from "../support/mariadb";

interface Stack {
    readonly label: string;
    readonly t: Topology;
    readonly secrets: Readonly<Record<string, string>>;
}

const stacks: Stack[] = allStackFiles().map((f) => {
    const { topology, secrets } = loadStackFile(f);
    return { label: stackLabel(f), t: topology, secrets };
});

const servers = stacks.flatMap((stack) => (stack.t.database.dualMaster?.servers ?? []).map((s) => ({ stack, name: s.name, flavor: stack.t.database.dualMaster?.flavor ?? "mysql80" })));
const galeras = stacks.filter((s) => s.t.database.pxc);

describe("dual-master users and replication", () => {
    it("has servers and Galera clusters to render", () => {
        expect(servers.length).toBeGreaterThan(0);
        expect(galeras.length).toBeGreaterThan(0);
        expect([...new Set(servers.map((s) => s.flavor))]).toEqual(expect.arrayContaining(["mariadb", "mysql57"]));
    });

    describe.each(servers.map((s) => [`${s.stack.label} ${s.name}`, s] as const))("%s", (_label, { stack, name, flavor }) => {
        const users = renderUsersSql(stack.t, name, stack.secrets);
        const repl = renderReplicationSql(stack.t, name, stack.secrets);
        const apply = renderReplicationApplyScript(stack.t, name);

        it("matches its golden files", () => {
            expectGolden(`${stack.label}/users-${name}.sql`, users);
            expectGolden(`${stack.label}/replication-${name}.sql`, repl);
            expectGolden(`${stack.label}/apply-replication-${name}.sh`, apply.content);
        });

        it("has a shellcheck-clean apply script without any secret", () => {
            expect(shellcheck(apply.content)).toEqual({ code: 0, output: "" });
            expect(apply.mode).toBe("0755");
            for (const value of Object.values(stack.secrets)) expect(apply.content).not.toContain(value);
        });

        it("keeps the passwords in 0600 files only", () => {
            const files = renderReplicationFiles(stack.t, name, stack.secrets);
            expect(files.map((f) => f.path)).toEqual([ROOT_CLIENT_CNF, `${HA_MYSQL_DIR}/users.sql`, `${HA_MYSQL_DIR}/replication.sql`, `${HA_MYSQL_DIR}/apply-replication.sh`]);
            for (const f of files) {
                const holdsSecret = Object.values(stack.secrets).some((v) => f.content.includes(v));
                expect(f.mode).toBe(holdsSecret ? "0600" : "0755");
            }
        });

        it("points at the other server", () => {
            const peer = stack.t.database.dualMaster?.servers.find((s) => s.name !== name);
            expect(replicationSource(stack.t, name)).toEqual({ name: peer?.name, host: peer?.ip, port: stack.t.database.dualMaster?.port });
            expect(repl).toContain(`_HOST = '${peer?.ip}'`);
        });

        it("creates users idempotently, outside the binlog, scoped to the Docker subnet", () => {
            expect(users.split("\n").filter((l) => !l.startsWith("--"))[0]).toBe("SET SESSION sql_log_bin = 0;");
            expect(users).toContain(`'repl'@'${hostMask(stack.t.network.subnet)}'`);
            expect(users).not.toMatch(/@'%'/);
            expect(users).toMatch(/^GRANT REPLICATION SLAVE ON \*\.\* TO 'repl'@/m);
            // Only the replication grant is global; the app account gets its own database only.
            expect(users.match(/^GRANT .* ON \*\.\* /gm)).toHaveLength(1);
            const app = stack.t.database.dualMaster?.app;
            if (app) expect(users).toContain(`GRANT ALL ON \`${app.database}\`.* TO '${app.user}'@'${hostMask(stack.t.network.subnet)}';`);
            for (const h of healthCheckHosts(stack.t)) expect(users).toContain(`CREATE USER IF NOT EXISTS 'hacheck'@'${h}'`);
        });

        it(`uses the ${flavor} statements`, () => {
            const d = { mariadb: /MASTER_USE_GTID = slave_pos/, mysql57: /MASTER_AUTO_POSITION = 1/, mysql80: /SOURCE_AUTO_POSITION = 1/ }[flavor];
            expect(repl).toMatch(d);
            if (flavor === "mysql80") expect(repl).toMatch(/^STOP REPLICA;\nCHANGE REPLICATION SOURCE TO\n[^;]*GET_SOURCE_PUBLIC_KEY = 1,[^;]*;\nSTART REPLICA;$/m);
            else expect(repl).toMatch(/^STOP SLAVE;\nCHANGE MASTER TO\n[^;]*MASTER_CONNECT_RETRY = \d+;\nSTART SLAVE;$/m);
            if (flavor === "mariadb") expect(repl).not.toMatch(/AUTO_POSITION|REPLICATION SOURCE/);
        });
    });

    it("renders MySQL 8.0 statements and status fields", () => {
        const dm = stacks.find((s) => s.label === "tutorial-001");
        if (!dm?.t.database.dualMaster) throw new Error("no tutorial-001 stack");
        const t: Topology = { ...dm.t, database: { dualMaster: { ...dm.t.database.dualMaster, flavor: "mysql80" } } };
        const repl = renderReplicationSql(t, "mysqlb", dm.secrets);
        expect(repl).toMatch(/SOURCE_HOST = '172\.18\.0\.21',\n {4}SOURCE_PORT = 3306,/);
        expect(repl).not.toMatch(/MASTER|SLAVE/);
        const apply = renderReplicationApplyScript(t, "mysqlb").content;
        expect(apply).toContain("SHOW REPLICA STATUS");
        expect(apply).toContain("$(field Replica_IO_Running) $(field Replica_SQL_Running)");
        expect(shellcheck(apply).code).toBe(0);
        expect(renderUsersSql(t, "mysqlb", dm.secrets)).toContain("IDENTIFIED WITH mysql_native_password BY ''");
    });

    it("shellcheck rejects a corrupted apply script", () => {
        const [first] = servers;
        const broken = renderReplicationApplyScript(first.stack.t, first.name).content.replace('"${client[@]}" --batch < "$dir/users.sql"', "${client[@]} --batch < $dir/users.sql");
        const v = shellcheck(broken);
        expect(v.code).not.toBe(0);
        expect(v.output).toMatch(/SC2068|SC2086/);
    });
});

describe("host masks", () => {
    it.each([
        ["172.18.0.0/24", "172.18.0.%"],
        ["172.18.0.0/16", "172.18.%"],
        ["10.0.0.0/8", "10.%"],
        ["172.18.0.0/20", "172.18.0.0/255.255.240.0"],
        ["172.18.5.9/20", "172.18.0.0/255.255.240.0"],
        ["172.18.0.128/25", "172.18.0.128/255.255.255.128"],
        ["172.18.0.7/32", "172.18.0.7"],
    ])("%s -> %s", (cidr, mask) => expect(hostMask(cidr)).toBe(mask));
});

describe("Galera users", () => {
    it.each(galeras.map((s) => [s.label, s] as const))("%s matches its golden file", (_label, s) => {
        const sql = renderGaleraUsersSql(s.t, s.secrets);
        expectGolden(`${s.label}/galera-users.sql`, sql);
        const pxc = s.t.database.pxc;
        if (pxc?.flavor === "mariadb") expect(sql).toContain("BINLOG MONITOR ON *.* TO 'mariabackup'@'localhost'");
        if (pxc?.flavor === "pxc57" && pxc.sstMethod === "xtrabackup-v2") expect(sql).toContain("GRANT RELOAD, PROCESS, LOCK TABLES, REPLICATION CLIENT ON *.* TO 'xtrabackup'@'localhost'");
        if (pxc?.flavor !== "mariadb") expect(sql).toContain(`GRANT PROCESS ON *.* TO '${pxc?.clustercheck.user}'@'localhost'`);
    });
});

const maybe = hasMariadb() ? describe : describe.skip;
if (!hasMariadb()) console.warn("replication-sql: mariadbd not found, real SQL checks SKIPPED");

maybe("MariaDB-flavor SQL on a real MariaDB 10.11 server", () => {
    let server: MariadbServer | undefined;
    const db = () => {
        if (!server) throw new Error("server not started");
        return server;
    };

    beforeAll(async () => {
        server = await startMariadb({ name: "sqlcheck", bindAddress: "127.0.0.51", port: await freePort(), rootPassword: "Root-Test-Value-42" });
    }, 60_000);

    afterAll(async () => {
        await server?.stop();
    }, 60_000);

    const mariadbServers = servers.filter((s) => s.flavor === "mariadb");
    const mariadbGaleras = galeras.filter((s) => s.t.database.pxc?.flavor === "mariadb");

    it("has MariaDB-flavor SQL to run", () => {
        expect(mariadbServers.length).toBeGreaterThan(0);
        expect(mariadbGaleras.length).toBeGreaterThan(0);
    });

    it.each(mariadbServers.map((s) => [`${s.stack.label} ${s.name}`, s] as const))("%s: users and replication SQL run twice without error", (_l, s) => {
        for (let i = 0; i < 2; i++) {
            db().query(renderUsersSql(s.stack.t, s.name, s.stack.secrets));
            // Starts a replica towards an address nobody answers here; it is reset right after.
            db().query(renderReplicationSql(s.stack.t, s.name, s.stack.secrets));
        }
        const st = db().query("SHOW SLAVE STATUS", ["--vertical"]);
        expect(st).toMatch(/Master_Host: 172\.18\.0\.\d+/);
        expect(st).toMatch(/Using_Gtid: Slave_Pos/);
        db().query("STOP SLAVE; RESET SLAVE ALL");
        expect(db().query("SELECT COUNT(*) FROM mysql.user WHERE User = 'repl'")).toBe("1");
    });

    it.each(mariadbGaleras.map((s) => [s.label, s] as const))("%s: Galera users SQL runs twice without error", (_l, s) => {
        db().query(renderGaleraUsersSql(s.t, s.secrets));
        db().query(renderGaleraUsersSql(s.t, s.secrets));
        expect(db().query("SHOW GRANTS FOR 'clustercheck'@'127.0.0.1'")).toMatch(/^GRANT USAGE ON \*\.\* TO `clustercheck`@`127\.0\.0\.1`/);
    });

    it("accepts the address/netmask host form rendered for non-octet subnets", () => {
        const mask = hostMask("172.18.0.0/20");
        db().query(`CREATE USER IF NOT EXISTS 'masktest'@'${mask}'`);
        expect(db().query(`SELECT COUNT(*) FROM mysql.user WHERE Host = '${mask}'`)).toBe("1");
    });

    it("rejects MySQL's auto-position in MariaDB (the real check can fail)", () => {
        const s = mariadbServers[0];
        const broken = renderReplicationSql(s.stack.t, s.name, s.stack.secrets).replace("MASTER_USE_GTID = slave_pos", "MASTER_AUTO_POSITION = 1");
        const r = db().sql(broken);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/ERROR 1064/);
    });
});
