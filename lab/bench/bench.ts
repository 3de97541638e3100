// npm run bench [-- --runs N] [--soak-minutes M] [--drills a,b] [--full]: on a lab brought up by
// `npm run lab:up`, measures and writes bench/results/latest.json, the charts downtime.svg and
// vip-moved.svg next to it, and docs/results.md from them (lab/bench/results-doc.ts):
//   - each drill N times (default 10) with the project's defaults and, where those settings
//     decide the outcome, with the tutorials' settings, reduced to p50/p95/max per drill
//     (`summary`, lab/bench/summary.ts);
//   - the VIP drills against the other placements (the dev stack's macvlan VIP);
//   - a no-change `pulumi preview`, a one-setting change (`pulumi up`), and with --full a
//     `pulumi destroy` + `pulumi up` from empty to healthy (verified);
//   - an OLTP load (4 threads, 60 s) through the Galera write endpoint and, for comparison, the
//     read endpoint, and how new connections to the read endpoint spread over the nodes;
//   - a soak: the OLTP load for M minutes (default 30; 0 skips it) with no fault, counting every
//     failure detector that fired anyway (lab/bench/soak.ts);
//   - program evaluation under mocks for growing topologies.
// Leaves the stack on the project's defaults.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { placementOf } from "../../model/derive";
import { VrrpInstance } from "../../model/schema";
import { Drill, DRILLS, DrillResult, runDrill } from "../lib/drills";
import { drillTable } from "../lib/drill-report";
import { labChecks, runChecks } from "../lib/checks";
import { loadLabStack, LabStack, REPO } from "../lib/lab-stack";
import { connectionSpread, galeraEndpoints, oltpLoad, OltpResult } from "../lib/oltp";
import { distributionChart, downtimeChart } from "./chart";
import { resultsDoc, RESULTS_DOC } from "./results-doc";
import { benchSummary, pairs, ratios } from "./summary";
import { soak, SoakResult } from "./soak";
import { intOption } from "./options";
import { EVALUATION_SIZES } from "./evaluate";
import { OLTP_SECONDS, OLTP_THREADS } from "./oltp-settings";

const stackSh = path.join(REPO, "lab/stack.sh");
const log = (l: string) => console.log(`[bench] ${l}`);

function timed(what: string, cmd: string, args: string[], timeoutMs = 20 * 60_000): number {
    const t0 = Date.now();
    const r = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "inherit"], timeout: timeoutMs });
    const ms = Date.now() - t0;
    if (r.status !== 0) throw new Error(`${what} failed (rc ${r.status})`);
    log(`${what}: ${(ms / 1000).toFixed(1)} s`);
    return ms;
}

const pulumi = (what: string, ...args: string[]) => timed(what, "bash", [stackSh, "pulumi", ...args]);
const setPath = (p: string, v: string | number | boolean) => timed(`set ${p}=${v}`, "bash", [stackSh, "set-path", p, String(v)]);

interface Settings {
    readonly label: string;
    readonly values: Record<string, string | number | boolean>;
}

interface Knobs {
    readonly version: number;
    readonly advertInt: number;
    readonly track: boolean;
    /** The track script's isolation endpoints as JSON (the config rules refuse them without tracking). */
    readonly isolation: string;
    readonly interMs: number;
    readonly fastinterMs: number;
    readonly connectMs: number;
    readonly fall: number;
    readonly suspectTimeoutMs: number;
}

function settingsOf(instIndex: number, label: string, k: Knobs): Settings {
    return {
        label,
        values: {
            [`keepalived.instances[${instIndex}].version`]: k.version,
            [`keepalived.instances[${instIndex}].advertInt`]: k.advertInt,
            [`keepalived.instances[${instIndex}].track.enabled`]: k.track,
            [`keepalived.instances[${instIndex}].track.isolation`]: k.isolation,
            "haproxy.check.interMs": k.interMs,
            "haproxy.check.fastinterMs": k.fastinterMs,
            "haproxy.timeouts.connectMs": k.connectMs,
            "haproxy.check.fall": k.fall,
            "database.pxc.suspectTimeoutMs": k.suspectTimeoutMs,
        },
    };
}

