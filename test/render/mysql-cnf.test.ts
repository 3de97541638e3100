// Server option files: golden per stack, the real mariadbd option parser on every MariaDB
// file, a real single-node Galera bootstrap from the rendered file, and for PXC/MySQL
// (no such server on this machine) a structural check against the options each flavor knows.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Topology } from "../../model/schema";
import {
    DUAL_MASTER_CNF_DIR,
    GALERA_CNF_DIR,
    GALERA_PROVIDER,
    renderDualMasterCnf,
    renderGaleraCnf,
    renderGaleraSecretCnf,
    evsOptions,
} from "../../components/render/mysql-cnf";
import * as fc from "fast-check";
import { renderGaleraUsersSql } from "../../components/render/database-users-sql";
import { allStackFiles, loadStackFile, stackLabel } from "../support/stacks";
import { expectGolden } from "../support/golden";
import { Verdict } from "../support/validators";
import { freePort, hasMariadb, MariadbServer, startMariadb } from "../support/mariadb";
import { caScript, renderDualMasterTlsCnf, renderGaleraTlsCnf, serverCertScript, splitKeyAndCertificate, TLS_DIR, tlsFiles } from "../../components/render/tls";

/** The stack's TLS files for one server, made by the rendered scripts, in dir (returned). */
function localTlsFiles(dir: string, server: string): string {
    const sh = (script: string, input?: string) => {
        const r = spawnSync("sh", ["-c", script], { input, encoding: "utf8", timeout: 60_000 });
        if (r.status !== 0) throw new Error(`certificate script failed: ${r.stderr}`);
        return r.stdout;
    };
    const ca = sh(caScript("ha-mysql test CA", 30));
    for (const f of tlsFiles(dir, splitKeyAndCertificate(ca, "ca").certificate, splitKeyAndCertificate(sh(serverCertScript({ name: server, ips: ["127.0.0.41"] }, 30), ca), server))) {
        fs.mkdirSync(path.dirname(f.path), { recursive: true });
        fs.writeFileSync(f.path, f.content, { mode: parseInt(f.mode, 8) });
    }
    return dir;
}

interface Stack {
    readonly label: string;
    readonly t: Topology;
    readonly secrets: Readonly<Record<string, string>>;
}

const stacks: Stack[] = allStackFiles().map((f) => {
    const { topology, secrets } = loadStackFile(f);
    return { label: stackLabel(f), t: topology, secrets };
});

type Flavor = "mariadb" | "pxc57" | "pxc80" | "mysql57" | "mysql80";

interface Case {
    readonly stack: Stack;
    readonly name: string;
    readonly flavor: Flavor;
    /** The main fragment plus its secret companion, in the order the server reads them. */
    readonly files: { golden: string; path: string; mode: string; content: string }[];
}

const galeraCases: Case[] = stacks.flatMap((stack) => {
    const pxc = stack.t.database.pxc;
    if (!pxc) return [];
    return pxc.nodes.map((n) => {
        const main = renderGaleraCnf(stack.t, n.name);
        const secret = renderGaleraSecretCnf(stack.t, n.name, stack.secrets);
        return {
            stack,
            name: n.name,
            flavor: pxc.flavor,
            files: [{ golden: `my-${n.name}.cnf`, ...main }, ...secret.map((f) => ({ golden: `my-${n.name}-sst-auth.cnf`, ...f })), ...renderGaleraTlsCnf(stack.t).map((f) => ({ golden: `my-${n.name}-tls.cnf`, ...f }))],
        };
    });
});

const dualMasterCases: Case[] = stacks.flatMap((stack) => {
    const dm = stack.t.database.dualMaster;
    if (!dm) return [];
    return dm.servers.map((s) => ({ stack, name: s.name, flavor: dm.flavor, files: [{ golden: `my-${s.name}.cnf`, ...renderDualMasterCnf(stack.t, s.name) }, ...renderDualMasterTlsCnf(stack.t).map((f) => ({ golden: `my-${s.name}-tls.cnf`, ...f }))] }));
});

const allCases = [...galeraCases, ...dualMasterCases];
const joined = (c: Case) => c.files.map((f) => f.content).join("\n");

