// The rendered Galera start wrapper and recovery command, run with bash. The server binaries
// are stubs that record how they were called; the other members are real loopback endpoints:
// tiny Node servers answering clustercheck (200/503) and position lines, or other copies of
// the wrapper. The test topology puts the members on 127.0.0.2-4 (all of 127/8 is on lo) with
// free ports, so the scripts run as rendered: only the datadir, run directory and timings
// come from the scripts' documented test hooks.
//
// Each case asserts the decision from the stubs' record (bootstrap with --wsrep-new-cluster,
// join with which address, or no server start at all) and from the log.
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { Topology } from "../../model/schema";
import {
    GALERA_NEW_CLUSTER_MARKER,
    GALERA_POSITION_PORT,
    GALERA_START_PATH,
    GALERA_VIEW_STATE,
    galeraEvictionSeconds,
    galeraProbeSeconds,
    renderGaleraStart,
} from "../../components/render/galera-start";
import { GALERA_RECOVER_PATH, renderGaleraRecover } from "../../components/render/galera-recover";
import { expectGolden } from "../support/golden";
import { allStackFiles, loadStackFile, stackLabel } from "../support/stacks";
import { shellcheck } from "../support/validators";

const U = "378fde1a-ed86-11f1-b71a-6b68ee5124e8";
const V = "9a1b2c3d-0000-11f1-8888-0123456789ab";
const ZERO = "00000000-0000-0000-0000-000000000000";
const IPS = ["127.0.0.2", "127.0.0.3", "127.0.0.4"];
const NAMES = ["pn1", "pn2", "pn3"];
const ipOf = (name: string) => IPS[NAMES.indexOf(name)];

const stacks = allStackFiles().map((file) => ({ file, label: stackLabel(file), ...loadStackFile(file) }));
const galera = stacks.flatMap((s) => (s.topology.database.pxc?.nodes ?? []).map((n) => ({ ...s, node: n.name })));
const dev = stacks.find((s) => s.label === "dev")!;
const percona = stacks.find((s) => s.topology.database.pxc?.flavor === "pxc57")!;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(what: string, cond: () => boolean, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
        if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
        await sleep(100);
    }
}

function listenOn(srv: net.Server, port: number, ip: string): Promise<boolean> {
    return new Promise((resolve) => {
        srv.once("error", () => resolve(false));
        srv.listen(port, ip, () => resolve(true));
    });
}

/** A port free on every member address, so each member (fake or wrapper) can bind it. */
async function freePortOnMembers(avoid: number[] = []): Promise<number> {
    for (let attempt = 0; attempt < 50; attempt++) {
        const port = 20000 + Math.floor(Math.random() * 40000);
        if (avoid.includes(port)) continue;
        const servers = IPS.map(() => net.createServer());
        const ok = await Promise.all(servers.map((s, i) => listenOn(s, port, IPS[i])));
        await Promise.all(servers.map((s) => new Promise((r) => (s.listening ? s.close(r) : r(undefined)))));
        if (ok.every(Boolean)) return port;
    }
    throw new Error("no free port on 127.0.0.2-4");
}

/** The dev stack's Galera members moved to loopback, with the given clustercheck port. */
function loopbackTopology(base: Topology, ccPort: number): Topology {
    const t = structuredClone(base);
    const pxc = t.database.pxc!;
    pxc.nodes = pxc.nodes.slice(0, 3).map((n, i) => ({ ...n, ip: IPS[i] }));
    pxc.clustercheck.port = ccPort;
    return t;
}

const STUBS: Record<string, string> = {
    // The server: records its arguments; answers --wsrep-recover as mariadbd does (stderr);
    // with STUB_SERVER=wait it runs until SIGTERM and records that.
    server: `#!/bin/bash
echo "$(basename "$0") $*" >>"$STUB_LOG"
for a in "$@"; do
    case "$a" in --datadir=*) datadir=\${a#--datadir=} ;; esac
done
for a in "$@"; do
    if [ "$a" = --initialize-insecure ]; then
        # As mysqld --initialize: refuses a data directory with any file in it.
        if [ -n "$(ls -A "$datadir")" ]; then echo "[ERROR] --initialize specified but the data directory has files in it. Aborting." >&2; exit 1; fi
        mkdir -p "$datadir/mysql"
        exit 0
    fi
    if [ "$a" = --wsrep-recover ]; then
        if [ -n "\${STUB_RECOVERED:-}" ]; then echo "2026-12-01 12:53:36 0 [Note] WSREP: Recovered position: $STUB_RECOVERED" >&2; fi
        exit 0
    fi
done
if [ "\${STUB_SERVER:-exit}" = wait ]; then
    trap 'echo "server got SIGTERM" >>"$STUB_LOG"; exit 0' TERM
    while :; do sleep 0.1; done
fi
exit 0
`,
    "mariadb-install-db": `#!/bin/bash
echo "mariadb-install-db $*" >>"$STUB_LOG"
for a in "$@"; do case "$a" in --datadir=*) mkdir -p "\${a#--datadir=}/mysql" ;; esac; done
`,
    // The client: prints the status rows in STUB_STATUS (a file the test rewrites), else fails.
    mariadb: `#!/bin/bash
[ -f "\${STUB_STATUS:-}" ] || exit 1
cat "$STUB_STATUS"
`,
    chown: `#!/bin/bash
echo "chown $*" >>"$STUB_LOG"
`,
    xinetd: `#!/bin/bash
echo "xinetd $*" >>"$STUB_LOG"
`,
    // socat: the clustercheck service is recorded, not started; the position service runs for real.
    socat: `#!/bin/bash
case "$*" in *EXEC:*) echo "socat $*" >>"$STUB_LOG"; exit 0 ;; esac
exec /usr/bin/socat "$@"
`,
};

