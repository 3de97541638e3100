// Failover drills on the lab: each injects one failure while a Writer keeps writing through
// the VIP, then undoes it, and reports client-visible downtime, failed writes, acknowledged
// writes lost and the time until the topology is healthy again. Bounded in time throughout.
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { VrrpInstance } from "../../model/schema";
import { haproxyListeners, vrrpMembers } from "../../model/derive";
import { containerKeepalivedStart } from "../../components/render/container-keepalived-service";
import { Backend, sqlEndpoints } from "../../model/endpoints";
import { appOf, backendNodes, connectApp, vipHolders } from "./checks";
import { containerLogLines, containerSql, eventually, run, sleep } from "./exec";
import { LabStack, REPO } from "./lab-stack";
import { LAB } from "./lab-description";
import { membership, membershipProblems, waitClusterWhole } from "./galera";
import { FailureRun, failureRuns, longestOutage, longestStall } from "./client-loop";
import { Writer, WRITES_TABLE } from "./writer";

export interface DrillContext {
    readonly lab: LabStack;
    readonly inst: VrrpInstance;
    /** The VIP holder when the drill started. */
    readonly holder: string;
    readonly log: (line: string) => void;
    /** Containers a crash left down that the drill had to start itself (the restart policy failed). */
    readonly startedByDrill: string[];
    /** The database server a drill crashed (the writer it found), for HAProxy's DOWN line. */
    victim?: string;
}

export type Level = VrrpInstance["level"];

export interface Drill {
    readonly name: string;
    /** The database server the drill kills, as HAProxy names it ("pxc/pn1"). */
    readonly killsServer?: (ctx: DrillContext) => string | undefined;
    /** VRRP levels the drill applies to (the holder is a host, or a container). */
    readonly levels: Level[];
    what(level: Level): string;
    readonly backend: Backend;
    /** The drill takes the VIP holder out, so the VIP must move. */
    readonly movesVip: boolean;
    inject(ctx: DrillContext): Promise<void>;
    recover(ctx: DrillContext): Promise<void>;
    /** True when the topology is whole again (bounded polling by the runner). */
    healthy(ctx: DrillContext): Promise<boolean>;
}

export interface DrillResult {
    readonly drill: string;
    /** The VRRP instance whose VIP the client used. */
    readonly instance?: string;
    readonly what: string;
    readonly holderBefore: string;
    readonly holdersAfter: string[];
    /** Failure injected -> another node holds the VIP; -1 when it did not move (or the drill does not move it). */
    readonly vipMovedMs: number;
    /** First failed write to the next successful one, after the failure was injected. */
    readonly downtimeMs: number;
    /** Longest time without a completed write after the injection, beyond the writer's tick (slow successes count). */
    readonly stallMs?: number;
    /** Injection -> another member logged "Entering MASTER STATE" (container holders log to Docker); -1 when not seen. */
    readonly takeoverMs?: number;
    /** Injection -> the first HAProxy logged the killed database server DOWN (no new queries to it); -1 when not seen. */
    readonly backendDownMs?: number;
    /** The same, from the recovery on (a returning node must not cause a second outage). */
    readonly recoveryOutageMs: number;
    readonly writes: number;
    readonly failedWrites: number;
    readonly ackedWrites: number;
    readonly ackedLost: number;
    /** Failure injected -> topology healthy again (recovery included). */
    readonly healthyAfterMs: number;
    readonly errors: string[];
    /** Failed writes after the injection, as runs of one error each (ms after the injection). */
    readonly failures?: FailureRun[];
    /** Crashed containers Docker's restart policy did not bring back within 10 s (the drill started them). */
    readonly startedByDrill?: string[];
}

const hostsSh = path.join(REPO, "lab/hosts.sh");
const bridgePort = (host: string) => `hl-${host}`;
const BRIDGE = LAB.bridge;

export function must(r: { code: number; stdout: string; stderr: string }, what: string): string {
    if (r.code !== 0) throw new Error(`${what} failed (rc ${r.code}): ${r.stderr.trim()}`);
    return r.stdout;
}

function docker(ctx: DrillContext, host: string, args: string[]): string {
    return must(run("docker", ["-H", ctx.lab.dockerHost(host), ...args], { timeoutMs: 30_000 }), `docker ${args.join(" ")} on ${host}`);
}