/** mariadbd parses every option file it is given and exits non-zero on an unknown variable or a bad value. */
function mariadbdOptionCheck(cnf: string): Verdict {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnf-check-"));
    try {
        const f = path.join(dir, "my.cnf");
        fs.writeFileSync(f, cnf);
        const r = spawnSync("mariadbd", [`--defaults-file=${f}`, "--user=root", `--datadir=${path.join(dir, "data")}`, "--help", "--verbose"], { encoding: "utf8", timeout: 60_000 });
        if (r.error) throw r.error;
        return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Value mariadbd reports for a variable in the --help --verbose table ("wsrep-node-address   172.18.0.2"). */
function effective(output: string, variable: string): string | undefined {
    const line = output.split("\n").find((l) => l.startsWith(`${variable} `));
    return line?.slice(variable.length).trim();
}

// Debian ships no MySQL or PXC server, so none runs on the test machine: their files are
// checked against the option names each server version documents for the settings we render.
const MYSQL_COMMON = [
    "server_id", "port", "bind_address", "report_host", "skip_name_resolve", "log_bin", "binlog_format", "relay_log", "relay_log_recovery",
    "sync_binlog", "innodb_flush_log_at_trx_commit", "auto_increment_increment", "auto_increment_offset", "gtid_mode", "enforce_gtid_consistency",
    "default_storage_engine", "innodb_autoinc_lock_mode", "max_connect_errors", "ssl_ca", "ssl_cert", "ssl_key",
];
const WSREP_COMMON = ["wsrep_provider", "wsrep_cluster_name", "wsrep_cluster_address", "wsrep_node_address", "wsrep_node_name", "wsrep_sst_method", "wsrep_provider_options", "pxc_strict_mode", "pxc_encrypt_cluster_traffic"];
const KNOWN_OPTIONS: Readonly<Record<Exclude<Flavor, "mariadb">, ReadonlySet<string>>> = {
    // log_replica_updates exists from 8.0.26 only; 5.7 knows log_slave_updates.
    mysql57: new Set([...MYSQL_COMMON, "log_slave_updates", "master_info_repository", "relay_log_info_repository"]),
    mysql80: new Set([...MYSQL_COMMON, "log_replica_updates", "log_slave_updates"]),
    pxc57: new Set([...MYSQL_COMMON, "log_slave_updates", ...WSREP_COMMON, "wsrep_sst_auth"]),
    // PXC 8.0 removed wsrep_sst_auth (SST uses an internal user).
    pxc80: new Set([...MYSQL_COMMON, "log_replica_updates", "log_slave_updates", ...WSREP_COMMON]),
};
const SST_METHODS: Readonly<Record<"pxc57" | "pxc80", ReadonlySet<string>>> = { pxc57: new Set(["xtrabackup-v2", "rsync"]), pxc80: new Set(["xtrabackup-v2"]) };

/** Problems a MySQL/PXC server would refuse at start: unknown names, malformed lines, wrong values. */
function structuralProblems(flavor: Exclude<Flavor, "mariadb">, cnf: string): string[] {
    const problems: string[] = [];
    let section = "";
    const values = new Map<string, string>();
    for (const raw of cnf.split("\n")) {
        const line = raw.trim();
        if (line === "" || line.startsWith("#")) continue;
        const head = /^\[([a-z_]+)\]$/.exec(line);
        if (head) {
            section = head[1];
            continue;
        }
        const kv = /^([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(\S.*)$/.exec(line);
        if (!kv) {
            problems.push(`malformed line: ${line}`);
            continue;
        }
        if (section !== "mysqld") problems.push(`option outside [mysqld]: ${line}`);
        const name = kv[1].replace(/-/g, "_");
        if (!KNOWN_OPTIONS[flavor].has(name)) problems.push(`unknown to ${flavor}: ${name}`);
        values.set(name, kv[2].replace(/^"(.*)"$/, "$1"));
    }
    const binlog = values.get("binlog_format");
    if (binlog !== undefined && binlog !== "ROW") problems.push(`binlog_format ${binlog}`);
    if (values.get("gtid_mode") === "ON" && values.get("enforce_gtid_consistency") !== "ON") problems.push("gtid_mode=ON needs enforce_gtid_consistency=ON");
    if (flavor === "pxc57" || flavor === "pxc80") {
        const sst = values.get("wsrep_sst_method");
        if (sst !== undefined && !SST_METHODS[flavor].has(sst)) problems.push(`wsrep_sst_method ${sst} unknown to ${flavor}`);
        const strict = values.get("pxc_strict_mode");
        if (strict !== undefined && !["ENFORCING", "PERMISSIVE", "MASTER", "DISABLED"].includes(strict)) problems.push(`pxc_strict_mode ${strict}`);
        const provider = values.get("wsrep_provider");
        if (provider !== undefined && provider !== GALERA_PROVIDER[flavor]) problems.push(`wsrep_provider ${provider}`);
    }
    return problems;
}

describe("MySQL option files", () => {
    it("renders the Galera and dual-master files of every applicable stack", () => {
        expect(galeraCases.length).toBeGreaterThan(0);
        expect(dualMasterCases.length).toBeGreaterThan(0);
        // The flavors the stacks exercise: dev (Galera mariadb, dual-master mariadb), tutorial (pxc57), tutorial-001 (mysql57).
        expect([...new Set(galeraCases.map((c) => c.flavor))]).toEqual(expect.arrayContaining(["mariadb", "pxc57"]));
        expect([...new Set(dualMasterCases.map((c) => c.flavor))]).toEqual(expect.arrayContaining(["mariadb", "mysql57"]));
    });

    describe.each(allCases.map((c) => [`${c.stack.label} ${c.name}`, c] as const))("%s", (_label, c) => {
        it("matches its golden files", () => {
            for (const f of c.files) expectGolden(`${c.stack.label}/${f.golden}`, f.content);
        });

        it("goes where the image reads it, with secrets only in a 0600 file", () => {
            const [main] = c.files;
            const secret = c.files.filter((f) => f.golden.endsWith("-sst-auth.cnf"));
            const tls = c.files.filter((f) => f.golden.endsWith("-tls.cnf"));
            const isGalera = galeraCases.includes(c);
            const dir = isGalera ? GALERA_CNF_DIR[c.flavor as "mariadb"] : DUAL_MASTER_CNF_DIR[c.flavor as "mariadb"];
            expect(path.dirname(main.path)).toBe(dir);
            expect(main.mode).toBe("0644");
            for (const value of Object.values(c.stack.secrets)) expect(main.content).not.toContain(value);
            for (const f of secret) {
                expect(f.mode).toBe("0600");
                expect(path.dirname(f.path)).toBe(dir);
                expect(f.content).toMatch(/^wsrep_sst_auth = "\w+:\S+"$/m);
            }
            // The TLS fragment names files, never their content.
            expect(tls.map((f) => [path.dirname(f.path), f.mode])).toEqual(c.stack.t.tls.enabled ? [[dir, "0644"]] : []);
        });

        if (c.flavor === "mariadb") {
            it("is accepted by mariadbd's option parser, with our values in effect", () => {
                const v = mariadbdOptionCheck(joined(c));
                expect(v.output).not.toMatch(/\[ERROR\]/);
                expect(v.code).toBe(0);
                expect(effective(v.output, "binlog-format")).toBe("ROW");
                if (galeraCases.includes(c)) {
                    const node = c.stack.t.database.pxc?.nodes.find((n) => n.name === c.name);
                    expect(effective(v.output, "wsrep-node-address")).toBe(node?.ip);
                    expect(effective(v.output, "wsrep-on")).toBe("TRUE");
                    expect(effective(v.output, "wsrep-provider")).toBe("/usr/lib/galera/libgalera_smm.so");
                } else {
                    const s = c.stack.t.database.dualMaster?.servers.find((x) => x.name === c.name);
                    expect(effective(v.output, "server-id")).toBe(String(s?.serverId));
                    expect(effective(v.output, "auto-increment-offset")).toBe(String(s?.autoIncrementOffset));
                    expect(effective(v.output, "gtid-strict-mode")).toBe("TRUE");
                }
            });
        } else {
            it(`passes the structural check for ${c.flavor} (no ${c.flavor} server here to parse it)`, () => {
                expect(structuralProblems(c.flavor as Exclude<Flavor, "mariadb">, joined(c))).toEqual([]);
            });
        }
    });

    it("the mariadbd check rejects an unknown option, a misspelled wsrep option and a bad value", () => {
        const c = galeraCases.find((x) => x.flavor === "mariadb");
        if (!c) throw new Error("no MariaDB Galera case");
        const unknown = mariadbdOptionCheck(`${joined(c)}[mysqld]\nno_such_option = 1\n`);
        expect(unknown.code).not.toBe(0);
        expect(unknown.output).toMatch(/unknown variable 'no_such_option=1'/);
        const misspelled = mariadbdOptionCheck(joined(c).replace("wsrep_node_name ", "wsrep_nodename "));
        expect(misspelled.code).not.toBe(0);
        expect(misspelled.output).toMatch(/unknown variable 'wsrep_nodename=/);
        const badValue = mariadbdOptionCheck(joined(c).replace(/^binlog_format(\s*)= ROW$/m, "binlog_format$1= ROWS"));
        expect(badValue.code).not.toBe(0);
        expect(badValue.output).toMatch(/binlog_format/);
    });

    it("the structural check rejects an unknown option and an option of the wrong version", () => {
        const c = dualMasterCases.find((x) => x.flavor === "mysql57");
        if (!c) throw new Error("no mysql57 case");
        expect(structuralProblems("mysql57", `${joined(c)}[mysqld]\nno_such_option = 1\n`)).toEqual(["unknown to mysql57: no_such_option"]);
        expect(structuralProblems("mysql57", joined(c).replace("log_slave_updates", "log_replica_updates"))).toEqual(["unknown to mysql57: log_replica_updates"]);
        const pxc = galeraCases.find((x) => x.flavor === "pxc57");
        if (!pxc) throw new Error("no pxc57 case");
        expect(structuralProblems("pxc80", joined(pxc))).toContain("unknown to pxc80: wsrep_sst_auth");
    });

    it("renders the flavor differences", () => {
        const t = stacks.find((s) => s.label === "tutorial")?.t;
        if (!t) throw new Error("no tutorial stack");
        const pxc57 = renderGaleraCnf(t, "pn1").content;
        expect(pxc57).toMatch(/^pxc_strict_mode\s+= ENFORCING$/m);
        expect(pxc57).not.toMatch(/^wsrep_on/m);
        const pxc80: Topology = { ...t, database: { ...t.database, pxc: t.database.pxc && { ...t.database.pxc, flavor: "pxc80" } } };
        expect(renderGaleraCnf(pxc80, "pn1").content).toMatch(/^wsrep_provider\s+= \/usr\/lib64\/galera4\/libgalera_smm\.so$/m);
        expect(renderGaleraSecretCnf(pxc80, "pn1", { sstPassword: "x" })).toEqual([]);
        const dm = stacks.find((s) => s.label === "tutorial-001")?.t;
        if (!dm?.database.dualMaster) throw new Error("no tutorial-001 stack");
        const mysql80: Topology = { ...dm, database: { dualMaster: { ...dm.database.dualMaster, flavor: "mysql80" } } };
        const text = renderDualMasterCnf(mysql80, "mysqla").content;
        expect(text).toMatch(/^log_replica_updates\s+= ON$/m);
        expect(text).not.toMatch(/log_slave_updates|master_info_repository/);
        expect(structuralProblems("mysql80", text)).toEqual([]);
    });
});

describe("Galera evs timeouts from the suspect timeout", () => {
    const seconds = (opts: string[], key: string): number => {
        const m = new RegExp(`^evs\\.${key}=PT(\\d+(?:\\.\\d+)?)S$`).exec(opts.find((o) => o.startsWith(`evs.${key}=`)) ?? "");
        if (!m) throw new Error(`evs.${key} missing or not an ISO 8601 period in ${opts.join("; ")}`);
        return Number(m[1]);
    };

    it("keeps Galera's order for every allowed value: inactive_check <= keepalive < suspect <= install <= inactive", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1000, max: 60000 }), (ms) => {
                const o = evsOptions(ms);
                const [check, keepalive, suspect, install, inactive] = ["inactive_check_period", "keepalive_period", "suspect_timeout", "install_timeout", "inactive_timeout"].map((k) => seconds(o, k));
                expect(suspect).toBeCloseTo(ms / 1000, 3);
                expect(check).toBeLessThanOrEqual(keepalive);
                // Three keepalives fit in the suspect window: one lost packet suspects nobody.
                expect(3 * keepalive).toBeLessThan(suspect);
                expect(suspect).toBeLessThanOrEqual(install);
                expect(install).toBeLessThanOrEqual(inactive);
                // Never below Galera's defaults: a short install round splits a cluster a restarting node rejoins.
                expect(install).toBeGreaterThanOrEqual(7.5);
                expect(inactive).toBeGreaterThanOrEqual(15);
            }),
        );
    });

    it("renders Galera's own defaults at 5 s, and keeps install and inactive there for shorter ones", () => {
        expect(evsOptions(5000)).toEqual(["evs.keepalive_period=PT1S", "evs.inactive_check_period=PT0.5S", "evs.suspect_timeout=PT5S", "evs.inactive_timeout=PT15S", "evs.install_timeout=PT7.5S"]);
        expect(evsOptions(2000)).toEqual(["evs.keepalive_period=PT0.5S", "evs.inactive_check_period=PT0.5S", "evs.suspect_timeout=PT2S", "evs.inactive_timeout=PT15S", "evs.install_timeout=PT7.5S"]);
    });
});