let work: string;
let bin: string;

beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "galera-start-"));
    bin = path.join(work, "bin");
    fs.mkdirSync(bin);
    for (const [name, text] of Object.entries(STUBS)) {
        if (name !== "server") fs.writeFileSync(path.join(bin, name), text, { mode: 0o755 });
    }
    for (const name of ["mariadbd", "mysqld"]) fs.writeFileSync(path.join(bin, name), STUBS.server, { mode: 0o755 });
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A fake member: clustercheck on ip:ccPort answering `status`, position line on ip:posPort. */
class FakeMember {
    status: number | undefined;
    position: string | undefined;
    private cc?: http.Server;
    private pos?: net.Server;
    private extra: net.Server[] = [];

    constructor(
        readonly ip: string,
        private readonly ccPort: number,
        private readonly posPort: number,
    ) {}

    async start(status: number | undefined, position?: string): Promise<this> {
        this.status = status;
        this.position = position;
        if (status !== undefined) {
            this.cc = http.createServer((req, res) => {
                const s = this.status ?? 503;
                res.writeHead(s, { "Content-Type": "text/plain", Connection: "close" });
                res.end(s === 200 ? "synced\n" : "not synced\n");
            });
            if (!(await listenOn(this.cc, this.ccPort, this.ip))) throw new Error(`cannot listen on ${this.ip}:${this.ccPort}`);
        }
        if (position !== undefined) {
            this.pos = net.createServer((sock) => {
                sock.on("error", () => undefined);
                sock.end(`${this.position}\n`);
            });
            if (!(await listenOn(this.pos, this.posPort, this.ip))) throw new Error(`cannot listen on ${this.ip}:${this.posPort}`);
        }
        return this;
    }

    /** Any TCP listener (the Galera port the old wrapper took for a live cluster). */
    async listenAlso(port: number): Promise<boolean> {
        const s = net.createServer((sock) => sock.on("error", () => undefined));
        const ok = await listenOn(s, port, this.ip);
        if (ok) this.extra.push(s);
        return ok;
    }

    async stop(): Promise<void> {
        const servers = [this.cc, this.pos, ...this.extra].filter((s): s is net.Server => s !== undefined && s.listening);
        await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
        (this.cc as http.Server | undefined)?.closeAllConnections?.();
    }
}

interface Node {
    readonly name: string;
    readonly dir: string;
    readonly datadir: string;
    readonly rundir: string;
    readonly callLog: string;
    readonly outLog: string;
    readonly statusFile: string;
    child?: ChildProcess;
    exitCode?: number | null;
    readonly calls: () => string[];
    readonly log: () => string;
}

interface Scenario {
    readonly t: Topology;
    readonly ccPort: number;
    readonly posPort: number;
    readonly nodes: Node[];
    readonly fakes: FakeMember[];
    readonly fake: (name: string, status: number | undefined, position?: string) => Promise<FakeMember>;
    readonly node: (name: string, opts?: { grastate?: { uuid: string; seqno: number; safe: 0 | 1 }; marker?: boolean }) => Node;
    readonly start: (n: Node, env?: Record<string, string>, t?: Topology) => void;
    readonly recover: (n: Node, args?: string[]) => Promise<{ code: number | null; out: string; err: string }>;
}

const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8") : "");

let current: Scenario | undefined;

async function scenario(base: Topology = dev.topology): Promise<Scenario> {
    const ccPort = await freePortOnMembers([4567]);
    const posPort = await freePortOnMembers([4567, ccPort]);
    const t = loopbackTopology(base, ccPort);
    const root = fs.mkdtempSync(path.join(work, "case-"));
    const nodes: Node[] = [];
    const fakes: FakeMember[] = [];
    const s: Scenario = {
        t,
        ccPort,
        posPort,
        nodes,
        fakes,
        fake: async (name, status, position) => {
            const f = await new FakeMember(ipOf(name), ccPort, posPort).start(status, position);
            fakes.push(f);
            return f;
        },
        node: (name, opts = {}) => {
            const dir = path.join(root, name);
            const datadir = path.join(dir, "data");
            fs.mkdirSync(datadir, { recursive: true });
            if (opts.grastate) {
                const g = opts.grastate;
                fs.writeFileSync(path.join(datadir, "grastate.dat"), `# GALERA saved state\nversion: 2.1\nuuid:    ${g.uuid}\nseqno:   ${g.seqno}\nsafe_to_bootstrap: ${g.safe}\n`);
            }
            if (opts.marker) fs.writeFileSync(path.join(datadir, path.basename(GALERA_NEW_CLUSTER_MARKER)), "");
            const callLog = path.join(dir, "calls.log");
            const outLog = path.join(dir, "stderr.log");
            const n: Node = {
                name,
                dir,
                datadir,
                rundir: path.join(dir, "run"),
                callLog,
                outLog,
                statusFile: path.join(dir, "status"),
                calls: () => read(callLog).split("\n").filter(Boolean),
                log: () => read(outLog),
            };
            nodes.push(n);
            return n;
        },
        start: (n, env = {}, topo = t) => {
            const file = path.join(n.dir, "ha-galera-start");
            fs.writeFileSync(file, renderGaleraStart(topo, n.name, { positionPort: posPort }).content, { mode: 0o755 });
            const out = fs.openSync(n.outLog, "a");
            const child = spawn("bash", [file], {
                detached: true,
                stdio: ["ignore", out, out],
                env: {
                    PATH: `${bin}:/usr/bin:/bin`,
                    STUB_LOG: n.callLog,
                    STUB_STATUS: n.statusFile,
                    HA_GALERA_DATADIR: n.datadir,
                    HA_GALERA_RUN_DIR: n.rundir,
                    HA_GALERA_PROBE_SECONDS: "2",
                    HA_GALERA_POLL_SECONDS: "1",
                    HA_GALERA_WATCHDOG_INTERVAL_SECONDS: "1",
                    ...env,
                },
            });
            fs.closeSync(out);
            n.child = child;
            child.on("exit", (code) => (n.exitCode = code));
        },
        // Asynchronous: the fake members answer from this process's event loop.
        recover: (n, args = []) => {
            const file = path.join(n.dir, "ha-galera-recover");
            fs.writeFileSync(file, renderGaleraRecover(t, n.name, { positionPort: posPort }).content, { mode: 0o755 });
            return new Promise((resolve) => {
                const child = spawn("bash", [file, ...args], {
                    stdio: ["ignore", "pipe", "pipe"],
                    env: { PATH: `${bin}:/usr/bin:/bin`, HA_GALERA_RUN_DIR: n.rundir, HA_GALERA_POLL_SECONDS: "1" },
                });
                let out = "";
                let err = "";
                const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
                child.stdout.on("data", (d) => (out += d.toString()));
                child.stderr.on("data", (d) => (err += d.toString()));
                child.on("close", (code) => {
                    clearTimeout(timer);
                    resolve({ code, out, err });
                });
            });
        },
    };
    current = s;
    return s;
}