/** keepalived processes of a simulated host, found by PID in its network namespace. */
function keepalivedPids(ctx: DrillContext, host: string): number[] {
    const pids = must(run("ip", ["netns", "pids", ctx.lab.netns(host)]), "ip netns pids").split(/\s+/).filter(Boolean);
    return pids.map(Number).filter((pid) => {
        try {
            return fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "keepalived";
        } catch {
            return false;
        }
    });
}

function startKeepalived(host: string): void {
    // The same start the HostKeepalived step runs where there is no systemd.
    must(run("bash", [hostsSh, "exec", host, "--", "sh", "-c", "rm -f /run/keepalived.pid /run/vrrp.pid /run/checkers.pid; keepalived -f /etc/keepalived/keepalived.conf -p /run/keepalived.pid"]), `starting keepalived on ${host}`);
}

const detach = (host: string) => must(run("ip", ["link", "set", bridgePort(host), "nomaster"]), `detaching ${host}`);
const attach = (host: string) => must(run("ip", ["link", "set", bridgePort(host), "master", BRIDGE]), `attaching ${host}`);

/**
 * A crash, not a stop: SIGKILL to the container's main process by PID. (`docker kill` marks the
 * container as stopped by hand, so a restart policy would not bring it back.)
 */
function crash(ctx: DrillContext, host: string, container: string): void {
    const pid = Number(docker(ctx, host, ["inspect", "-f", "{{.State.Pid}}", container]).trim());
    if (!(pid > 1)) throw new Error(`${container} on ${host} is not running`);
    process.kill(pid, "SIGKILL");
}

/**
 * After a crash, the restart policy should bring the container back; where it has not within
 * 10 s, start it as a supervisor would, and say so.
 */
async function restartIfNeeded(ctx: DrillContext, host: string, container: string): Promise<void> {
    if (await eventually(() => running(ctx, host, container), 10_000, 250)) return;
    ctx.log(`${container} on ${host} was not restarted by Docker within 10 s: starting it`);
    ctx.startedByDrill.push(container);
    docker(ctx, host, ["start", container]);
}

function proxyOn(ctx: DrillContext, host: string): string {
    const node = ctx.lab.topology.haproxy?.nodes.find((n) => n.host === host);
    if (!node) throw new Error(`no HAProxy container on ${host}`);
    return node.name;
}

const oneHolder = (ctx: DrillContext) => vipHolders(ctx.lab, ctx.inst).length === 1;

function running(ctx: DrillContext, host: string, container: string): boolean {
    const r = run("docker", ["-H", ctx.lab.dockerHost(host), "inspect", "-f", "{{.State.Running}}", container]);
    return r.code === 0 && r.stdout.trim() === "true";
}

/** Every Galera node a Synced member of one Primary component of the configured size (one state UUID). */
export function galeraWhole(ctx: DrillContext): boolean {
    const nodes = ctx.lab.topology.database.pxc?.nodes ?? [];
    return membershipProblems(membership(ctx.lab), nodes.length).length === 0;
}

function galeraNodes(ctx: DrillContext) {
    const pxc = ctx.lab.topology.database.pxc;
    if (!pxc) throw new Error("no Galera cluster in the topology");
    return { pxc, nodes: pxc.nodes, boot: pxc.nodes.find((n) => n.bootstrap) ?? pxc.nodes[0] };
}

/** Empties a stopped node's data volume, as a lost or recreated disk would leave it. */
function wipeVolume(ctx: DrillContext, host: string, node: string, image: string): void {
    docker(ctx, host, ["run", "--rm", "--network", "none", "--entrypoint", "sh", "-v", `${node}-data:/var/lib/mysql`, image, "-c", "find /var/lib/mysql -mindepth 1 -delete"]);
}

/** Both dual-master servers replicate from each other (IO and SQL threads running). */
export function replicating(ctx: DrillContext): boolean {
    return (ctx.lab.topology.database.dualMaster?.servers ?? []).every((s) => {
        const r = containerSql(ctx.lab.docker(s.host), s.name, "SHOW REPLICA STATUS\\G", { timeoutMs: 5000, columnNames: true });
        return r.code === 0 && (r.stdout.match(/_Running: Yes/g) ?? []).length === 2;
    });
}

/** The host the VIP holder runs on (itself, for a host-level instance). */
function holderHost(ctx: DrillContext): string {
    if (ctx.inst.level === "host") return ctx.holder;
    const m = vrrpMembers(ctx.lab.topology, ctx.inst).find((x) => x.name === ctx.holder);
    if (!m) throw new Error(`${ctx.holder} does not hold ${ctx.inst.name}`);
    return m.host;
}

