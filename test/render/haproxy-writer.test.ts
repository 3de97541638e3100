// The rendered Galera listeners run in a real HAProxy: two HAProxy processes (h1, h2, as in the
// dev stack) in front of three stand-in Galera nodes on loopback addresses, each a TCP server
// that greets with its name and a clustercheck HTTP service whose answer the test flips. The
// write listener must keep one writer, keep it when the old one returns, agree on it across the
// two HAProxy nodes and across a reload; the read listener must use every Synced node.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { PEERS_SECTION, renderHaproxyCfg } from "../../components/render/haproxy";
import { Topology } from "../../model/schema";
import { loadStackFile } from "../support/stacks";

const WRITE_PORT = 3306;
const READ_PORT = 3308;
const STATS_PORT = 8888;
const GALERA = [
    { name: "pn1", ip: "127.0.0.11" },
    { name: "pn2", ip: "127.0.0.12" },
    { name: "pn3", ip: "127.0.0.13" },
];
const PROXIES = [
    { name: "h1", ip: "127.0.0.21" },
    { name: "h2", ip: "127.0.0.22" },
];

const dev = loadStackFile("Pulumi.dev.yaml");

/** The dev stack's Galera listeners with every address on loopback and fast checks. */
function loopbackTopology(): Topology {
    const t = structuredClone(dev.topology);
    delete t.database.dualMaster;
    t.database.pxc!.nodes = t.database.pxc!.nodes.map((n, i) => ({ ...n, ip: GALERA[i].ip }));
    const ha = t.haproxy!;
    ha.nodes = ha.nodes.map((n, i) => ({ ...n, ip: PROXIES[i].ip }));
    ha.listeners = ha.listeners!.filter((l) => l.backend === "pxc");
    const shape = ha.listeners.map((l) => `${l.port}/${l.role}`).join(" ");
    if (shape !== `${WRITE_PORT}/write ${READ_PORT}/read`) throw new Error(`the dev stack's Galera listeners changed: ${shape}`);
    ha.check = { ...ha.check, interMs: 100, fall: 2, rise: 2 };
    ha.timeouts = { ...ha.timeouts, checkMs: 300 };
    return t;
}