/** Kills what a case started: each wrapper's process group (the wrapper, or the server it became, its socat and watchdog). */
afterEach(async () => {
    const s = current;
    current = undefined;
    if (!s) return;
    for (const n of s.nodes) {
        const pid = n.child?.pid;
        if (pid !== undefined) {
            try {
                process.kill(-pid, "SIGKILL");
            } catch {
                // already gone
            }
        }
    }
    await Promise.all(s.fakes.map((f) => f.stop()));
});

const exited = (n: Node) => n.exitCode !== undefined;
const serverStarts = (n: Node) => n.calls().filter((c) => /^(mariadbd|mysqld) /.test(c) && !c.includes("--wsrep-recover"));
const bootstrapped = (n: Node) => serverStarts(n).some((c) => c.includes("--wsrep-new-cluster"));
const joinedVia = (n: Node) => serverStarts(n).map((c) => /--wsrep_cluster_address=gcomm:\/\/(\S*)/.exec(c)?.[1]).find((x) => x !== undefined);

function positionOf(ip: string, port: number): Promise<string> {
    return new Promise((resolve) => {
        const sock = net.connect(port, ip);
        let data = "";
        sock.setTimeout(3000, () => sock.destroy());
        sock.on("data", (d) => (data += d.toString()));
        sock.on("close", () => resolve(data.trim()));
        sock.on("error", () => resolve(""));
    });
}

describe("rendering", () => {
    it("has Galera nodes to render (not vacuous)", () => {
        expect(galera.length).toBeGreaterThanOrEqual(6);
        expect(percona).toBeDefined();
    });

    describe.each(galera.map((g) => [`${g.label} ${g.node}`, g] as const))("%s", (_name, g) => {
        const start = renderGaleraStart(g.topology, g.node);
        const recover = renderGaleraRecover(g.topology, g.node);

        it("matches the golden files", () => {
            expect([start.path, start.mode]).toEqual([GALERA_START_PATH, "0755"]);
            expect([recover.path, recover.mode]).toEqual([GALERA_RECOVER_PATH, "0755"]);
            expectGolden(`${g.label}/galera-start-${g.node}.sh`, start.content);
            expectGolden(`${g.label}/galera-recover-${g.node}.sh`, recover.content);
        });

        it.each([
            ["start wrapper", start.content],
            ["recovery command", recover.content],
        ])("the %s parses with bash -n and passes shellcheck", (_what, text) => {
            const syntax = spawnSync("bash", ["-n"], { input: text, encoding: "utf8" });
            expect(syntax.stderr).toBe("");
            expect(syntax.status).toBe(0);
            const v = shellcheck(text);
            expect(v.output).toBe("");
            expect(v.code).toBe(0);
        });

        it("embeds this node, every member in order, the clustercheck port and the probe window; nothing from the environment decides", () => {
            const pxc = g.topology.database.pxc!;
            const self = pxc.nodes.find((n) => n.name === g.node)!;
            for (const text of [start.content, recover.content]) {
                expect(text).toContain(`readonly NODE=${g.node}\nreadonly SELF_IP=${self.ip}\n`);
                expect(text).toContain(`readonly MEMBERS=(${pxc.nodes.map((n) => n.name).join(" ")})\n`);
                expect(text).toContain(`readonly MEMBER_IPS=(${pxc.nodes.map((n) => n.ip).join(" ")})\n`);
                expect(text).toContain(`readonly CLUSTERCHECK_PORT=${pxc.clustercheck.port}\n`);
                expect(text).toContain(`readonly POSITION_PORT=${GALERA_POSITION_PORT}\n`);
                expect(text).not.toMatch(/GALERA_BOOTSTRAP|GALERA_PEERS|\/4567/);
            }
            expect(start.content).toContain(`readonly PROBE_SECONDS=\${HA_GALERA_PROBE_SECONDS:-${galeraProbeSeconds(pxc)}}\n`);
            for (const secret of Object.values(g.secrets)) expect(start.content.includes(secret) || recover.content.includes(secret)).toBe(false);
        });
    });

    it("derives the probe window from evs.inactive_timeout plus a margin", () => {
        const pxc = dev.topology.database.pxc!;
        expect(galeraProbeSeconds({ ...pxc, suspectTimeoutMs: 5000 })).toBe(20);
        expect(galeraProbeSeconds({ ...pxc, suspectTimeoutMs: 2000 })).toBe(20);
        expect(galeraProbeSeconds({ ...pxc, suspectTimeoutMs: 10000 })).toBe(35);
    });

    it("refuses a node outside the cluster and a position port that collides", () => {
        expect(() => renderGaleraStart(dev.topology, "dm1")).toThrow(/dm1 is not a Galera node/);
        expect(() => renderGaleraStart(dev.topology, "pn1", { positionPort: 4567 })).toThrow(/collides/);
        expect(() => renderGaleraRecover(dev.topology, "pn1", { positionPort: dev.topology.database.pxc!.clustercheck.port })).toThrow(/collides/);
    });
});

