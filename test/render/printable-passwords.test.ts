// Any printable password the loader accepts works, proven by use with the real readers:
// - MariaDB: the rendered users SQL sets it (through the client, and through --init-file as the
//   Galera bootstrap node applies it), and the rendered option files log in with it (clustercheck
//   and client defaults; the SST credentials as the SST script reads them); the rendered
//   replication SQL makes a replica log in with it;
// - HAProxy: `haproxy -c` accepts the rendered haproxy.cfg, and a real haproxy serving its rendered
//   stats section lets exactly that password in;
// - MyCat: xmllint reads the password back from server.xml and schema.xml;
// - keepalived: `keepalived -t` accepts the rendered keepalived.conf and keepalived itself reads
//   the auth_pass back unchanged; what the rule refuses really breaks keepalived.
// fast-check runs each property a bounded number of times, each run with a timeout; every
// process the test starts is stopped by its PID.
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as crypto from "crypto";
import fc from "fast-check";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { renderClientCnf } from "../../components/render/client-cnf";
import { renderGaleraUsersSql, renderUsersSql } from "../../components/render/database-users-sql";
import { keepalivedString } from "../../components/render/escape";
import { renderHaproxyCfg } from "../../components/render/haproxy";
import { CLUSTERCHECK_CNF_PATH, renderClustercheck } from "../../components/render/health-services";
import { KEEPALIVED_CONF, renderKeepalivedFiles } from "../../components/render/keepalived";
import { renderMycatSchemaXml, renderMycatServerXml } from "../../components/render/mycat-xml";
import { renderGaleraSecretCnf } from "../../components/render/mysql-cnf";
import { renderReplicationSql } from "../../components/render/replication-sql";
import { loadTopology } from "../../model/load";
import { SecretLookup, secretValueProblem } from "../../model/rules/secrets";
import { Topology } from "../../model/schema";
import { freePort, hasMariadb, MariadbServer, startMariadb, waitFor } from "../support/mariadb";
import { goodSecrets, loadStackFile, PROJECT, rawTopology } from "../support/stacks";
import { DM2_IP, loopbackDualMaster } from "../support/loopback-dual-master";
import { hasTool, haproxyCheck, keepalivedCheck, keepalivedCheckInstalled } from "../support/validators";

type Raw = any; // eslint-disable-line @typescript-eslint/no-explicit-any
type Secrets = Readonly<Record<string, string>>;

// Passwords: mostly the characters formats treat specially, then letters and digits, then
// other scripts (combining marks, a ZWJ emoji sequence and astral characters included).
const SPECIAL = [..."'\"\\$#!:;` &|<>{}()[]%*?~^=+,.-_@/"];
const PLAIN = [..."aZk09"];
const OTHER = ["é", "ß", "ñ", "ø", "Ω", "€", "日", "本", "語", "ع", "e\u0301", "🔐", "😀", "👩\u200d💻"];
const unit = fc.oneof(
    { arbitrary: fc.constantFrom(...SPECIAL), weight: 4 },
    { arbitrary: fc.constantFrom(...PLAIN), weight: 3 },
    { arbitrary: fc.constantFrom(...OTHER), weight: 2 },
);
const password = fc.array(unit, { minLength: 12, maxLength: 32 }).map((a) => a.join(""));
/** The edge cases every property also runs. */
const EXAMPLES = [
    " leading and trailing spaces ",
    "ends with a backslash \\",
    '"starts with a double quote',
    "#hash first; -- dashes; /* no comment */",
    "it's $HOME, ${PATH}, `id` and !bang",
    "colons::: \\\\ two backslashes, \\' and \\\"",
];

const RUNS = 25;
/** Bounded: RUNS runs (plus the examples), each failing after its own timeout, and all of them together. */
const bounded = (perRunMs: number) => ({ numRuns: RUNS, timeout: perRunMs, interruptAfterTimeLimit: 300_000, markInterruptAsFailure: true });

const secret = (value: string): SecretLookup => ({ value, secret: true });

function tempDir(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function writeFile(dir: string, name: string, content: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content, { mode: 0o600 });
    return file;
}

