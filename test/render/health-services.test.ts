import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import {
    CLUSTERCHECK_CNF_PATH,
    CLUSTERCHECK_SCRIPT_PATH,
    CLUSTERCHECK_XINETD_PATH,
    MYCAT_STATUS_SCRIPT_PATH,
    MYCAT_STATUS_XINETD_PATH,
    renderClustercheck,
    renderMycatStatus,
} from "../../components/render/health-services";
import { RenderedFile } from "../../components/render/file";
import { Topology } from "../../model/schema";
import { expectGolden } from "../support/golden";
import { allStackFiles, loadStackFile, stackLabel } from "../support/stacks";
import { shellcheck } from "../support/validators";

type Secrets = Readonly<Record<string, string>>;

const stacks = allStackFiles().map((file) => ({ file, label: stackLabel(file), ...loadStackFile(file) }));
const galera = stacks.flatMap((s) => (s.topology.database.pxc?.nodes ?? []).map((n) => ({ ...s, node: n.name })));
const mycats = stacks.filter((s) => s.topology.mycat !== undefined);

function byPath(files: RenderedFile[], p: string): RenderedFile {
    const f = files.find((x) => x.path === p);
    if (!f) throw new Error(`${p} not rendered`);
    return f;
}

function secretKeysIn(text: string, secrets: Secrets): string[] {
    return Object.entries(secrets)
        .filter(([, value]) => text.includes(value))
        .map(([key]) => key);
}

function tempDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "health-"));
    // xinetd runs the scripts as nobody or mysql: they must reach them.
    fs.chmodSync(dir, 0o755);
    return dir;
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const { port } = srv.address() as net.AddressInfo;
            srv.close(() => resolve(port));
        });
    });
}

/** Sends an HTTP request as HAProxy's httpchk does and returns the whole answer. */
function httpCheck(port: number): Promise<string> {
    return new Promise((resolve, reject) => {
        const sock = net.connect(port, "127.0.0.1");
        let data = "";
        sock.setTimeout(8000, () => sock.destroy(new Error("check timed out")));
        sock.on("connect", () => sock.write("GET / HTTP/1.0\r\n\r\n"));
        sock.on("data", (d) => (data += d.toString()));
        sock.on("end", () => resolve(data));
        sock.on("error", reject);
    });
}

interface RunningXinetd {
    readonly log: () => string;
    readonly stop: () => void;
}

/** Starts xinetd on one service file (in the foreground, bounded by `timeout`), waits until it is serving. */
async function startXinetd(dir: string, service: string): Promise<RunningXinetd> {
    const conf = path.join(dir, "service.conf");
    const logFile = path.join(dir, "xinetd.log");
    fs.writeFileSync(conf, service);
    const child = spawn("timeout", ["30", "xinetd", "-dontfork", "-filelog", logFile, "-f", conf, "-pidfile", path.join(dir, "xinetd.pid")], { stdio: "ignore" });
    const log = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "");
    const stop = () => {
        if (child.exitCode === null && child.pid !== undefined) child.kill("SIGTERM");
    };
    for (let i = 0; i < 100 && !/Started working/.test(log()) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
    if (!/Started working/.test(log())) {
        stop();
        throw new Error(`xinetd did not start:\n${log()}`);
    }
    return { log, stop };
}

/** The rendered service file, pointed at a temporary script and port so the test can run it. */
function relocate(service: string, port: number, server: string): string {
    return service.replace(/^(\s*port\s*=\s*)\d+$/m, `$1${port}`).replace(/^(\s*server\s*=\s*)\S+$/m, `$1${server}`);
}

/** A MyCat stand-in: a socket that greets like MySQL protocol 10, or says nothing. */
function fakeMycat(port: number, greet: boolean): Promise<net.Server> {
    // Packet header (length, sequence 0), then protocol version 10 and the server version.
    const greeting = Uint8Array.from([0x30, 0x00, 0x00, 0x00, 0x0a, ...Array.from("5.6.29-mycat-1.6.7.6\0", (c) => c.charCodeAt(0))]);
    return new Promise((resolve) => {
        const srv = net.createServer((sock) => {
            sock.on("error", () => undefined);
            if (greet) sock.write(greeting);
        });
        srv.listen(port, "127.0.0.1", () => resolve(srv));
    });
}

function withMycatPort(t: Topology, server: number): Topology {
    const copy = structuredClone(t);
    copy.mycat!.ports.server = server;
    return copy;
}