// Both processes share one network namespace: each binds its own address instead of `*`, and
// its admin socket goes to the test's directory.
function forLoopback(cfg: string, ip: string, dir: string): string {
    const out = cfg.replace(/bind \*:(\d+)/g, `bind ${ip}:$1`).replace(/stats socket \S+/, `stats socket ${path.join(dir, "admin.sock")}`);
    if (out.includes("bind *")) throw new Error("a listener still binds every address");
    return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, ms = 8000): Promise<T> {
    const deadline = Date.now() + ms;
    let last: T = await probe();
    while (!ok(last)) {
        if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(last)} after ${ms} ms`);
        await sleep(100);
        last = await probe();
    }
    return last;
}

/** Opens `count` connections at once, reads each greeting, then closes them all. */
async function servedBy(ip: string, port: number, count = 1): Promise<string[]> {
    const sockets: net.Socket[] = [];
    try {
        return await Promise.all(
            Array.from({ length: count }, () =>
                new Promise<string>((resolve) => {
                    const s = net.connect(port, ip);
                    sockets.push(s);
                    let data = "";
                    s.setTimeout(2000, () => resolve("(timeout)"));
                    s.on("data", (d) => {
                        data += d.toString();
                        if (data.includes("\n")) resolve(data.trim());
                    });
                    s.on("error", () => resolve("(error)"));
                    s.on("close", () => resolve(data.trim() || "(closed)"));
                }),
            ),
        );
    } finally {
        for (const s of sockets) s.destroy();
    }
}

function adminCommand(dir: string, command: string): Promise<string> {
    return new Promise((resolve) => {
        const s = net.connect(path.join(dir, "admin.sock"));
        let out = "";
        s.on("connect", () => s.write(`${command}\n`));
        s.on("data", (d) => (out += d.toString()));
        s.on("close", () => resolve(out));
        s.on("error", (e) => resolve(`(error ${e.message})`));
    });
}

function statsCsv(ip: string, user: string, password: string): Promise<string> {
    return new Promise((resolve, reject) => {
        http.get({ host: ip, port: STATS_PORT, path: `${dev.topology.haproxy!.stats.uri};csv`, auth: `${user}:${password}` }, (res) => {
            let body = "";
            res.on("data", (d) => (body += d.toString()));
            res.on("end", () => resolve(body));
        }).on("error", reject);
    });
}

/** The peers section's flags in `show peers` carry "resynced from the local peer" (0x1) and "from a remote" (0x2). */
function resyncDone(showPeers: string): boolean {
    const flags = new RegExp(`id=${PEERS_SECTION} .*?flags=(0x[0-9a-f]+)`).exec(showPeers)?.[1];
    return flags !== undefined && (Number(flags) & 0x3) === 0x3;
}

interface Proxy {
    readonly name: string;
    readonly ip: string;
    readonly dir: string;
    readonly process: ChildProcess;
    readonly log: string[];
}

describe("Galera listeners in a running HAProxy", () => {
    const up = new Map(GALERA.map((g) => [g.name, true]));
    const servers: Array<net.Server | http.Server> = [];
    const proxies: Proxy[] = [];
    const t = loopbackTopology();
    const write = (p: Proxy, count = 1) => servedBy(p.ip, WRITE_PORT, count);
    const read = (p: Proxy, count = 1) => servedBy(p.ip, READ_PORT, count);
    const same = (names: string[], name: string) => names.every((n) => n === name);

    beforeAll(async () => {
        for (const g of GALERA) {
            // Stays open after the greeting, so concurrent clients count as connections for leastconn.
            const sql = net.createServer((s) => {
                s.on("error", () => undefined);
                s.write(`${g.name}\n`);
            });
            const check = http.createServer((_req, res) => {
                res.writeHead(up.get(g.name) ? 200 : 503);
                res.end();
            });
            servers.push(sql, check);
            await new Promise<void>((r) => sql.listen(3306, g.ip, r));
            await new Promise<void>((r) => check.listen(t.database.pxc!.clustercheck.port, g.ip, r));
        }
        for (const p of PROXIES) {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), `haproxy-${p.name}-`));
            fs.writeFileSync(path.join(dir, "haproxy.cfg"), forLoopback(renderHaproxyCfg(t, p.name, dev.secrets).content, p.ip, dir));
            // The container's own command line; `timeout` bounds the process should the test die.
            const child = spawn("timeout", ["-k", "5", "120", "haproxy", "-W", "-db", "-f", path.join(dir, "haproxy.cfg"), "-p", path.join(dir, "master.pid")], { stdio: ["ignore", "pipe", "pipe"] });
            const log: string[] = [];
            child.stdout?.on("data", (d) => log.push(d.toString()));
            child.stderr?.on("data", (d) => log.push(d.toString()));
            proxies.push({ ...p, dir, process: child, log });
        }
        // Ready once the read listener sees every node UP; no write yet, so the stick tables start empty.
        for (const p of proxies) await eventually(`${p.name} sees every node`, async () => (await read(p, 3)).sort(), (names) => names.join() === "pn1,pn2,pn3");
    }, 30_000);

    afterAll(async () => {
        for (const p of proxies) {
            if (p.process.exitCode === null) {
                const exited = new Promise((r) => p.process.once("exit", r));
                p.process.kill("SIGTERM");
                let timer: NodeJS.Timeout | undefined;
                await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 3000)))]);
                clearTimeout(timer);
                if (p.process.exitCode === null) p.process.kill("SIGKILL");
            }
            fs.rmSync(p.dir, { recursive: true, force: true });
        }
        await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    });

    const [h1, h2] = [0, 1].map((i) => () => proxies[i]);

    it("sends concurrent writes to the first node only, and spreads reads over every node", async () => {
        expect(await write(h1(), 6)).toEqual(Array(6).fill("pn1"));
        expect((await read(h1(), 3)).sort()).toEqual(["pn1", "pn2", "pn3"]);
    });

    it("keeps its writer until that fails, and shares it with the other HAProxy node and a reload", async () => {
        // Peers sync their tables once the start-up resync is over; a failover before that could be
        // overwritten by the other node's older entry.
        for (const p of proxies) await eventually(`${p.name} peers resync`, () => adminCommand(p.dir, "show peers"), resyncDone, 15_000);

        up.set("pn1", false);
        // pn1 is DOWN once the read listener leaves it out; the first writes after that arrive
        // together and must all take the first backup (not every backup, not a spread).
        await eventually("pn1 out of the read listener", () => read(h1(), 3), (n) => !n.includes("pn1"));
        expect(await write(h1(), 6)).toEqual(Array(6).fill("pn2"));

        up.set("pn1", true);
        await eventually("pn1 back in the read listener", () => read(h1(), 3), (n) => n.includes("pn1"));
        expect(await write(h1(), 8)).toEqual(Array(8).fill("pn2"));
        // h2 took no traffic: it knows the writer from h1 through the peers section.
        expect(same(await write(h2(), 3), "pn2")).toBe(true);

        // A reload (SIGUSR2 to the master, as the stack's update does) keeps the writer.
        const pidBefore = /Pid: (\d+)/.exec(await adminCommand(h1().dir, "show info"))?.[1];
        process.kill(Number(fs.readFileSync(path.join(h1().dir, "master.pid"), "utf8").trim()), "SIGUSR2");
        await eventually("h1's new worker", async () => /Pid: (\d+)/.exec(await adminCommand(h1().dir, "show info"))?.[1], (pid) => pid !== undefined && pid !== pidBefore);
        expect(same(await write(h1(), 3), "pn2")).toBe(true);

        // The pinned writer fails: the first node that is UP takes over, on both HAProxy nodes.
        up.set("pn2", false);
        await eventually("h1 moves to pn1", () => write(h1()), (n) => n[0] === "pn1");
        await eventually("h2 moves to pn1", () => write(h2()), (n) => n[0] === "pn1");
        up.set("pn2", true);
        await eventually("pn2 back in the read listener", async () => read(h2(), 3), (n) => n.includes("pn2"));
        expect(same(await write(h2(), 3), "pn1")).toBe(true);
    }, 60_000);

    it("reports every server UP on the stats page, the write listener's standbys as backups", async () => {
        const ha = t.haproxy!;
        for (const p of proxies) {
            const rows = await eventually(`${p.name} stats`, async () => {
                const [header, ...lines] = (await statsCsv(p.ip, ha.stats.user, dev.secrets[ha.stats.passwordSecret])).split("\n").filter(Boolean);
                const col = header.replace(/^# /, "").split(",");
                const at = (f: string[], name: string) => f[col.indexOf(name)];
                return lines
                    .map((l) => l.split(","))
                    .filter((f) => !["FRONTEND", "BACKEND"].includes(f[1]) && f[0] !== "stats")
                    .map((f) => `${f[0]}/${f[1]} ${at(f, "status")} ${at(f, "bck") === "1" ? "backup" : "active"}`)
                    .sort();
            }, (r) => r.every((x) => x.includes(" UP ")));
            // The lab's verification reads this page the same way and counts on these rows only.
            expect(rows).toEqual([
                "pxc-read/pn1 UP active",
                "pxc-read/pn2 UP active",
                "pxc-read/pn3 UP active",
                "pxc/pn1 UP active",
                "pxc/pn2 UP backup",
                "pxc/pn3 UP backup",
            ]);
        }
    });
});