/** `SELECT CURRENT_USER()` with the given client options; the first one may be --defaults-extra-file. */
function whoami(args: string[], env: NodeJS.ProcessEnv = process.env): { code: number; user: string; err: string } {
    const r = spawnSync("mariadb", [...args, "--connect-timeout=5", "--batch", "--skip-column-names", "-e", "SELECT CURRENT_USER()"], { encoding: "utf8", timeout: 20_000, env });
    return { code: r.status ?? -1, user: (r.stdout ?? "").trim(), err: `${r.stderr ?? ""}${r.error?.message ?? ""}` };
}

// ----------------------------------------------------------------------------------------------
// MariaDB

function dualMasterTopology(port: number, secrets: Record<string, SecretLookup>) {
    return loopbackDualMaster(port, { app: {} }, secrets);
}

function slaveStatus(s: MariadbServer): Record<string, string> {
    const out: Record<string, string> = {};
    for (const line of s.query("SHOW SLAVE STATUS", ["--vertical"]).split("\n")) {
        const m = /^\s*(\w+): ?(.*)$/.exec(line);
        if (m) out[m[1]] = m[2];
    }
    return out;
}

/**
 * Runs the rendered replication SQL of dm1, whose source is dm2's address: this very server.
 * A replica that logged in goes on to compare server ids and stops with error 1593 (they are
 * equal); one whose password is wrong stops at 1045 (access denied). Returns the error number.
 */
async function replicaLoginErrno(s: MariadbServer, sql: string): Promise<string> {
    s.query(sql);
    try {
        await waitFor(() => (slaveStatus(s).Last_IO_Errno ?? "0") !== "0", 15_000, 200);
        return slaveStatus(s).Last_IO_Errno ?? "";
    } finally {
        s.query("STOP SLAVE; RESET SLAVE ALL;");
    }
}

/** The SST script's way (wsrep_sst_common): wsrep_sst_auth as the server parses it, split at the first ':', the password in MYSQL_PWD. */
function sstLogin(cnf: string, socket: string) {
    const script = `auth=$(my_print_defaults --defaults-file="$1" mysqld | sed -n 's/^--wsrep_sst_auth=//p')
export MYSQL_PWD="\${auth#*:}"
exec mariadb --no-defaults --socket="$2" -u "\${auth%%:*}" --connect-timeout=5 --batch --skip-column-names -e 'SELECT CURRENT_USER()'`;
    const r = spawnSync("bash", ["-c", script, "sst", cnf, socket], { encoding: "utf8", timeout: 20_000 });
    return { code: r.status ?? -1, user: (r.stdout ?? "").trim(), err: r.stderr ?? "" };
}

const maybeMariadb = hasMariadb() && hasTool("my_print_defaults") ? describe : describe.skip;
if (!hasMariadb()) console.warn("printable-passwords: mariadbd not found, the MariaDB proofs are SKIPPED");