describe("health services", () => {
    it("has Galera nodes and MyCat stacks to render (not vacuous)", () => {
        expect(galera.length).toBeGreaterThanOrEqual(6);
        expect(mycats.map((s) => s.label)).toEqual(expect.arrayContaining(["tutorial", "tutorial-002"]));
    });

    describe.each(galera.map((g) => [`${g.label} ${g.node}`, g] as const))("clustercheck %s", (_name, g) => {
        const files = renderClustercheck(g.topology, g.node, g.secrets);
        const sh = byPath(files, CLUSTERCHECK_SCRIPT_PATH);
        const cnf = byPath(files, CLUSTERCHECK_CNF_PATH);
        const svc = byPath(files, CLUSTERCHECK_XINETD_PATH);

        it("matches the golden files", () => {
            expect(files).toHaveLength(3);
            expectGolden(`${g.label}/clustercheck-${g.node}.sh`, sh.content);
            expectGolden(`${g.label}/clustercheck-${g.node}.cnf`, cnf.content);
            expectGolden(`${g.label}/clustercheck-${g.node}.xinetd`, svc.content);
        });

        it("passes shellcheck", () => {
            const v = shellcheck(sh.content);
            expect(v.output).toBe("");
            expect(v.code).toBe(0);
        });

        it("keeps the credentials in a 0600 file, never in the script or on a command line", () => {
            const pxc = g.topology.database.pxc!;
            expect(sh.mode).toBe("0755");
            expect(cnf.mode).toBe("0600");
            expect(secretKeysIn(cnf.content, g.secrets)).toEqual([pxc.clustercheck.passwordSecret]);
            expect(cnf.content).toContain(`user=${pxc.clustercheck.user}\n`);
            expect(secretKeysIn(sh.content, g.secrets)).toEqual([]);
            expect(secretKeysIn(svc.content, g.secrets)).toEqual([]);
            expect(sh.content).toMatch(/"\$client" --defaults-extra-file="\$DEFAULTS_FILE"/);
            expect(sh.content).not.toMatch(/ -p\S| --password/);
        });

        it("is an unlisted xinetd service on the clustercheck port, open to the container network only", () => {
            expect(svc.content).toMatch(/^service mysqlchk\n\{\n/m);
            expect(svc.content).toMatch(/^\s+type\s+= UNLISTED$/m);
            expect(svc.content).toMatch(new RegExp(`^\\s+port\\s+= ${g.topology.database.pxc!.clustercheck.port}$`, "m"));
            expect(svc.content).toMatch(/^\s+flags\s+= REUSE$/m);
            expect(svc.content).toMatch(/^\s+wait\s+= no$/m);
            expect(svc.content).toMatch(/^\s+user\s+= mysql$/m);
            expect(svc.content).toMatch(/^\s+per_source\s+= UNLIMITED$/m);
            expect(svc.content).toMatch(new RegExp(`^\\s+only_from\\s+= ${g.topology.network.subnet.replace(/\./g, "\\.")} 127\\.0\\.0\\.1$`, "m"));
            expect(svc.content).not.toMatch(/USERID|user\s+= root/);
        });
    });

    describe.each(mycats.map((s) => [s.label, s] as const))("mycat_status %s", (label, s) => {
        const files = renderMycatStatus(s.topology);
        const sh = byPath(files, MYCAT_STATUS_SCRIPT_PATH);
        const svc = byPath(files, MYCAT_STATUS_XINETD_PATH);

        it("matches the golden files", () => {
            expect(files).toHaveLength(2);
            expectGolden(`${label}/mycat_status.sh`, sh.content);
            expectGolden(`${label}/mycat_status.xinetd`, svc.content);
        });

        it("passes shellcheck", () => {
            const v = shellcheck(sh.content);
            expect(v.output).toBe("");
            expect(v.code).toBe(0);
        });

        it("checks the SQL port with a bounded timeout, as an unprivileged unlisted service", () => {
            const m = s.topology.mycat!;
            expect(sh.mode).toBe("0755");
            expect(sh.content).toContain(`readonly SQL_PORT=${m.ports.server}`);
            expect(sh.content).toMatch(/timeout "\$TIMEOUT_S"/);
            expect(svc.content).toMatch(new RegExp(`^\\s+port\\s+= ${m.ports.status}$`, "m"));
            expect(svc.content).toMatch(/^\s+type\s+= UNLISTED$/m);
            expect(svc.content).toMatch(/^\s+user\s+= nobody$/m);
            expect(svc.content).toMatch(/^\s+per_source\s+= UNLIMITED$/m);
            for (const f of files) expect(secretKeysIn(f.content, s.secrets)).toEqual([]);
        });
    });

    describe("the validator test can fail", () => {
        it("shellcheck rejects an unquoted expansion", () => {
            const good = renderMycatStatus(mycats[0].topology)[0].content;
            const bad = good.replace('[ -z "$line" ]', "[ -z $line ]");
            expect(bad).not.toBe(good);
            const v = shellcheck(bad);
            expect(v.code).not.toBe(0);
            expect(v.output).toMatch(/SC2086/);
        });
    });

    describe("clustercheck answers by wsrep_local_state (fake client)", () => {
        const g = galera[0];
        let dir: string;
        beforeAll(() => {
            dir = tempDir();
            const bin = path.join(dir, "bin");
            fs.mkdirSync(bin);
            // Refuses to answer unless the credentials come from the defaults file, as the first option.
            fs.writeFileSync(
                path.join(bin, "mariadb"),
                // Answers only the one query for both values, in the server's row order.
                [
                    "#!/bin/bash",
                    'case "$1" in --defaults-extra-file=*) ;; *) exit 2 ;; esac',
                    'case "$*" in *"Variable_name IN (\'wsrep_local_state\',\'wsrep_cluster_status\')"*) ;; *) exit 3 ;; esac',
                    '[ -n "${FAKE_STATE:-}" ] || exit 1',
                    'printf "wsrep_local_state\\t%s\\nwsrep_cluster_status\\t%s\\n" "$FAKE_STATE" "${FAKE_CLUSTER:-Primary}"',
                    "",
                ].join("\n"),
                { mode: 0o755 },
            );
        });
        afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

        function ask(state: string | undefined, availableWhenDonor = false, cluster?: string): string {
            const sh = byPath(renderClustercheck(g.topology, g.node, g.secrets, { availableWhenDonor }), CLUSTERCHECK_SCRIPT_PATH).content;
            const r = spawnSync("bash", ["-c", sh], {
                input: "GET / HTTP/1.0\r\n\r\n",
                encoding: "utf8",
                timeout: 15_000,
                env: {
                    PATH: `${path.join(dir, "bin")}:/usr/bin:/bin`,
                    ...(state === undefined ? {} : { FAKE_STATE: state }),
                    ...(cluster === undefined ? {} : { FAKE_CLUSTER: cluster }),
                },
            });
            expect(r.status).toBe(0);
            return r.stdout;
        }

        it.each([
            ["4", false, "Primary", "200 OK"],
            ["2", false, "Primary", "503 Service Unavailable"],
            ["2", true, "Primary", "200 OK"],
            ["1", false, "Primary", "503 Service Unavailable"],
            [undefined, false, "Primary", "503 Service Unavailable"],
            // Cut off from its peers: the local state still says Synced (or Donor).
            ["4", false, "non-Primary", "503 Service Unavailable"],
            ["2", true, "non-Primary", "503 Service Unavailable"],
            ["4", false, "Disconnected", "503 Service Unavailable"],
        ])("state %s (donor allowed: %s, cluster %s) -> %s", (state, donor, cluster, status) => {
            const out = ask(state, donor, cluster);
            expect(out.startsWith(`HTTP/1.1 ${status}\r\n`)).toBe(true);
            const [head, body] = out.split("\r\n\r\n");
            expect(head).toMatch(new RegExp(`Content-Length: ${Buffer.byteLength(body)}$`, "m"));
        });
    });

    describe("xinetd runs the rendered services", () => {
        let dir: string;
        beforeEach(() => (dir = tempDir()));
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        it("mycat_status answers 200 while MyCat greets, 503 when it is gone or silent", async () => {
            const [statusPort, sqlPort] = [await freePort(), await freePort()];
            const files = renderMycatStatus(withMycatPort(mycats[0].topology, sqlPort));
            const scriptFile = path.join(dir, "mycat_status");
            fs.writeFileSync(scriptFile, byPath(files, MYCAT_STATUS_SCRIPT_PATH).content, { mode: 0o755 });
            const x = await startXinetd(dir, relocate(byPath(files, MYCAT_STATUS_XINETD_PATH).content, statusPort, scriptFile));
            try {
                expect(x.log()).toMatch(/Started working: 1 available service/);
                expect(x.log()).not.toMatch(/WARNING|ERROR/);
                const up = await fakeMycat(sqlPort, true);
                try {
                    expect(await httpCheck(statusPort)).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nMyCat is serving/);
                } finally {
                    await new Promise((r) => up.close(r));
                }
                expect(await httpCheck(statusPort)).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
                const silent = await fakeMycat(sqlPort, false);
                try {
                    expect(await httpCheck(statusPort)).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
                } finally {
                    silent.close();
                }
            } finally {
                x.stop();
            }
        }, 30_000);

        it("the clustercheck service file loads without warnings", async () => {
            const g = galera[0];
            const files = renderClustercheck(g.topology, g.node, g.secrets);
            const scriptFile = path.join(dir, "clustercheck");
            fs.writeFileSync(scriptFile, byPath(files, CLUSTERCHECK_SCRIPT_PATH).content, { mode: 0o755 });
            const x = await startXinetd(dir, relocate(byPath(files, CLUSTERCHECK_XINETD_PATH).content, await freePort(), scriptFile));
            try {
                expect(x.log()).toMatch(/Started working: 1 available service/);
                expect(x.log()).not.toMatch(/WARNING|ERROR/);
            } finally {
                x.stop();
            }
        }, 30_000);

        it("a misspelt attribute shows up as a warning (the check is not vacuous)", async () => {
            const files = renderMycatStatus(mycats[0].topology);
            const scriptFile = path.join(dir, "mycat_status");
            fs.writeFileSync(scriptFile, byPath(files, MYCAT_STATUS_SCRIPT_PATH).content, { mode: 0o755 });
            const bad = relocate(byPath(files, MYCAT_STATUS_XINETD_PATH).content, await freePort(), scriptFile).replace("socket_type", "sockettype");
            const x = await startXinetd(dir, bad);
            try {
                expect(x.log()).toMatch(/bad service attribute: sockettype/);
            } finally {
                x.stop();
            }
        }, 30_000);
    });
});