/** The stack's own start step: nothing inside a restarted container starts keepalived. */
function startContainerKeepalived(ctx: DrillContext, host: string, container: string): void {
    must(run("sh", ["-c", `${containerKeepalivedStart(container)} </dev/null`], { env: { DOCKER_HOST: ctx.lab.dockerHost(host) } }), `starting keepalived in ${container}`);
}

function keepalivedInContainer(ctx: DrillContext, host: string, container: string): boolean {
    return run("docker", ["-H", ctx.lab.dockerHost(host), "exec", container, "sh", "-c", 'kill -0 "$(cat /run/keepalived.pid)"']).code === 0;
}

/** The holder is back with keepalived running, and exactly one node holds the VIP. */
async function holderBack(ctx: DrillContext): Promise<boolean> {
    const host = holderHost(ctx);
    const up = ctx.inst.level === "host" ? keepalivedPids(ctx, host).length > 0 : running(ctx, host, ctx.holder) && keepalivedInContainer(ctx, host, ctx.holder);
    return up && oneHolder(ctx);
}

export const DRILLS: Drill[] = [
    {
        name: "vip-holder-crash",
        levels: ["host", "container"],
        movesVip: true,
        what: (level) =>
            level === "host"
                ? "the VIP holder host crashes (cut off the LAN, keepalived SIGKILLed); later it reboots and returns"
                : "the container holding the VIP is SIGKILLed; Docker (or the drill) restarts it and keepalived is started again",
        backend: "pxc",
        inject: async (ctx) => {
            if (ctx.inst.level === "container") return crash(ctx, holderHost(ctx), ctx.holder);
            detach(ctx.holder);
            for (const pid of keepalivedPids(ctx, ctx.holder)) process.kill(pid, "SIGKILL");
        },
        recover: async (ctx) => {
            if (ctx.inst.level === "container") {
                await restartIfNeeded(ctx, holderHost(ctx), ctx.holder);
                return startContainerKeepalived(ctx, holderHost(ctx), ctx.holder);
            }
            // A reboot clears the addresses a SIGKILLed keepalived left on the interface.
            const lan = ctx.lab.topology.hosts.find((h) => h.name === ctx.holder)?.lan;
            if (lan) run("ip", ["-n", ctx.lab.netns(ctx.holder), "addr", "del", `${ctx.inst.vip}/${lan.address.split("/")[1]}`, "dev", lan.interface]);
            attach(ctx.holder);
            startKeepalived(ctx.holder);
        },
        healthy: holderBack,
    },
    {
        name: "vip-holder-stop",
        levels: ["host", "container"],
        movesVip: true,
        what: (level) =>
            level === "host" ? "keepalived on the VIP holder host is stopped (SIGTERM: it hands the VIP over), then started again" : "the container holding the VIP is stopped (docker stop), then started again with keepalived",
        backend: "pxc",
        inject: async (ctx) => {
            const host = holderHost(ctx);
            // In the background: the VIP moves while Docker is still stopping the container.
            if (ctx.inst.level === "container") return void spawn("docker", ["-H", ctx.lab.dockerHost(host), "stop", "-t", "10", ctx.holder], { stdio: "ignore" });
            for (const pid of keepalivedPids(ctx, host)) process.kill(pid, "SIGTERM");
        },
        recover: async (ctx) => {
            const host = holderHost(ctx);
            if (ctx.inst.level === "host") return startKeepalived(host);
            if (!(await eventually(() => !running(ctx, host, ctx.holder), 30_000, 250))) throw new Error(`${ctx.holder} did not stop within 30 s`);
            docker(ctx, host, ["start", ctx.holder]);
            startContainerKeepalived(ctx, host, ctx.holder);
        },
        healthy: holderBack,
    },
    {
        name: "haproxy-kill",
        levels: ["host"],
        movesVip: true,
        what: () => "HAProxy in the VIP holder is SIGKILLed (keepalived's track script must notice; Docker restarts it)",
        backend: "pxc",
        inject: async (ctx) => crash(ctx, ctx.holder, proxyOn(ctx, ctx.holder)),
        recover: (ctx) => restartIfNeeded(ctx, ctx.holder, proxyOn(ctx, ctx.holder)),
        healthy: async (ctx) => running(ctx, ctx.holder, proxyOn(ctx, ctx.holder)) && oneHolder(ctx),
    },
    {
        name: "partition-heal",
        levels: ["host", "container"],
        movesVip: true,
        what: () => "the VIP holder's host is cut off the LAN with keepalived running, then the link heals",
        backend: "pxc",
        inject: async (ctx) => void detach(holderHost(ctx)),
        recover: async (ctx) => void attach(holderHost(ctx)),
        healthy: async (ctx) => oneHolder(ctx),
    },
    {
        name: "galera-node-kill",
        killsServer: (ctx) => haproxyServer(ctx, "pxc", ctx.victim),
        levels: ["host", "container"],
        movesVip: false,
        what: () => "the Galera node taking the writes is SIGKILLed (HAProxy moves writes to another Synced node; Docker restarts it; it rejoins)",
        backend: "pxc",
        inject: async (ctx) => {
            const name = await writerOf(ctx, "pxc");
            const n = ctx.lab.topology.database.pxc?.nodes.find((x) => x.name === name);
            if (!n) throw new Error(`the write endpoint is served by ${name}, not a Galera node`);
            ctx.victim = n.name;
            crash(ctx, n.host, n.name);
        },
        recover: async (ctx) => {
            const n = ctx.lab.topology.database.pxc?.nodes.find((x) => x.name === ctx.victim);
            if (n) await restartIfNeeded(ctx, n.host, n.name);
        },
        healthy: async (ctx) => galeraWhole(ctx),
    },
    {
        name: "bootstrap-node-volume-lost",
        levels: ["host"],
        movesVip: false,
        what: () => "the bootstrap Galera node is stopped, its data volume emptied, and started again: it must join the running cluster by SST, never start a new one",
        backend: "pxc",
        inject: async (ctx) => {
            const { pxc, boot } = galeraNodes(ctx);
            docker(ctx, boot.host, ["stop", "-t", "30", boot.name]);
            wipeVolume(ctx, boot.host, boot.name, pxc.image);
            docker(ctx, boot.host, ["start", boot.name]);
        },
        recover: async () => undefined,
        healthy: async (ctx) => galeraWhole(ctx),
    },
    {
        name: "bootstrap-node-restart",
        levels: ["host"],
        movesVip: false,
        what: () => "the bootstrap Galera node is restarted (docker restart) while the others run: it rejoins by IST",
        backend: "pxc",
        inject: async (ctx) => {
            const { boot } = galeraNodes(ctx);
            docker(ctx, boot.host, ["restart", "-t", "30", boot.name]);
        },
        recover: async () => undefined,
        healthy: async (ctx) => galeraWhole(ctx),
    },
    {
        name: "galera-node-isolated",
        levels: ["host"],
        movesVip: false,
        what: () =>
            "the last Galera node is cut off its peers' replication port inside its own namespace (mysqld stays up, non-Primary); its watchdog must stop it so Docker restarts it into a fresh namespace, and it rejoins",
        backend: "pxc",
        inject: async (ctx) => {
            const { nodes } = galeraNodes(ctx);
            const n = nodes[nodes.length - 1];
            ctx.victim = n.name;
            const pid = docker(ctx, n.host, ["inspect", "-f", "{{.State.Pid}}", n.name]).trim();
            // The rules live in the container's network namespace and go with it when it restarts.
            for (const dir of ["--dport", "--sport"]) must(run("nsenter", ["-t", pid, "-n", "iptables", "-I", "INPUT", "-p", "tcp", dir, "4567", "-j", "DROP"]), `isolate ${n.name}`);
        },
        recover: async () => undefined,
        healthy: async (ctx) => galeraWhole(ctx),
    },
    {
        name: "full-cluster-crash",
        levels: ["host"],
        movesVip: false,
        what: () => "every Galera node is SIGKILLed at once; Docker restarts them and the cluster must come back Primary by itself from the most advanced node",
        backend: "pxc",
        inject: async (ctx) => {
            const { nodes } = galeraNodes(ctx);
            const pids = nodes.map((n) => Number(docker(ctx, n.host, ["inspect", "-f", "{{.State.Pid}}", n.name]).trim()));
            for (const pid of pids) if (pid > 1) process.kill(pid, "SIGKILL");
        },
        recover: async (ctx) => {
            for (const n of galeraNodes(ctx).nodes) await restartIfNeeded(ctx, n.host, n.name);
        },
        healthy: async (ctx) => galeraWhole(ctx),
    },
    {
        name: "dual-master-kill",
        killsServer: (ctx) => haproxyServer(ctx, "dualMaster", ctx.victim),
        levels: ["host", "container"],
        movesVip: false,
        what: () => "the active dual-master server is SIGKILLed (HAProxy fails over to the backup; Docker restarts it)",
        backend: "dualMaster",
        inject: async (ctx) => {
            const name = await writerOf(ctx, "dualMaster");
            const s = ctx.lab.topology.database.dualMaster?.servers.find((x) => x.name === name);
            if (!s) throw new Error(`the dual-master endpoint is served by ${name}, not a dual-master server`);
            ctx.victim = s.name;
            crash(ctx, s.host, s.name);
        },
        recover: async (ctx) => {
            const s = ctx.lab.topology.database.dualMaster?.servers.find((x) => x.name === ctx.victim);
            if (s) await restartIfNeeded(ctx, s.host, s.name);
        },
        healthy: async (ctx) => replicating(ctx),
    },
];