maybeMariadb("MariaDB: rendered SQL sets any printable password, rendered option files log in with it", () => {
    let server: MariadbServer;
    let port: number;
    let dir: string;
    const dev = (overrides: Record<string, SecretLookup>) => loadStackFile("Pulumi.dev.yaml", overrides);

    beforeAll(async () => {
        port = await freePort(DM2_IP);
        server = await startMariadb({ name: "pw", bindAddress: DM2_IP, port, rootPassword: "Root-Test-Password-1" });
        dir = tempDir("pw-cnf-");
    }, 120_000);

    afterAll(async () => {
        await server?.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /** Applies the Galera and dual-master users SQL with these passwords and logs in with each through what the stack renders. */
    async function proveSql(cc: string, sst: string, app: string, repl: string): Promise<void> {
        // Galera (the dev stack: MariaDB, mariabackup): the users file, the clustercheck and SST option files.
        const g = dev({ clustercheckPassword: secret(cc), sstPassword: secret(sst), mysqlAppPassword: secret(app) });
        server.query(renderGaleraUsersSql(g.topology, g.secrets));
        const ccFile = renderClustercheck(g.topology, "pn1", g.secrets).find((f) => f.path === CLUSTERCHECK_CNF_PATH)!;
        const ccCnf = writeFile(dir, "clustercheck.cnf", ccFile.content);
        // The file names user, password, host 127.0.0.1 and port 3306; only the address and port are the test server's.
        const viaCnf = whoami([`--defaults-extra-file=${ccCnf}`, `--host=${server.bindAddress}`, `--port=${port}`]);
        expect([viaCnf.code, viaCnf.user, viaCnf.err]).toEqual([0, expect.stringMatching(/^clustercheck@(127\.0\.0\.1|localhost)$/), ""]);
        const client = writeFile(dir, "client.cnf", renderClientCnf("clustercheck", cc, "/unused").content);
        const viaClientCnf = whoami([`--defaults-extra-file=${client}`, `--socket=${server.socket}`]);
        expect([viaClientCnf.code, viaClientCnf.user, viaClientCnf.err]).toEqual([0, "clustercheck@localhost", ""]);
        const sstCnf = writeFile(dir, "sst.cnf", renderGaleraSecretCnf(g.topology, "pn1", g.secrets)[0].content);
        const viaSst = sstLogin(sstCnf, server.socket);
        expect([viaSst.code, viaSst.user, viaSst.err]).toEqual([0, "mariabackup@localhost", ""]);

        // Dual-master on loopback: the users file, the application's client defaults over TCP, the replica's login.
        const d = dualMasterTopology(port, { mysqlAppPassword: secret(app), replicationPassword: secret(repl) });
        server.query(renderUsersSql(d.topology, "dm1", d.secrets));
        const appCnf = writeFile(dir, "app.cnf", renderClientCnf("app", app, "/unused").content);
        const viaApp = whoami([`--defaults-extra-file=${appCnf}`, "--protocol=tcp", `--host=${server.bindAddress}`, `--port=${port}`]);
        expect([viaApp.code, viaApp.user, viaApp.err]).toEqual([0, "app@127.0.0.%", ""]);
        expect(await replicaLoginErrno(server, renderReplicationSql(d.topology, "dm1", d.secrets))).toBe("1593");
    }

    it("logs in with every generated password (users SQL through the client; clustercheck, client and SST option files; replica)", async () => {
        await fc.assert(
            fc.asyncProperty(password, password, password, password, (cc, sst, app, repl) => proveSql(cc, sst, app, repl)),
            { ...bounded(30_000), examples: EXAMPLES.map((e, i) => [e, EXAMPLES[(i + 1) % EXAMPLES.length], EXAMPLES[(i + 2) % EXAMPLES.length], EXAMPLES[(i + 3) % EXAMPLES.length]]) },
        );
    }, 400_000);

    it("tells a wrong password apart (the checks above are not vacuous)", async () => {
        const pw = "it's a \"test\" \\ #1";
        const g = dev({ clustercheckPassword: secret(pw) });
        server.query(renderGaleraUsersSql(g.topology, g.secrets));
        const wrong = writeFile(dir, "wrong.cnf", renderClientCnf("clustercheck", `${pw}x`, "/unused").content);
        const r = whoami([`--defaults-extra-file=${wrong}`, `--socket=${server.socket}`]);
        expect(r.code).not.toBe(0);
        expect(r.err).toMatch(/Access denied/);
        const d = dualMasterTopology(port, { replicationPassword: secret(pw) });
        server.query(renderUsersSql(d.topology, "dm1", d.secrets));
        const other = dualMasterTopology(port, { replicationPassword: secret(`${pw}x`) });
        expect(await replicaLoginErrno(server, renderReplicationSql(other.topology, "dm1", other.secrets))).toBe("1045");
    }, 60_000);

    it("applies the Galera users file through --init-file, as the bootstrap node does", async () => {
        const seed = Date.now() % 2 ** 31;
        const samples = [...EXAMPLES, ...fc.sample(password, { numRuns: RUNS, seed })];
        // One clustercheck user per sample, all in one init file.
        const renders = samples.map((pw, i) => {
            const raw = structuredClone(rawTopology("Pulumi.dev.yaml")) as Raw;
            raw.database.pxc.clustercheck = { user: `cc${i}`, passwordSecret: "clustercheckPassword" };
            const loaded = loadTopology(PROJECT, raw, goodSecrets({ clustercheckPassword: secret(pw) }));
            return { topology: loaded.topology as Topology, secrets: loaded.secrets as Secrets };
        });
        const initDir = tempDir("pw-init-");
        const initFile = writeFile(initDir, "init.sql", renders.map((r) => renderGaleraUsersSql(r.topology, r.secrets)).join("\n"));
        const initPort = await freePort("127.0.0.23");
        const boot = await startMariadb({ name: "pw-init", bindAddress: "127.0.0.23", port: initPort, rootPassword: "Root-Test-Password-1", args: [`--init-file=${initFile}`] });
        try {
            renders.forEach((r, i) => {
                const cnf = writeFile(initDir, `cc${i}.cnf`, renderClustercheck(r.topology, "pn1", r.secrets).find((f) => f.path === CLUSTERCHECK_CNF_PATH)!.content);
                const who = whoami([`--defaults-extra-file=${cnf}`, `--host=${boot.bindAddress}`, `--port=${initPort}`]);
                expect([seed, i, who.code, who.user, who.err]).toEqual([seed, i, 0, expect.stringMatching(new RegExp(`^cc${i}@(127\\.0\\.0\\.1|localhost)$`)), ""]);
            });
        } finally {
            await boot.stop();
            fs.rmSync(initDir, { recursive: true, force: true });
        }
    }, 180_000);
});

// ----------------------------------------------------------------------------------------------
// HAProxy

const started = new Set<ChildProcess>();

/** SIGTERM by PID, SIGKILL after a bound; resolves once the process is gone. */
async function stopByPid(child: ChildProcess, timeoutMs = 5000): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    process.kill(child.pid, "SIGTERM");
    const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), timeoutMs).unref());
    if ((await Promise.race([gone, timer])) === "timeout") {
        process.kill(child.pid, "SIGKILL");
        await gone;
    }
}