const maybe = hasMariadb() ? describe : describe.skip;
if (!hasMariadb()) console.warn("mysql-cnf: mariadbd not found, real Galera bootstrap test SKIPPED");

maybe("a real Galera node bootstrapped from the rendered MariaDB file", () => {
    const c = galeraCases.find((x) => x.flavor === "mariadb");
    let server: MariadbServer | undefined;
    let dir = "";

    afterAll(async () => {
        await server?.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    it("starts as a Primary, Synced one-node cluster with our provider options, and takes the Galera users", async () => {
        if (!c) throw new Error("no MariaDB Galera case");
        const [main, sst] = c.files;
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "galera-cnf-"));
        // The TLS files where this test keeps them instead of the container's mount.
        const tlsDir = localTlsFiles(path.join(dir, "tls"), c.name);
        const local = (text: string) => text.split(TLS_DIR).join(tlsDir);
        const files = c.files.map((f) => {
            const p = path.join(dir, path.basename(f.path));
            fs.writeFileSync(p, local(f.content), { mode: parseInt(f.mode, 8) });
            return p;
        });
        const options = /^wsrep_provider_options\s+= "(.*)"$/m.exec(local(main.content))?.[1];
        if (!options) throw new Error("no wsrep_provider_options rendered");
        const [port, gcommPort] = [await freePort(), await freePort()];
        server = await startMariadb({
            name: c.name,
            bindAddress: "127.0.0.41",
            port,
            rootPassword: c.stack.secrets[c.stack.t.database.pxc?.rootPasswordSecret ?? ""],
            includes: files,
            // Only the addresses move to loopback; our provider options are kept and extended.
            extra: ["wsrep_node_address = 127.0.0.41", `wsrep_provider_options = "${options}; gmcast.listen_addr=tcp://127.0.0.41:${gcommPort}"`],
            // Bootstrapping is the start flag, as the rendered file's header says.
            args: ["--wsrep-new-cluster"],
        });
        const status = server.query("SELECT CONCAT_WS(' ', (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_CLUSTER_STATUS'), (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_LOCAL_STATE_COMMENT'))");
        expect(status).toBe("Primary Synced");
        const effectiveOptions = server.query("SELECT @@wsrep_provider_options");
        for (const o of options.split(";").map((x) => x.trim())) expect(effectiveOptions).toContain(o.replace("=", " = "));
        expect(server.query("SELECT @@wsrep_sst_auth")).toBe("********");
        // Galera's socket and the server both run with the stack's certificate.
        expect(effectiveOptions).toContain(`socket.ssl_cert = ${tlsDir}/server-cert.pem`);
        expect(server.query("SELECT CONCAT_WS(' ', @@have_ssl, @@ssl_cert)")).toBe(`YES ${tlsDir}/server-cert.pem`);
        expect(sst.mode).toBe("0600");

        server.query(renderGaleraUsersSql(c.stack.t, c.stack.secrets));
        // Idempotent: a second run succeeds and changes no grant.
        const grants = () => server?.query("SHOW GRANTS FOR 'mariabackup'@'localhost'; SHOW GRANTS FOR 'clustercheck'@'localhost'");
        const before = grants();
        server.query(renderGaleraUsersSql(c.stack.t, c.stack.secrets));
        expect(grants()).toBe(before);
        expect(before).toMatch(/GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR ON \*\.\* TO `mariabackup`@`localhost`/);
    }, 90_000);
});