/** From keepalived's own log lines in the members' Docker logs: exact, where polling adds its own delay. */
function takeoverMs(ctx: DrillContext, since: number): number {
    if (ctx.inst.level !== "container") return -1;
    const others = vrrpMembers(ctx.lab.topology, ctx.inst).filter((m) => m.name !== ctx.holder);
    return firstLogLineMs(ctx, others, `(${ctx.inst.name}) Entering MASTER STATE`, since);
}

/** Earliest Docker log timestamp, at or after `since`, of a line containing `pattern` in any of the containers; -1 when none. */
function firstLogLineMs(ctx: DrillContext, containers: Array<{ name: string; host: string }>, pattern: string, since: number): number {
    const times = containers.flatMap((c) =>
        containerLogLines(ctx.lab.docker(c.host), c.name, since - 1000, { timestamps: true })
            .filter((l) => l.includes(pattern))
            .map((l) => Date.parse(l.split(" ")[0])),
    );
    const after = times.filter((t) => t >= since);
    return after.length ? Math.min(...after) - since : -1;
}

/** The server that takes the writes of a backend behind the drill's VIP: it answers @@hostname. */
async function writerOf(ctx: DrillContext, backend: Backend): Promise<string> {
    const e = sqlEndpoints(ctx.lab.topology).find((x) => x.backend === backend && x.instance === ctx.inst.name && x.role === "write");
    if (!e) throw new Error(`no ${backend} write endpoint behind ${ctx.inst.name}`);
    const conn = await connectApp(ctx.lab, e);
    try {
        const [rows] = await conn.query("SELECT @@hostname AS h");
        return (rows as Array<{ h: string }>)[0].h;
    } finally {
        await conn.end();
    }
}