afterAll(async () => {
    for (const child of started) await stopByPid(child);
});

function connects(host: string, port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const sock = net.connect(port, host);
        sock.setTimeout(500, () => sock.destroy());
        sock.once("connect", () => {
            sock.destroy();
            resolve(true);
        });
        sock.once("error", () => resolve(false));
        sock.once("close", () => resolve(false));
    });
}

/** HTTP status of GET `uri` with Basic credentials, encoded as UTF-8 as browsers and curl do. */
function statusWith(port: number, uri: string, user: string, pass: string): Promise<number> {
    return new Promise((resolve, reject) => {
        const auth = Buffer.from(`${user}:${pass}`, "utf8").toString("base64");
        const req = http.get({ host: "127.0.0.1", port, path: uri, headers: { Authorization: `Basic ${auth}` }, timeout: 5000 }, (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("timeout", () => req.destroy(new Error("stats request timed out")));
        req.on("error", reject);
    });
}

/** The rendered `listen stats` section, verbatim but for its bind line, in a minimal haproxy.cfg. */
function statsOnly(cfg: string, port: number): string {
    const section = /^listen stats\n(?: {4}.*\n)+/m.exec(cfg);
    if (!section) throw new Error("no listen stats section rendered");
    const stats = section[0].replace(/^ {4}bind \S+$/m, `    bind 127.0.0.1:${port}`);
    return ["global", "    log stdout format raw local0 info", "defaults", "    mode http", "    timeout connect 2s", "    timeout client 5s", "    timeout server 5s", stats].join("\n");
}

const maybeHaproxy = hasTool("haproxy") ? describe : describe.skip;

maybeHaproxy("HAProxy: the stats page takes any printable password", () => {
    it("haproxy -c accepts the rendered haproxy.cfg, and a real haproxy lets exactly that password in", async () => {
        const dir = tempDir("pw-haproxy-");
        try {
            await fc.assert(
                fc.asyncProperty(password, async (pw) => {
                    const { topology, secrets } = loadStackFile("Pulumi.dev.yaml", { haproxyStatsPassword: secret(pw) });
                    const cfg = renderHaproxyCfg(topology, "h1", secrets).content;
                    const check = haproxyCheck(cfg);
                    expect([check.code, check.output]).toEqual([0, expect.stringMatching(/Configuration file is valid/)]);
                    const port = await freePort();
                    const file = writeFile(dir, "stats.cfg", statsOnly(cfg, port));
                    const child = spawn("haproxy", ["-db", "-f", file], { stdio: "ignore" });
                    started.add(child);
                    try {
                        const deadline = Date.now() + 5000;
                        while (!(await connects("127.0.0.1", port))) {
                            if (child.exitCode !== null || Date.now() > deadline) throw new Error(`haproxy did not listen on ${port} (exit ${child.exitCode})`);
                            await new Promise((r) => setTimeout(r, 50));
                        }
                        const { user, uri } = topology.haproxy!.stats;
                        expect(await statusWith(port, uri, user, pw)).toBe(200);
                        expect(await statusWith(port, uri, user, `${pw}x`)).toBe(401);
                    } finally {
                        await stopByPid(child);
                        started.delete(child);
                    }
                }),
                { ...bounded(20_000), examples: EXAMPLES.map((e) => [e]) },
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }, 400_000);
});

// ----------------------------------------------------------------------------------------------
// MyCat XML

/** An XPath string value as xmllint prints it (it adds one newline). */
function xpathString(xml: string, xpath: string): string {
    const r = spawnSync("xmllint", ["--xpath", `string(${xpath})`, "-"], { input: xml, encoding: "utf8", timeout: 20_000 });
    if (r.status !== 0) throw new Error(`xmllint failed (${r.status}): ${r.stderr}`);
    return r.stdout.replace(/\n$/, "");
}

const maybeXmllint = hasTool("xmllint") ? describe : describe.skip;

maybeXmllint("MyCat XML: xmllint reads back any printable password", () => {
    it("server.xml (user passwords) and schema.xml (writeHost and readHost passwords)", () => {
        // MyCat trims user passwords (the loader refuses leading or trailing spaces there); attributes keep them.
        const userPassword = password.filter((p) => secretValueProblem("password", p, []) === undefined && !/^\s|\s$/.test(p));
        fc.assert(
            fc.property(userPassword, password, (user, backend) => {
                const raw = structuredClone(rawTopology("Pulumi.tutorial.yaml")) as Raw;
                // Its own secret: the tutorial's writeHosts share the Percona root password, which has limits of its own.
                for (const d of raw.mycat.dataHosts) for (const w of d.writeHosts) w.passwordSecret = "mycatBackendPassword";
                const { topology, secrets } = loadTopology(PROJECT, raw, goodSecrets({ mycatAppPassword: secret(user), mycatBackendPassword: secret(backend) }));
                const m = topology.mycat!;
                const server = renderMycatServerXml(topology, secrets).content;
                const schema = renderMycatSchemaXml(topology, secrets).content;
                for (const u of m.users) expect(xpathString(server, `//user[@name='${u.name}']/property[@name='password']`)).toBe(secrets[u.passwordSecret]);
                for (const w of m.dataHosts.flatMap((d) => d.writeHosts)) {
                    expect(xpathString(schema, `//writeHost[@host='${w.host}']/@password`)).toBe(backend);
                    for (const r of w.readHosts) expect(xpathString(schema, `//readHost[@host='${r.host}']/@password`)).toBe(backend);
                }
            }),
            { ...bounded(20_000), examples: EXAMPLES.filter((e) => !/^\s|\s$/.test(e)).map((e) => [e, e]) },
        );
    }, 300_000);
});

// ----------------------------------------------------------------------------------------------
// keepalived

function ip(args: string[]): void {
    const r = spawnSync("ip", args, { encoding: "utf8", timeout: 20_000 });
    if (r.status !== 0) throw new Error(`ip ${args.join(" ")} failed: ${r.stderr}`);
}

/** A VRRP instance on eth0 around an `authentication { ... }` block. */
function minimalConf(authBlock: string): string {
    return [
        "vrrp_instance VI_PW {",
        "    state BACKUP",
        "    interface eth0",
        "    virtual_router_id 51",
        "    priority 100",
        "    advert_int 1",
        authBlock,
        "    virtual_ipaddress {",
        "        10.9.9.9/24 dev eth0",
        "    }",
        "}",
        "",
    ].join("\n");
}

/**
 * The auth_pass keepalived itself parsed: keepalived runs (VRRP only, in a fresh network
 * namespace with nothing but a veth pair) and dumps its configuration; it is stopped by PID
 * as soon as the dump shows the password, and its VRRP child is checked gone by its PID file.
 */
async function parsedAuthPass(conf: string): Promise<string> {
    const dir = tempDir("pw-ka-");
    const ns = `kp-${crypto.randomBytes(4).toString("hex")}`;
    const file = writeFile(dir, "keepalived.conf", conf);
    const vrrpPid = path.join(dir, "vrrp.pid");
    ip(["netns", "add", ns]);
    let child: ChildProcess | undefined;
    try {
        ip(["-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "kppeer0"]);
        ip(["-n", ns, "link", "set", "eth0", "up"]);
        child = spawn("ip", ["netns", "exec", ns, "keepalived", "-n", "-l", "-D", "-d", "--vrrp", "-f", file, "-p", path.join(dir, "keepalived.pid"), "-r", vrrpPid], { stdio: ["ignore", "pipe", "pipe"] });
        started.add(child);
        let out = "";
        const found = await new Promise<string | undefined>((resolve) => {
            const timer = setTimeout(() => resolve(undefined), 8000);
            const onData = (d: Buffer) => {
                out += d.toString("utf8");
                const m = /Password = (.*)\n/.exec(out);
                if (m) {
                    clearTimeout(timer);
                    resolve(m[1]);
                }
            };
            child!.stdout!.on("data", onData);
            child!.stderr!.on("data", onData);
            child!.once("exit", () => {
                clearTimeout(timer);
                resolve(/Password = (.*)\n/.exec(out)?.[1]);
            });
        });
        if (found === undefined) throw new Error(`keepalived printed no password:\n${out}`);
        return found;
    } finally {
        if (child) {
            await stopByPid(child);
            started.delete(child);
        }
        if (fs.existsSync(vrrpPid)) {
            const pid = Number(fs.readFileSync(vrrpPid, "utf8").trim());
            if (pid > 0 && fs.existsSync(`/proc/${pid}`)) process.kill(pid, "SIGKILL");
        }
        spawnSync("ip", ["netns", "del", ns], { timeout: 20_000 });
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function interfacesOf(conf: string): string[] {
    const names = [...conf.matchAll(/^\s*interface (\S+)$/gm), ...conf.matchAll(/ dev (\S+)/g)].map((m) => m[1]);
    return [...new Set(names)];
}

const maybeKeepalived = hasTool("keepalived") && hasTool("ip") && hasTool("unshare") ? describe : describe.skip;

maybeKeepalived("keepalived: auth_pass", () => {
    // 6 characters (the rule's minimum) to 8 bytes (keepalived keeps 8), from the same characters as the passwords.
    const authPass = fc
        .array(unit, { minLength: 6, maxLength: 8 })
        .map((a) => a.join(""))
        .filter((v) => Buffer.byteLength(v, "utf8") <= 8);
    const AUTH_EXAMPLES = [" a b#c!", "it's $x", "\\a{b}\\c", "é a b#", "$HOME1", "a:b;c|d"];

    it("every value the rule accepts passes keepalived -t and is the auth_pass keepalived reads", async () => {
        let accepted = 0;
        await fc.assert(
            fc.asyncProperty(authPass, async (pass) => {
                if (secretValueProblem("vrrpAuth", pass) !== undefined) {
                    // Refused by the loader; the renderer refuses it too (the next test shows why).
                    expect(() => keepalivedString(pass)).toThrow();
                    return;
                }
                accepted++;
                const { topology, secrets } = loadStackFile("test/fixtures/tutorial-004.yaml", { vrrpAuthPass: secret(pass) });
                const files = renderKeepalivedFiles(topology, "host", "lb1", secrets);
                const conf = files.find((f) => f.path === KEEPALIVED_CONF)!.content;
                const check = keepalivedCheckInstalled(files, interfacesOf(conf));
                expect([check.code, check.output]).toEqual([0, ""]);
                const block = /^ {4}authentication \{\n(?: {8}.*\n)+ {4}\}$/m.exec(conf);
                expect(block).not.toBeNull();
                expect(await parsedAuthPass(minimalConf(block![0]))).toBe(pass);
            }),
            { ...bounded(30_000), examples: AUTH_EXAMPLES.map((e) => [e]) },
        );
        expect(accepted).toBeGreaterThanOrEqual(AUTH_EXAMPLES.length);
    }, 400_000);

    it.each([
        ["a double quote", 'ab"cd'],
        ["a trailing backslash", "abcd\\"],
        ["${...}", "a${_PWD}"],
        ["$_NAME", "x$_HASH y"],
    ])("what the rule refuses breaks keepalived: %s", async (_what, pass) => {
        expect(secretValueProblem("vrrpAuth", pass)).toBeDefined();
        // Written as the renderer would if it did not refuse: inside double quotes.
        const conf = minimalConf(["    authentication {", "        auth_type PASS", `        auth_pass "${pass}"`, "    }"].join("\n"));
        // Either keepalived -t rejects the file (an unterminated quote; a definition that made it
        // longer than 8 bytes), or keepalived reads another password than the one written.
        const check = keepalivedCheck(conf, ["eth0"]);
        if (check.code === 0) expect(await parsedAuthPass(conf)).not.toBe(pass);
        else expect(check.output).toMatch(/Unterminated quote|Truncating auth_pass/);
    }, 60_000);
});