const describeKnobs = (k: Knobs) =>
    `VRRP v${k.version} advert ${k.advertInt} s${k.track ? ", track script" : ", no track script"}, HAProxy inter ${k.interMs} fastinter ${k.fastinterMs} fall ${k.fall} timeout connect ${k.connectMs}, Galera suspect ${k.suspectTimeoutMs / 1000} s`;

/** The compared settings decide how fast the VIP moves and HAProxy drops a dead server; the Galera
 * recovery drills (a volume lost, a restart, an isolation, a whole-cluster crash) depend on neither
 * and run once, with this project's defaults. */
const comparesSettings = (d: Drill) => d.movesVip || d.killsServer !== undefined;

/** Each drill `runs` times in a row, run k of n in the log. */
async function repeated(lab: LabStack, inst: VrrpInstance, drills: Drill[], runs: number, label: string): Promise<DrillResult[]> {
    const out: DrillResult[] = [];
    for (const d of drills) {
        for (let k = 1; k <= runs; k++) out.push(await runDrill(lab, inst, d, (l) => log(`[${label} ${d.name} ${k}/${runs}] ${l}`)));
    }
    return out;
}

/** `--drills a,b`: only these drills (every one when absent); an unknown name is refused before anything runs. */
function drillFilter(argv: string[]): (d: Drill) => boolean {
    const at = argv.indexOf("--drills");
    if (at < 0) return () => true;
    const names = (argv[at + 1] ?? "").split(",").filter(Boolean);
    const unknown = names.filter((n) => !DRILLS.some((d) => d.name === n));
    if (!names.length || unknown.length) throw new Error(`--drills ${argv[at + 1] ?? "(missing)"}: give drill names separated by commas from ${DRILLS.map((d) => d.name).join(", ")}`);
    return (d) => names.includes(d.name);
}

async function drillsWith(settings: Settings, which: (d: Drill) => boolean, runs: number, always = false): Promise<DrillResult[]> {
    // No drill to run with these settings: no apply either (the bench ends on ours, always applied).
    if (!always && !DRILLS.some(which)) return [];
    for (const [k, v] of Object.entries(settings.values)) setPath(k, v);
    pulumi(`pulumi up (${settings.label} settings)`, "up", "--yes", "--skip-preview");
    const lab = loadLabStack();
    const inst = lab.topology.keepalived.instances.find((i) => i.fronts === "haproxy" && placementOf(i) === "host");
    if (!inst) throw new Error("no host-level VRRP instance fronting HAProxy");
    return repeated(lab, inst, DRILLS.filter((x) => x.levels.includes(inst.level) && which(x)), runs, settings.label);
}

/** The VIP drills against every other VIP in front of HAProxy (the macvlan one in the dev stack), our settings. */
async function otherPlacements(runs: number, which: (d: Drill) => boolean): Promise<Record<string, DrillResult[]>> {
    const lab = loadLabStack();
    const out: Record<string, DrillResult[]> = {};
    for (const inst of lab.topology.keepalived.instances.filter((i) => i.fronts === "haproxy" && placementOf(i) !== "host")) {
        const label = `${inst.name} (${placementOf(inst)})`;
        out[label] = await repeated(lab, inst, DRILLS.filter((x) => x.movesVip && x.levels.includes(inst.level) && which(x)), runs, label);
    }
    return out;
}

const OLTP_SPREAD_CONNECTIONS = 60;

/** The OLTP load through the Galera write endpoint, the same load through the read endpoint (every
 * node taking writes) for comparison, and how new connections to the read endpoint spread. */
async function oltp(lab: LabStack): Promise<{ write: OltpResult; readWrites?: OltpResult; readSpread?: Record<string, number> }> {
    const { write: w, read: r } = galeraEndpoints(lab);
    if (!w) throw new Error("no Galera write endpoint in the topology");
    const say = (what: string, x: OltpResult) => log(`OLTP through ${what}: ${x.tps} tps, ${x.failed} failed (${x.conflicts} certification conflicts), p99 ${x.p99Ms} ms, served by ${JSON.stringify(x.servedBy)}`);
    log(`OLTP: ${OLTP_THREADS} threads of read-write transactions on shared rows, ${OLTP_SECONDS} s per endpoint`);
    const write = await oltpLoad(lab, w, OLTP_THREADS, OLTP_SECONDS);
    say(w.label, write);
    if (!r) return { write };
    const readWrites = await oltpLoad(lab, r, OLTP_THREADS, OLTP_SECONDS);
    say(r.label, readWrites);
    const readSpread = await connectionSpread(lab, r, OLTP_SPREAD_CONNECTIONS);
    log(`${OLTP_SPREAD_CONNECTIONS} new connections to ${r.label}: ${JSON.stringify(readSpread)}`);
    return { write, readWrites, readSpread };
}