/** HAProxy's name for a database server: "<listener>/<node>" (the listener is the proxy section). */
function haproxyServer(ctx: DrillContext, backend: Backend, node: string | undefined): string | undefined {
    const listener = haproxyListeners(ctx.lab.topology).find((l) => l.backend === backend && l.role === "write");
    return listener && node ? `${listener.name}/${node}` : undefined;
}

/** From HAProxy's own "Server <backend>/<name> is DOWN" lines in the proxies' Docker logs. */
function backendDownMs(ctx: DrillContext, server: string | undefined, since: number): number {
    return server ? firstLogLineMs(ctx, ctx.lab.topology.haproxy?.nodes ?? [], `Server ${server} is DOWN`, since) : -1;
}

/** Acknowledged writes of a run missing on every database node behind the backend that answers. */
function lostWrites(ctx: DrillContext, backend: Backend, run_: string, acked: number[]): number {
    let best: number | undefined;
    for (const n of backendNodes(ctx.lab, backend)) {
        const db = appOf(ctx.lab, backend)?.database;
        const r = containerSql(ctx.lab.docker(n.host), n.name, `SELECT seq FROM \`${db}\`.${WRITES_TABLE} WHERE run='${run_}'`);
        if (r.code !== 0) continue;
        const have = new Set(r.stdout.split("\n").filter(Boolean).map(Number));
        const lost = acked.filter((s) => !have.has(s)).length;
        best = best === undefined ? lost : Math.max(best, lost);
    }
    if (best === undefined) throw new Error("no database node answered the lost-writes count");
    return best;
}