describe("ha-galera-start decides (stub servers, loopback members)", () => {
    it("empty volume with the marker and no member answering: bootstraps a new cluster after the probe window", async () => {
        const s = await scenario();
        const n = s.node("pn1", { marker: true });
        const t0 = Date.now();
        s.start(n);
        await waitUntil("the wrapper to exec the server", () => exited(n), 20_000);
        expect(Date.now() - t0).toBeGreaterThanOrEqual(2000);
        expect(n.calls()).toEqual(
            expect.arrayContaining([
                `mariadb-install-db --user=mysql --datadir=${n.datadir} --skip-test-db`,
                "mariadbd --user=mysql --wsrep-new-cluster --init-file=/etc/ha-mysql/init.sql",
            ]),
        );
        expect(serverStarts(n)).toHaveLength(1);
        expect(n.log()).toMatch(/ha-galera-start: empty datadir, the new-cluster marker .* no member Synced or with state: bootstrapping a new cluster/);
        // The position service is gone before the server starts.
        expect(await positionOf(ipOf("pn1"), s.posPort)).toBe("");
    }, 30_000);

    it("empty volume without the marker, members down: never bootstraps, keeps waiting, joins the first member that is Synced", async () => {
        const s = await scenario();
        const n = s.node("pn1");
        s.start(n);
        await sleep(4500);
        expect(exited(n)).toBe(false);
        expect(serverStarts(n)).toEqual([]);
        expect(n.calls().filter((c) => c.startsWith("mariadb-install-db"))).toEqual([]);
        expect(n.log()).toMatch(/empty datadir and no new-cluster marker/);
        expect(n.log()).toMatch(/never bootstraps by itself/);
        expect(await positionOf(ipOf("pn1"), s.posPort)).toBe(`${ZERO} -1 0`);
        await s.fake("pn3", 200);
        await waitUntil("the join", () => exited(n), 10_000);
        expect(serverStarts(n)).toEqual(["mariadbd --user=mysql --wsrep_cluster_address=gcomm://127.0.0.4,127.0.0.3"]);
        expect(n.log()).toMatch(/joining the cluster through pn3 \(127\.0\.0\.4 answers clustercheck 200/);
    }, 30_000);

    it("a member whose Galera port is open but whose clustercheck answers 503 does not count as a cluster", async () => {
        const s = await scenario();
        const peer = await s.fake("pn2", 503);
        const galeraPortOpen = await peer.listenAlso(4567);
        const n = s.node("pn1");
        s.start(n);
        await sleep(5000);
        expect(exited(n)).toBe(false);
        expect(serverStarts(n)).toEqual([]);
        if (!galeraPortOpen) console.warn("127.0.0.3:4567 was taken: the 503 case ran without the open Galera port");
        // With the marker, the same 503 member does not stop a first bootstrap either.
        const m = s.node("pn3", { marker: true });
        s.start(m);
        await waitUntil("the marker node to start its server", () => exited(m), 20_000);
        expect(bootstrapped(m)).toBe(true);
    }, 40_000);

    it("empty volume with a stale marker while a member has state: joins, never bootstraps", async () => {
        const s = await scenario();
        await s.fake("pn2", 503, `${U} 40 0`);
        const n = s.node("pn1", { marker: true });
        s.start(n);
        await sleep(5000);
        expect(exited(n)).toBe(false);
        expect(serverStarts(n)).toEqual([]);
        expect(n.log()).toMatch(/the new-cluster marker is stale: pn2 \(127\.0\.0\.3\) has state/);
    }, 30_000);

    it("stale safe_to_bootstrap: 1 with the members down and not every position known: does not bootstrap", async () => {
        const s = await scenario();
        await s.fake("pn2", undefined, `${U} 5 0`);
        const n = s.node("pn1", { grastate: { uuid: U, seqno: 10, safe: 1 } });
        s.start(n);
        await sleep(7000);
        expect(exited(n)).toBe(false);
        expect(serverStarts(n)).toEqual([]);
        expect(n.log()).toMatch(/no automatic bootstrap until every member reports its position; missing: pn3 \(127\.0\.0\.4/);
        expect(n.log()).toMatch(/ha-galera-recover/);
        expect(await positionOf(ipOf("pn1"), s.posPort)).toBe(`${U} 10 1`);
        expect(read(path.join(n.datadir, "grastate.dat"))).toMatch(/^safe_to_bootstrap: 1$/m);
    }, 30_000);

    it("restart of the bootstrap node (state, no marker) while a member is Synced: joins it at once, without recovery", async () => {
        const s = await scenario();
        await s.fake("pn2", 503);
        await s.fake("pn3", 200);
        const n = s.node("pn1", { grastate: { uuid: U, seqno: -1, safe: 1 } });
        s.start(n);
        await waitUntil("the join", () => exited(n), 10_000);
        expect(n.calls().filter((c) => c.startsWith("mariadbd"))).toEqual(["mariadbd --user=mysql --wsrep_cluster_address=gcomm://127.0.0.4,127.0.0.3"]);
        expect(read(path.join(n.datadir, "grastate.dat"))).toMatch(/^safe_to_bootstrap: 1$/m);
    }, 20_000);

    it("a crashed node (gvwstate.dat left) joins only after the members' eviction window; a cleanly stopped one joins at once", async () => {
        const s = await scenario();
        await s.fake("pn2", 200);
        const crashed = s.node("pn1", { grastate: { uuid: U, seqno: -1, safe: 0 } });
        fs.writeFileSync(path.join(crashed.datadir, path.basename(GALERA_VIEW_STATE)), "my_uuid: 1\n");
        const clean = s.node("pn3", { grastate: { uuid: U, seqno: 7, safe: 0 } });
        const t0 = Date.now();
        s.start(crashed, { HA_GALERA_EVICTION_SECONDS: "4" });
        s.start(clean, { HA_GALERA_EVICTION_SECONDS: "4" });
        await waitUntil("the clean node's join", () => exited(clean), 10_000);
        const cleanMs = Date.now() - t0;
        expect(exited(crashed)).toBe(false);
        await waitUntil("the crashed node's join", () => exited(crashed), 10_000);
        const crashedMs = Date.now() - t0;
        expect(cleanMs).toBeLessThan(3000);
        expect(crashedMs).toBeGreaterThanOrEqual(3000);
        expect(joinedVia(crashed)).toBe("127.0.0.3,127.0.0.4");
        expect(crashed.log()).toContain("did not shut down cleanly: the members count that run until they evict it; joining after 4s");
        expect(clean.log()).not.toContain("did not shut down cleanly");
    }, 30_000);

    /**
     * A member address that takes no connection and sends no refusal, as a restarted container's
     * address does while the other hosts still route it to its old endpoint: a listener with a
     * zero backlog, filled, so the kernel drops every further SYN. Held until `release`.
     */
    async function silentMember(ip: string): Promise<{ release: () => void }> {
        const py = spawn("python3", ["-c", `import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("${ip}", 4567)); s.listen(0)
held=[]
for _ in range(2):
    c=socket.socket(); c.setblocking(False); c.connect_ex(("${ip}", 4567)); held.append(c)
print("ready", flush=True)
time.sleep(60)`], { stdio: ["ignore", "pipe", "inherit"] });
        await new Promise<void>((resolve, reject) => {
            py.stdout.on("data", (d) => String(d).includes("ready") && resolve());
            py.on("exit", (code) => reject(new Error(`the silent member exited (${code})`)));
        });
        return { release: () => py.kill("SIGKILL") };
    }

    it("a joiner waits for every other member's address to answer on the Galera port, and joins without a silent one after the bound", async () => {
        const s = await scenario();
        await s.fake("pn2", 200);
        const silent = await silentMember(ipOf("pn3"));
        try {
            const n = s.node("pn1", { grastate: { uuid: U, seqno: 7, safe: 0 } });
            s.start(n, { HA_GALERA_REACH_SECONDS: "30" });
            await waitUntil("the wait for pn3", () => n.log().includes("pn3 not answering on port 4567 yet: waiting up to 30s before joining"), 10_000);
            await sleep(2500);
            expect(exited(n)).toBe(false);
            // pn3 answers again (here: nothing listens, so its port refuses): the join goes on.
            silent.release();
            await waitUntil("the join", () => exited(n), 10_000);
            expect(joinedVia(n)).toBe("127.0.0.3,127.0.0.4");
            expect(n.log()).toContain("every member answers on port 4567: joining");
        } finally {
            silent.release();
        }

        const stays = await silentMember(ipOf("pn3"));
        try {
            // The same member again, from a clean slate: its earlier calls and log go.
            for (const f of ["calls.log", "stderr.log"]) fs.rmSync(path.join(s.nodes[0].dir, f), { force: true });
            const late = s.node("pn1", { grastate: { uuid: U, seqno: 7, safe: 0 } });
            const t0 = Date.now();
            s.start(late, { HA_GALERA_REACH_SECONDS: "2" });
            await waitUntil("the join without pn3", () => exited(late), 15_000);
            expect(Date.now() - t0).toBeGreaterThanOrEqual(2000);
            expect(late.log()).toContain("pn3 still not answering on port 4567 after 2s (down or cut off): joining without them");
            expect(joinedVia(late)).toBe("127.0.0.3,127.0.0.4");
        } finally {
            stays.release();
        }
    }, 60_000);

    it("renders the eviction window from the suspect timeout: suspect + one inactive check period + 1 s", () => {
        const pxc = dev.topology.database.pxc!;
        expect(galeraEvictionSeconds({ ...pxc, suspectTimeoutMs: 5000 })).toBe(7);
        expect(galeraEvictionSeconds({ ...pxc, suspectTimeoutMs: 1200 })).toBe(3);
        expect(renderGaleraStart(dev.topology, pxc.nodes[0].name).content).toContain(`readonly EVICTION_SECONDS=\${HA_GALERA_EVICTION_SECONDS:-${galeraEvictionSeconds(pxc)}}\n`);
    });

    it("whole-cluster crash, three wrappers with different positions: only the most advanced bootstraps, the others join it", async () => {
        const s = await scenario();
        const cc = await Promise.all(NAMES.map((name) => s.fake(name, 503)));
        const pn1 = s.node("pn1", { grastate: { uuid: U, seqno: 5, safe: 0 } });
        const pn2 = s.node("pn2", { grastate: { uuid: U, seqno: 9, safe: 0 } });
        const pn3 = s.node("pn3", { grastate: { uuid: U, seqno: -1, safe: 0 } });
        s.start(pn1);
        s.start(pn2);
        s.start(pn3, { STUB_RECOVERED: `${U}:7` });
        await waitUntil("pn2 to bootstrap", () => bootstrapped(pn2), 20_000);
        expect(read(path.join(pn2.datadir, "grastate.dat"))).toMatch(/^safe_to_bootstrap: 1$/m);
        expect(pn2.log()).toMatch(/every member reported its position .* this node is the most advanced: bootstrapping/);
        await sleep(2000);
        expect([pn1, pn3].map(serverStarts)).toEqual([[], []]);
        expect(pn3.calls().filter((c) => c.startsWith("mariadbd"))[0]).toMatch(/^mariadbd --user=mysql --wsrep-recover --log-error=\S+wsrep-recover\.log$/);
        expect(pn3.log()).toMatch(/recovered position 378fde1a-ed86-11f1-b71a-6b68ee5124e8:7/);
        // pn2's server is now Synced.
        cc[1].status = 200;
        await waitUntil("pn1 and pn3 to join", () => exited(pn1) && exited(pn3), 15_000);
        expect(joinedVia(pn1)).toBe("127.0.0.3,127.0.0.4");
        expect(joinedVia(pn3)).toBe("127.0.0.3,127.0.0.2");
        expect([pn1, pn3].map(bootstrapped)).toEqual([false, false]);
        expect([pn1, pn3].map((n) => read(path.join(n.datadir, "grastate.dat")).match(/^safe_to_bootstrap: (\d)$/m)?.[1])).toEqual(["0", "0"]);
    }, 45_000);

    // One wrapper, the two other members as fake position services.
    type AllDownCase = [string, { seqno: number; safe: 0 | 1 }, Record<string, string>, string, string];
    it.each<AllDownCase>([
        ["pn1", { seqno: 9, safe: 0 }, { pn2: `${U} 9 0`, pn3: `${U} 9 0` }, "bootstrap", "equal, first in member order"],
        ["pn3", { seqno: 9, safe: 0 }, { pn1: `${U} 9 0`, pn2: `${U} 9 0` }, "waits for pn1", "equal, pn1 is first in member order"],
        ["pn2", { seqno: 9, safe: 0 }, { pn1: `${U} 9 0`, pn3: `${U} 9 1` }, "waits for pn3", "equal seqno, pn3 has safe_to_bootstrap 1"],
        ["pn3", { seqno: 9, safe: 1 }, { pn1: `${U} 9 0`, pn2: `${U} 9 0` }, "bootstrap", "equal seqno, this one has safe_to_bootstrap 1"],
        ["pn1", { seqno: 9, safe: 0 }, { pn2: `${U} 12 0`, pn3: `${U} 3 1` }, "waits for pn2", "pn2 is ahead"],
        ["pn1", { seqno: 9, safe: 1 }, { pn2: `${V} 12 0`, pn3: `${U} 3 0` }, "refuses: different clusters", "pn2 comes from another cluster"],
        ["pn1", { seqno: 9, safe: 1 }, { pn2: `${ZERO} -1 0`, pn3: `${U} 3 0` }, "refuses: pn2 has no state", "pn2 lost its datadir"],
    ])("whole cluster down, %s with %j, members %j: %s (%s)", async (self, own, others, expected) => {
        const s = await scenario();
        for (const [name, pos] of Object.entries(others)) await s.fake(name, 503, pos);
        const n = s.node(self, { grastate: { uuid: U, ...own } });
        s.start(n);
        if (expected === "bootstrap") {
            await waitUntil("the bootstrap", () => exited(n), 15_000);
            expect(serverStarts(n)).toEqual(["mariadbd --user=mysql --wsrep-new-cluster --init-file=/etc/ha-mysql/init.sql"]);
            return;
        }
        await sleep(4500);
        expect(exited(n)).toBe(false);
        expect(serverStarts(n)).toEqual([]);
        if (expected.startsWith("waits for ")) expect(n.log()).toMatch(new RegExp(`: ${expected.slice(10)} is the most advanced; waiting for it to bootstrap`));
        if (expected.includes("different clusters")) expect(n.log()).toMatch(/the members come from different clusters .* pn2 has cluster 9a1b2c3d/);
        if (expected.includes("no state")) expect(n.log()).toMatch(/missing: pn2 \(no state: it needs a full state transfer\)/);
    }, 30_000);

    it.each([
        [`${U}:20`, "bootstrap"],
        [`${U}:3`, "waits for pn3"],
        ["", "waits: position unknown"],
    ])("seqno -1: --wsrep-recover gives %j, members at 9 and 15: %s", async (recovered, expected) => {
        const s = await scenario();
        await s.fake("pn2", 503, `${U} 9 0`);
        await s.fake("pn3", 503, `${U} 15 0`);
        const n = s.node("pn1", { grastate: { uuid: U, seqno: -1, safe: 0 } });
        s.start(n, { STUB_RECOVERED: recovered });
        if (expected === "bootstrap") {
            await waitUntil("the bootstrap", () => exited(n), 15_000);
            expect(n.calls().filter((c) => c.startsWith("mariadbd")).map((c) => c.replace(/=\S+wsrep-recover\.log/, "=LOG"))).toEqual([
                "mariadbd --user=mysql --wsrep-recover --log-error=LOG",
                "mariadbd --user=mysql --wsrep-new-cluster --init-file=/etc/ha-mysql/init.sql",
            ]);
            expect(n.log()).toMatch(/recovered position 378fde1a-ed86-11f1-b71a-6b68ee5124e8:20/);
            return;
        }
        await sleep(4500);
        expect(exited(n)).toBe(false);
        expect(serverStarts(n)).toEqual([]);
        if (expected === "waits for pn3") {
            expect(n.log()).toMatch(/pn3 is the most advanced; waiting for it/);
            expect(await positionOf(ipOf("pn1"), s.posPort)).toBe(`${U} 3 0`);
        } else {
            expect(n.log()).toMatch(/--wsrep-recover printed no position/);
            expect(n.log()).toMatch(/missing: pn1 \(its position is unknown/);
        }
    }, 30_000);

    describe("the Percona flavor starts mysqld itself, as the MariaDB flavor starts mariadbd", () => {
        it("bootstrap: mysqld --initialize with the marker out of the way, then --wsrep-new-cluster and the users file; clustercheck by socat", async () => {
            const s = await scenario(percona.topology);
            const n = s.node("pn1", { marker: true });
            s.start(n);
            await waitUntil("the server", () => exited(n), 20_000);
            await waitUntil("the clustercheck service", () => n.calls().some((c) => c.startsWith("socat ")), 10_000);
            const calls = n.calls().filter((c) => !c.startsWith("chown"));
            expect(calls[0]).toBe(`mysqld --initialize-insecure --user=mysql --datadir=${n.datadir}`);
            // socat runs in the background, so its line and the server's come in either order.
            expect(calls.slice(1)).toHaveLength(2);
            expect(calls.slice(1)).toEqual(
                expect.arrayContaining([
                    expect.stringMatching(new RegExp(`^socat TCP-LISTEN:${s.ccPort},bind=127\\.0\\.0\\.2,fork,reuseaddr,range=\\S+ EXEC:/usr/local/bin/clustercheck,su=mysql$`)),
                    "mysqld --user=mysql --wsrep-new-cluster --init-file=/etc/ha-mysql/init.sql",
                ]),
            );
            // The marker is back, for the stack's step to drop once the node is Synced.
            expect(fs.readdirSync(n.datadir).sort()).toEqual(["ha-new-cluster", "mysql"]);
        }, 30_000);

        it("a failed initialisation leaves the marker in place and starts no server", async () => {
            const s = await scenario(percona.topology);
            const n = s.node("pn1", { marker: true });
            fs.writeFileSync(path.join(n.datadir, "lost+found"), "");
            s.start(n);
            await waitUntil("the wrapper to stop", () => exited(n), 20_000);
            expect(n.exitCode).toBe(1);
            expect(serverStarts(n).filter((c) => !c.includes("--initialize"))).toEqual([]);
            expect(n.log()).toMatch(/mysqld --initialize-insecure failed; its last lines:\n.*data directory has files in it/);
            expect(fs.readdirSync(n.datadir).sort()).toEqual(["ha-new-cluster", "lost+found"]);
        }, 30_000);

        it("join: the Synced member, then the others, on mysqld's command line", async () => {
            const s = await scenario(percona.topology);
            await s.fake("pn2", 200);
            const n = s.node("pn1", { grastate: { uuid: U, seqno: 4, safe: 0 } });
            s.start(n);
            await waitUntil("the server", () => exited(n), 20_000);
            expect(serverStarts(n)).toEqual(["mysqld --user=mysql --wsrep_cluster_address=gcomm://127.0.0.3,127.0.0.4"]);
            expect(n.calls().filter((c) => c.includes("--initialize"))).toEqual([]);
        }, 30_000);
    });
});

describe("ha-galera-recover", () => {
    it("refuses when ha-galera-start is not waiting", async () => {
        const s = await scenario();
        const n = s.node("pn1");
        const r = await s.recover(n);
        expect(r.code).toBe(1);
        expect(r.err).toMatch(/ha-galera-start on pn1 is not waiting for a bootstrap decision/);
    });

    it("refuses when a member answers clustercheck 200", async () => {
        const s = await scenario();
        await s.fake("pn3", 200);
        const n = s.node("pn1");
        fs.mkdirSync(n.rundir, { recursive: true });
        fs.writeFileSync(path.join(n.rundir, "position"), `${U} 9 0\n`);
        const r = await s.recover(n, ["--force"]);
        expect(r.code).toBe(1);
        expect(r.err).toContain("the cluster has a Primary component at pn3 127.0.0.4: this node joins it by itself");
        expect(fs.existsSync(path.join(n.rundir, "bootstrap-now"))).toBe(false);
    });

    it("refuses when a reachable member is more advanced; --force makes the waiting wrapper bootstrap", async () => {
        const s = await scenario();
        await s.fake("pn2", 503, `${U} 9 0`);
        const n = s.node("pn1", { grastate: { uuid: U, seqno: 5, safe: 0 } });
        s.start(n);
        await waitUntil("the wrapper to publish its position", () => fs.existsSync(path.join(n.rundir, "position")), 15_000);
        const r = await s.recover(n);
        expect(r.code).toBe(1);
        expect(r.out).toContain(`pn1 127.0.0.2 (this node): ${U} 5 0`);
        expect(r.out).toContain(`pn2 127.0.0.3: ${U} 9 0`);
        expect(r.out).toMatch(/pn3 127\.0\.0\.4: no answer/);
        expect(r.err).toContain("refusing: pn2 127.0.0.3 is more advanced (seqno 9, this node 5)");
        await sleep(2500);
        expect(serverStarts(n)).toEqual([]);
        const forced = await s.recover(n, ["--force"]);
        expect(forced.code).toBe(0);
        expect(forced.err).toMatch(/--force: bootstrapping although pn2 127\.0\.0\.3 is more advanced/);
        await waitUntil("the bootstrap", () => exited(n), 10_000);
        expect(serverStarts(n)).toEqual(["mariadbd --user=mysql --wsrep-new-cluster --init-file=/etc/ha-mysql/init.sql"]);
        expect(read(path.join(n.datadir, "grastate.dat"))).toMatch(/^safe_to_bootstrap: 1$/m);
        expect(n.log()).toMatch(/ha-galera-recover asked for a new cluster from this node/);
    }, 40_000);

    it("on the most advanced reachable member: the waiting wrapper bootstraps after the request", async () => {
        const s = await scenario();
        await s.fake("pn1", 503, `${U} 5 0`);
        const n = s.node("pn2", { grastate: { uuid: U, seqno: 9, safe: 0 } });
        s.start(n);
        await waitUntil("the wrapper to publish its position", () => fs.existsSync(path.join(n.rundir, "position")), 15_000);
        await sleep(1500);
        expect(serverStarts(n)).toEqual([]);
        const r = await s.recover(n);
        expect(r.err).toBe("");
        expect(r.code).toBe(0);
        expect(r.out).toMatch(/ha-galera-start took the request/);
        await waitUntil("the bootstrap", () => exited(n), 10_000);
        expect(serverStarts(n)).toEqual(["mariadbd --user=mysql --wsrep-new-cluster --init-file=/etc/ha-mysql/init.sql"]);
    }, 40_000);

    it("refuses on a node without data unless --force", async () => {
        const s = await scenario();
        await s.fake("pn2", 503, `${U} 9 0`);
        const n = s.node("pn1");
        s.start(n);
        await waitUntil("the wrapper to publish its position", () => fs.existsSync(path.join(n.rundir, "position")), 15_000);
        const r = await s.recover(n);
        expect(r.code).toBe(1);
        expect(r.err).toContain("refusing: this node has no data: bootstrapping it starts an EMPTY cluster");
        expect(r.err).toContain(`refusing: pn2 127.0.0.3 has data (${U}:9)`);
        expect(serverStarts(n)).toEqual([]);
    }, 30_000);
});

describe("the watchdog", () => {
    const rows = (comment: string, cluster: string, ready: string) => `wsrep_local_state_comment\t${comment}\nwsrep_cluster_status\t${cluster}\nwsrep_ready\t${ready}\n`;

    /** A joined node whose stub server runs until SIGTERM, its status rows in STUB_STATUS. */
    async function running(status: string | undefined, env: Record<string, string> = {}) {
        const s = await scenario();
        await s.fake("pn2", 200);
        const n = s.node("pn1", { grastate: { uuid: U, seqno: 4, safe: 0 } });
        if (status !== undefined) fs.writeFileSync(n.statusFile, status);
        s.start(n, { STUB_SERVER: "wait", HA_GALERA_WATCHDOG_GRACE_SECONDS: "2", ...env });
        await waitUntil("the server to start", () => serverStarts(n).length > 0, 10_000);
        return n;
    }
    const terminated = (n: Node) => n.calls().includes("server got SIGTERM");

    it("stops a server that stays Initialized outside a Primary component beyond the grace", async () => {
        const n = await running(rows("Initialized", "Disconnected", "OFF"));
        await waitUntil("SIGTERM", () => terminated(n), 10_000);
        await waitUntil("the server to exit", () => exited(n), 5000);
        expect(n.log()).toMatch(/watchdog: out of the Primary component for [2-9]s \(state Initialized, cluster status Disconnected, wsrep_ready OFF\): stopping the server/);
    }, 30_000);

    it("stops a Synced node that is in a non-Primary component, only after the grace", async () => {
        const n = await running(rows("Synced", "Primary", "ON"));
        await sleep(3000);
        expect(terminated(n)).toBe(false);
        const t0 = Date.now();
        fs.writeFileSync(n.statusFile, rows("Synced", "non-Primary", "OFF"));
        await waitUntil("SIGTERM", () => terminated(n), 10_000);
        expect(Date.now() - t0).toBeGreaterThanOrEqual(2000);
    }, 30_000);

    it.each([
        ["Synced in the Primary component", rows("Synced", "Primary", "ON")],
        ["a donor", rows("Donor/Desynced", "Primary", "ON")],
        ["joining", rows("Joining: receiving State Transfer", "non-Primary", "OFF")],
        ["a server that has not answered yet (starting)", undefined],
    ])("leaves %s alone", async (_what, status) => {
        const n = await running(status, { HA_GALERA_WATCHDOG_START_SECONDS: "60" });
        await sleep(5000);
        expect(terminated(n)).toBe(false);
        expect(exited(n)).toBe(false);
    }, 30_000);

    it("stops a server that never answers once the start window is over", async () => {
        const n = await running(undefined, { HA_GALERA_WATCHDOG_START_SECONDS: "2" });
        await waitUntil("SIGTERM", () => terminated(n), 12_000);
        expect(n.log()).toMatch(/watchdog: .*the server does not answer/);
    }, 30_000);

    it("leaves a node alone while a state transfer process runs", async () => {
        const sst = spawn("bash", ["-c", "exec -a wsrep_sst_mariabackup sleep 20"], { stdio: "ignore" });
        try {
            const n = await running(rows("Initialized", "non-Primary", "OFF"));
            await sleep(5000);
            expect(terminated(n)).toBe(false);
        } finally {
            if (sst.pid !== undefined) process.kill(sst.pid, "SIGKILL");
        }
    }, 30_000);
});