function evaluation(): Array<Record<string, number>> {
    const out: Array<Record<string, number>> = [];
    for (const [n, h] of EVALUATION_SIZES) {
        // Transpiled only, as the engine runs the stack program (tsconfig.pulumi.json).
        const r = spawnSync("npx", ["--no-install", "ts-node", "--transpile-only", path.join(__dirname, "evaluate.ts"), String(n), String(h)], { encoding: "utf8", timeout: 5 * 60_000 });
        const line = r.stdout.trim().split("\n").pop() ?? "";
        if (r.status !== 0) throw new Error(`evaluate ${n} ${h}: ${r.stderr}`);
        out.push(JSON.parse(line));
        log(`evaluation under mocks: ${line}`);
    }
    return out;
}

async function main(): Promise<void> {
    const argv = process.argv.slice(2);
    const full = argv.includes("--full");
    const runs = intOption(argv, "--runs", 10, 1);
    const soakMinutes = intOption(argv, "--soak-minutes", 30, 0);
    const only = drillFilter(argv);
    const lab = loadLabStack();
    const instIndex = lab.topology.keepalived.instances.findIndex((i) => i.fronts === "haproxy" && placementOf(i) === "host");
    const inst = lab.topology.keepalived.instances[instIndex];
    const ha = lab.topology.haproxy;
    const pxc = lab.topology.database.pxc;
    if (!inst || !ha || !pxc) throw new Error("the bench needs the dev stack's host-level VIP in front of HAProxy, and its Galera cluster");
    const oursKnobs: Knobs = { version: inst.version, advertInt: inst.advertInt, track: inst.track.enabled, isolation: JSON.stringify(inst.track.isolation), interMs: ha.check.interMs, fastinterMs: ha.check.fastinterMs, connectMs: ha.timeouts.connectMs, fall: ha.check.fall, suspectTimeoutMs: pxc.suspectTimeoutMs };
    // The tutorials' HAProxy (timeout connect 5000ms, inter 2000ms fall 3; fastinter defaults to
    // inter), keepalived's own example, Galera's own default.
    const tutorialKnobs: Knobs = { version: 2, advertInt: 1, track: false, isolation: "[]", interMs: 2000, fastinterMs: 2000, connectMs: 5000, fall: 3, suspectTimeoutMs: 5000 };
    const ours = settingsOf(instIndex, "ours", oursKnobs);
    const tutorial = settingsOf(instIndex, "tutorial", tutorialKnobs);

    // First: cheap, and a generated topology the config rules refuse should not cost a lab run.
    const evaluated = evaluation();
    const provisioning: Record<string, number> = {};
    provisioning.previewNoChangeMs = pulumi("pulumi preview (no change)", "preview", "--expect-no-changes");
    setPath("haproxy.check.interMs", ha.check.interMs + 100);
    provisioning.oneSettingChangeUpMs = pulumi("pulumi up (one HAProxy setting)", "up", "--yes", "--skip-preview");
    setPath("haproxy.check.interMs", ha.check.interMs);
    pulumi("pulumi up (setting restored)", "up", "--yes", "--skip-preview");
    if (full) {
        provisioning.destroyMs = pulumi("pulumi destroy", "destroy", "--yes");
        provisioning.upFromEmptyMs = pulumi("pulumi up from empty", "up", "--yes", "--skip-preview");
        const t0 = Date.now();
        const checks = await runChecks(labChecks(loadLabStack()), (l) => log(l));
        provisioning.verifyMs = Date.now() - t0;
        if (checks.some((c) => !c.ok)) throw new Error("verification failed after pulumi up from empty");
    }

    log(`${runs} runs per drill${soakMinutes ? `, then a ${soakMinutes}-minute soak` : ""}`);
    const tutorialResults = await drillsWith(tutorial, (d) => comparesSettings(d) && only(d), runs);
    const oursResults = await drillsWith(ours, only, runs, true);
    const placements = await otherPlacements(runs, only);
    const oltpResult = await oltp(loadLabStack());
    const soakResult: SoakResult | undefined = soakMinutes ? await soak(loadLabStack(), soakMinutes, OLTP_THREADS, log) : undefined;

    const summary = benchSummary(tutorialResults, oursResults, placements);
    const paired = ratios(summary);
    const vipRows = pairs(summary).flatMap(({ ours: o, tutorial: t }) => (t.vipMovedP95Ms !== null && o.vipMovedP95Ms !== null ? [{ drill: o.drill, tutorialMs: t.vipMovedP95Ms, oursMs: o.vipMovedP95Ms }] : []));
    const result = {
        at: new Date().toISOString(),
        machine: { cpus: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30), kernel: os.release() },
        command: ["npm run bench", ...(argv.length ? ["--", ...argv] : [])].join(" "),
        runs,
        settings: { ours: ours.values, tutorial: tutorial.values },
        summary,
        soak: soakResult,
        provisioning,
        evaluation: evaluated,
        drills: { tutorial: tutorialResults, ours: oursResults },
        placements,
        oltp: { threads: OLTP_THREADS, seconds: OLTP_SECONDS, ...oltpResult },
    };
    const dir = path.join(REPO, "bench/results");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "latest.json"), JSON.stringify(result, null, 2));
    const legend = { tutorial: `tutorial settings (${describeKnobs(tutorialKnobs)})`, ours: `this project's defaults (${describeKnobs(oursKnobs)})` };
    const colors: Record<string, string> = { tutorial: "#c0504d", ours: "#4f81bd" };
    const distRows = summary.map((e) => ({ label: `${e.drill}, ${e.placement}, ${e.settings}`, p50Ms: e.downtimeP50Ms, p95Ms: e.downtimeP95Ms, maxMs: e.downtimeMaxMs, runs: e.runs, color: colors[e.settings] }));
    fs.writeFileSync(path.join(dir, "downtime.svg"), distributionChart(distRows, "Client-visible downtime per drill: p50 bar, p95 tick, max whisker (runs)", [{ color: colors.tutorial, text: legend.tutorial }, { color: colors.ours, text: legend.ours }]));
    // Host crashes also take a Galera node, whose eviction dominates the client numbers; the
    // VIP's own move is what the VRRP settings decide.
    fs.writeFileSync(path.join(dir, "vip-moved.svg"), downtimeChart(vipRows, "Failure to VIP on the other holder, p95 per drill (lower is better)", legend));
    console.log("\ntutorial settings\n" + drillTable(tutorialResults));
    console.log("\nthis project's defaults\n" + drillTable(oursResults));
    for (const [label, results] of Object.entries(placements)) console.log(`\n${label}, this project's defaults\n${drillTable(results)}`);
    console.log(`\n${"drill".padEnd(28)}${"placement".padEnd(20)}${"settings".padEnd(10)}runs    p50 ms    p95 ms    max ms  acked lost`);
    for (const e of summary) console.log(`${e.drill.padEnd(28)}${e.placement.padEnd(20)}${e.settings.padEnd(10)}${String(e.runs).padStart(4)}${String(e.downtimeP50Ms).padStart(10)}${String(e.downtimeP95Ms).padStart(10)}${String(e.downtimeMaxMs).padStart(10)}${String(e.ackedLost).padStart(12)}`);
    console.log(`\n${"drill".padEnd(28)}tutorial p95   ours p95   ratio`);
    for (const r of paired) console.log(`${r.drill.padEnd(28)}${String(r.tutorialP95Ms).padStart(12)}${String(r.oursP95Ms).padStart(11)}   ${r.ratio ?? "-"}`);
    fs.writeFileSync(RESULTS_DOC, resultsDoc(result));
    log("results: bench/results/latest.json, bench/results/downtime.svg, bench/results/vip-moved.svg, docs/results.md");
}

main().catch((err) => {
    console.error(`[bench] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
});