export async function runDrill(lab: LabStack, inst: VrrpInstance, drill: Drill, log: (l: string) => void): Promise<DrillResult> {
    if (!drill.levels.includes(inst.level)) throw new Error(`${drill.name} applies to ${drill.levels.join("/")}-level instances, not ${inst.name} (${inst.level})`);
    const holders = vipHolders(lab, inst);
    if (holders.length !== 1) throw new Error(`${drill.name}: the VIP ${inst.vip} has ${holders.length} holders before the drill; bring the lab to health first`);
    const ctx: DrillContext = { lab, inst, holder: holders[0], log, startedByDrill: [] };
    const endpoint = sqlEndpoints(lab.topology).find((e) => e.backend === drill.backend && e.instance === inst.name);
    if (!endpoint) throw new Error(`${drill.name}: no ${drill.backend} endpoint behind ${inst.name}`);
    // Each run starts from a whole cluster: a node still rejoining from the run before would put
    // that rejoin's outage into this run's numbers (or fail the writer's setup).
    await waitClusterWhole(lab, 3 * 60_000, 3000);
    const writer = new Writer(lab, endpoint);
    await writer.start(5 * 60_000);
    await sleep(1500);
    log(`${drill.name}: injecting at ${new Date().toISOString()} (holder ${ctx.holder}): ${drill.what(inst.level)}`);
    const injectedAt = Date.now();
    await drill.inject(ctx);
    // When another node holds the VIP (polled every 20 ms for up to 10 s; -1: it never moved).
    let vipMovedMs = -1;
    if (drill.movesVip) {
        const moved = await eventually(() => vipHolders(lab, inst).some((h) => h !== ctx.holder), 10_000, 20);
        if (moved) vipMovedMs = Date.now() - injectedAt;
    }
    // Watch until clients are served again (or 30 s), then a little longer.
    await eventually(() => {
        const after = writer.attemptsSince(injectedAt);
        const failed = after.findIndex((x) => !x.ok);
        return Date.now() - injectedAt > 4000 && (failed < 0 || after.slice(failed).some((x) => x.ok));
    }, 30_000, 100);
    const holdersDuring = vipHolders(lab, inst).filter((h) => h !== ctx.holder || drill.name === "haproxy-kill");
    await sleep(1000);
    log(`${drill.name}: recovering`);
    const recoveredAt = Date.now();
    await drill.recover(ctx);
    const healthy = await eventually(() => drill.healthy(ctx), 180_000, 500);
    const healthyAt = Date.now();
    await sleep(3000);
    const report = await writer.stop();
    await sleep(2000); // async replication catch-up before counting
    // A Galera node that has just rejoined may still be applying IST: count once the cluster is whole.
    if (drill.backend === "pxc") await eventually(() => galeraWhole(ctx), 120_000, 1000);
    const outage = longestOutage(report.attempts, injectedAt);
    const recoveryOutage = longestOutage(report.attempts, recoveredAt);
    const result: DrillResult = {
        drill: drill.name,
        instance: inst.name,
        what: drill.what(inst.level),
        holderBefore: ctx.holder,
        vipMovedMs,
        holdersAfter: vipHolders(lab, inst),
        downtimeMs: outage.ms,
        stallMs: longestStall(report.attempts, injectedAt, writer.tickMs),
        takeoverMs: drill.movesVip ? takeoverMs(ctx, injectedAt) : -1,
        backendDownMs: drill.killsServer ? backendDownMs(ctx, drill.killsServer(ctx), injectedAt) : -1,
        recoveryOutageMs: recoveryOutage.ms,
        writes: report.attempts.length,
        failedWrites: report.attempts.filter((a) => !a.ok).length,
        ackedWrites: report.acked.length,
        ackedLost: lostWrites(ctx, drill.backend, report.run, report.acked),
        healthyAfterMs: healthy ? healthyAt - injectedAt : -1,
        errors: [...new Set(report.attempts.filter((a) => !a.ok).map((a) => a.error ?? ""))].slice(0, 3),
        failures: failureRuns(report.attempts, injectedAt),
        startedByDrill: [...ctx.startedByDrill],
    };
    log(`${drill.name}: VIP moved after ${result.vipMovedMs} ms (keepalived log: ${result.takeoverMs} ms), backend DOWN in HAProxy after ${result.backendDownMs} ms, downtime ${result.downtimeMs} ms, stall ${result.stallMs} ms, ${result.failedWrites}/${result.writes} writes failed, ${result.ackedLost} acknowledged lost, healthy after ${result.healthyAfterMs} ms, holders during ${holdersDuring.join(",") || "-"} after ${result.holdersAfter.join(",") || "none"}`);
    for (const f of result.failures ?? []) log(`${drill.name}:   failed +${f.fromMs}..${f.toMs} ms (${f.count}x): ${f.error}`);
    return result;
}
