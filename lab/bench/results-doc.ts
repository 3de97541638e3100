// npm run docs:results: writes docs/results.md from bench/results/latest.json (what
// `npm run bench` leaves). Pure apart from main: bench result in, Markdown out;
// test/unit/results-doc.test.ts fails when the committed page differs from what this writes.
import * as fs from "fs";
import * as path from "path";
import type { DrillResult } from "../lib/drills";
import type { OltpResult } from "../lib/oltp";
import { benchSummary, percentile, ratios, SummaryEntry } from "./summary";
import type { SoakResult } from "./soak";

export const LATEST = path.resolve(__dirname, "../../bench/results/latest.json");
export const RESULTS_DOC = path.resolve(__dirname, "../../docs/results.md");

/** The part of a bench result (lab/bench/bench.ts) the page shows. */
export interface BenchResult {
    readonly machine: { readonly cpus: number; readonly memGiB: number; readonly kernel: string };
    readonly settings: { readonly ours: Record<string, string | number | boolean>; readonly tutorial: Record<string, string | number | boolean> };
    readonly provisioning: Record<string, number>;
    /** Per generated topology: dbNodes, hosts, resources, ms (lab/bench/evaluate.ts). */
    readonly evaluation: ReadonlyArray<Record<string, number>>;
    /** Every run of every drill, in the order they ran. */
    readonly drills: { readonly tutorial: DrillResult[]; readonly ours: DrillResult[] };
    readonly placements: Record<string, DrillResult[]>;
    /** The bench's command line (absent in results from before it was recorded: plain `npm run bench`). */
    readonly command?: string;
    /** Runs per drill asked for (`--runs`); absent in results from before it was an option: 1. */
    readonly runs?: number;
    /** Per drill, placement and settings: the distribution over its runs (lab/bench/summary.ts). */
    readonly summary?: SummaryEntry[];
    /** The no-fault soak under the OLTP load (absent when skipped). */
    readonly soak?: SoakResult;
    /** The OLTP load through the Galera endpoints (absent in results from before it was measured). */
    readonly oltp?: {
        readonly threads: number;
        readonly seconds: number;
        readonly write: OltpResult;
        readonly readWrites?: OltpResult;
        readonly readSpread?: Record<string, number>;
    };
}

const PROVISIONING: ReadonlyArray<[string, string]> = [
    ["previewNoChangeMs", "`pulumi preview` with no change"],
    ["oneSettingChangeUpMs", "`pulumi up` of one HAProxy setting"],
    ["destroyMs", "`pulumi destroy` (`--full`)"],
    ["upFromEmptyMs", "`pulumi up` from empty (`--full`)"],
    ["verifyMs", "verification after it (`--full`)"],
];

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
/** A time that may be absent (-1: did not happen, or not measured by this drill). */
const opt = (ms: number | undefined, absent = "-") => (ms === undefined || ms < 0 ? absent : s(ms));
const pair = (t: string, o: string) => (t === o ? t : `${t} / ${o}`);
const row = (cells: Array<string | number>) => `| ${cells.join(" | ")} |`;
const table = (head: string[], rows: Array<Array<string | number>>) => [row(head), row(head.map(() => "---")), ...rows.map(row)].join("\n");
const ms = (v: number) => `${v} ms`;
const writes = (d: DrillResult) => `${d.failedWrites} of ${d.writes}`;
const setting = (v: string | number | boolean) => `\`${String(v)}\``;
/** Drills after which the VIP may have moved; the others leave it where it is by design. */
const VIP_DRILLS = ["vip-holder-crash", "vip-holder-stop", "partition-heal", "haproxy-kill"];
const vipMoved = (d: DrillResult) => opt(d.vipMovedMs, VIP_DRILLS.includes(d.drill) ? "did not move" : "-");
const shortKey = (k: string) => k.replace(/^keepalived\.instances\[\d+\]\./, "keepalived: ");

/** The result's summary, or one made from its drills when it has none. */
export const summaryOf = (r: BenchResult): SummaryEntry[] => r.summary ?? benchSummary(r.drills.tutorial, r.drills.ours, r.placements);

/** The first run of each drill, for the tables that show one run's detail. */
const firstRuns = (list: DrillResult[]) => list.filter((d, i) => list.findIndex((x) => x.drill === d.drill) === i);

function summaryTable(summary: SummaryEntry[]): string {
    const rows = summary.map((e) => [e.drill, e.placement, e.settings, e.runs, s(e.downtimeP50Ms), s(e.downtimeP95Ms), s(e.downtimeMaxMs), e.vipMovedP95Ms === null ? "-" : s(e.vipMovedP95Ms), e.ackedLost]);
    return table(["drill", "placement", "settings", "runs", "downtime p50", "p95", "max", "VIP moved p95", "acked lost"], rows);
}

function ratioTable(summary: SummaryEntry[]): string {
    const rows = ratios(summary).map((x) => [x.drill, x.placement, s(x.tutorialP95Ms), s(x.oursP95Ms), x.ratio === null ? "-" : `${x.ratio}x`]);
    return table(["drill", "placement", "tutorial p95", "ours p95", "ratio"], rows);
}

function hostTable(r: BenchResult): string {
    const rows = firstRuns(r.drills.ours).map((o) => {
        const t = r.drills.tutorial.find((x) => x.drill === o.drill);
        const both = (f: (d: DrillResult) => string) => (t ? pair(f(t), f(o)) : `- / ${f(o)}`);
        return [
            o.drill,
            both(vipMoved),
            both((d) => s(d.downtimeMs)),
            both((d) => opt(d.stallMs)),
            both((d) => opt(d.backendDownMs)),
            both(writes),
            both((d) => String(d.ackedLost)),
            both((d) => s(d.recoveryOutageMs)),
        ];
    });
    return table(["drill", "VIP moved", "client downtime", "longest stall", "HAProxy: server DOWN", "failed writes", "acked lost", "second outage when the failed part returns"], rows);
}

function placementTable(results: DrillResult[]): string {
    const rows = firstRuns(results).map((d) => [d.drill, vipMoved(d), opt(d.takeoverMs), s(d.downtimeMs), opt(d.stallMs), writes(d), d.ackedLost, s(d.recoveryOutageMs)]);
    return table(["drill", "VIP moved (polled)", "takeover (keepalived's log)", "client downtime", "longest stall", "failed writes", "acked lost", "second outage"], rows);
}

function timeline(results: DrillResult[]): string[] {
    return firstRuns(results).map((d) => {
        const runs = d.failures ?? [];
        const text = runs.length ? runs.map((f) => `+${f.fromMs}${f.toMs !== f.fromMs ? `..${f.toMs}` : ""} ms ${f.count}x "${f.error}"`).join("; ") : "no failed write";
        return `- \`${d.drill}\`: ${text}`;
    });
}

/** p95 of a per-run time over the runs that measured it (-1 and absent are not measurements). */
function p95Of(runs: DrillResult[], f: (d: DrillResult) => number | undefined): number | undefined {
    const xs = runs.map(f).filter((v): v is number => v !== undefined && v >= 0);
    return xs.length ? percentile(xs, 95) : undefined;
}

/** The targets, judged on this project's defaults: p95 over the runs of each drill. */
function targets(r: BenchResult, hostInstance: string): string {
    const summary = summaryOf(r);
    const ours = (drill: string, placement = "host") => summary.find((e) => e.settings === "ours" && e.drill === drill && e.placement === placement);
    const runsOf = (list: DrillResult[], drill: string) => list.filter((d) => d.drill === drill);
    const all = [...r.drills.tutorial, ...r.drills.ours, ...Object.values(r.placements).flat()];
    const verdict = (ok: boolean | undefined) => (ok === undefined ? "not measured" : ok ? "met" : "missed");
    const within = (v: number | undefined, limitMs: number) => (v === undefined ? undefined : v <= limitMs);
    const p95 = (v: number | undefined, runs?: number) => (v === undefined ? "-" : `p95 ${s(v)}${runs === undefined ? "" : ` over ${runs} run${runs === 1 ? "" : "s"}`}`);
    const rows: Array<Array<string | number>> = [];
    const crash = ours("vip-holder-crash");
    rows.push(["host crash of the VIP holder: clients served again within 2.0 s", `${hostInstance}: ${p95(crash?.downtimeP95Ms, crash?.runs)}`, verdict(within(crash?.downtimeP95Ms, 2000))]);
    const kill = ours("galera-node-kill");
    rows.push(["Galera node kill: clients served again within 2.0 s", p95(kill?.downtimeP95Ms, kill?.runs), verdict(within(kill?.downtimeP95Ms, 2000))]);
    const down = p95Of(runsOf(r.drills.ours, "galera-node-kill"), (d) => d.backendDownMs);
    rows.push(["Galera node kill: HAProxy stops sending to it within 1.0 s", `server DOWN ${p95(down)}`, verdict(within(down, 1000))]);
    for (const [label, results] of Object.entries(r.placements)) {
        const runs = runsOf(results, "vip-holder-crash");
        if (!runs.length) continue;
        const stall = p95Of(runs, (d) => d.stallMs);
        // Container holders log their takeover; the outside poll adds the time to see the address.
        const moved = p95Of(runs, (d) => (d.takeoverMs !== undefined && d.takeoverMs >= 0 ? d.takeoverMs : d.vipMovedMs));
        rows.push(["container VIP holder crash: longest client stall within 0.5 s", `${label}: stall ${p95(stall, runs.length)}`, verdict(within(stall, 500))]);
        rows.push(["container VIP holder crash: VIP moved within 0.25 s", `${label}: takeover ${p95(moved, runs.length)}`, verdict(within(moved, 250))]);
    }
    if (r.soak) {
        const fp = r.soak.falsePositives;
        rows.push([`no false positive in a ${r.soak.minutes}-minute soak under the OLTP load`, fp.length ? fp.join("; ") : `none in ${r.soak.transactions} transactions`, verdict(fp.length === 0)]);
    } else rows.push(["no false positive in a 30-minute soak under the OLTP load", "-", verdict(undefined)]);
    const up = r.provisioning.upFromEmptyMs;
    rows.push(["`pulumi up` from empty within 45 s", up === undefined ? "- (`--full`)" : s(up), verdict(within(up, 45_000))]);
    const preview = r.provisioning.previewNoChangeMs;
    rows.push(["no-change `pulumi preview` within 5 s", preview === undefined ? "-" : s(preview), verdict(within(preview, 5000))]);
    const sizes = [...r.evaluation].sort((a, b) => a.resources - b.resources);
    const largest = sizes[sizes.length - 1];
    if (largest) {
        // Linear: the largest topology's time per resource at most 1.5 times the smallest's.
        const growth = largest.ms / largest.resources / (sizes[0].ms / sizes[0].resources);
        rows.push([`evaluation of ${largest.dbNodes} nodes / ${largest.hosts} hosts within 4 s, growing linearly`, `${s(largest.ms)} for ${largest.resources} resources; per resource ${growth.toFixed(1)}x the smallest topology's`, verdict(largest.ms <= 4000 && growth <= 1.5)]);
    }
    // Every drill but the dual-master one writes to Galera through the VIP.
    const galera = all.filter((d) => d.drill !== "dual-master-kill");
    const lost = galera.reduce((n, d) => n + d.ackedLost, 0);
    rows.push(["no acknowledged Galera write is lost", `${lost} lost in ${galera.length} drill runs`, verdict(lost === 0)]);
    const split = all.filter((d) => d.holdersAfter.length !== 1);
    rows.push(["the VIP is on exactly one node after every drill", split.length ? split.map((d) => `${d.drill}: ${d.holdersAfter.length}`).join(", ") : `${all.length} of ${all.length} drill runs`, verdict(split.length === 0)]);
    const restarted = all.filter((d) => (d.startedByDrill ?? []).length > 0);
    rows.push(["Docker's restart policy brings every crashed container back", restarted.length ? restarted.map((d) => `${d.drill}: ${d.startedByDrill?.join(", ")} started by the drill`).join("; ") : "no container had to be started by the drill", verdict(restarted.length === 0)]);
    if (r.oltp) rows.push(["no certification conflict through the Galera write endpoint", `${r.oltp.write.conflicts} in ${r.oltp.write.transactions + r.oltp.write.failed} transactions`, verdict(r.oltp.write.conflicts === 0)]);
    return table(["target", "result (this project's defaults)", "verdict"], rows);
}

const spread = (m: Record<string, number>) =>
    Object.entries(m)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([h, n]) => `${h} ${n}`)
        .join(", ");

function oltpSection(o: NonNullable<BenchResult["oltp"]>): string[] {
    const line = (label: string, x: OltpResult) => [label, x.endpoint, x.tps, x.transactions, x.failed, x.conflicts, ms(x.p50Ms), ms(x.p99Ms), spread(x.servedBy)];
    const rows = [line("write (one writer, the others backup)", o.write), ...(o.readWrites ? [line("read (every Synced node), for comparison", o.readWrites)] : [])];
    return [
        "## OLTP through the Galera endpoints",
        "",
        `${o.threads} threads, each running read-write transactions for ${o.seconds} s on 16 shared rows (`+"`SELECT ... FOR UPDATE`"+` of two`,
        "rows, two `UPDATE`s, `COMMIT`; `lab/lib/oltp.ts`). Through the write endpoint every transaction",
        "reaches the same node, so conflicting ones wait on row locks; through the read endpoint they reach",
        "different nodes and Galera aborts the loser at commit (a certification conflict, error 1213).",
        "",
        table(["endpoint", "address", "transactions/s", "committed", "failed", "certification conflicts", "p50", "p99", "connections served by"], rows),
        "",
        ...(o.readSpread ? [`${Object.values(o.readSpread).reduce((a, b) => a + b, 0)} new connections to the read endpoint were served by: ${spread(o.readSpread)}.`, ""] : []),
    ];
}

/** Why an HAProxy kill leaves the VIP where it is, when it did. */
function haproxyKillNote(ours: DrillResult[]): string[] {
    const kill = ours.find((d) => d.drill === "haproxy-kill");
    if (!kill || kill.vipMovedMs >= 0) return [];
    return [
        "",
        "When HAProxy is killed in the holder, Docker's restart policy brings it back before the track",
        `script fails \`track.fall\` times in a row, so the VIP stays and clients wait ${s(kill.downtimeMs)} for the restart.`,
    ];
}

const times = (n: number) => (n === 1 ? "once" : `${n} times`);
const runsText = (n: number) => (n === 1 ? "one run per drill, so read the numbers as indications" : `${n} runs per drill`);

function soakSection(k: SoakResult): string[] {
    return [
        "## Soak: no fault injected",
        "",
        `${k.minutes} minutes of the OLTP load (${k.threads} threads) through ${k.endpoint}, sampled every ${k.sampleS} s.`,
        "",
        table(
            ["transactions", "failed", "Galera evictions", "non-primary views", "VIP moves", "HAProxy DOWN lines"],
            [[k.transactions, k.failed, k.evictions, k.nonPrimaryViews, k.vipMoves, k.haproxyDown]],
        ),
        "",
        k.falsePositives.length ? `False positives: ${k.falsePositives.join("; ")}.` : "No false positive.",
        "",
    ];
}

function suspectText(ours: unknown, tutorial: unknown): string {
    const sec = (v: unknown) => (typeof v === "number" ? `${v / 1000} s` : "Galera's default");
    return ours === tutorial ? `${sec(ours)} in both settings` : `${sec(ours)} with ours, ${sec(tutorial)} with the tutorials'`;
}

export function resultsDoc(r: BenchResult): string {
    const hostInstance = r.drills.ours[0]?.instance ?? "host VIP";
    const suspect = r.settings.ours["database.pxc.suspectTimeoutMs"];
    const keys = [...new Set([...Object.keys(r.settings.tutorial), ...Object.keys(r.settings.ours)])];
    const settings = table(["setting", "tutorials", "this project"], keys.map((k) => [`\`${shortKey(k)}\``, setting(r.settings.tutorial[k] ?? "-"), setting(r.settings.ours[k] ?? "-")]));
    const provisioning = PROVISIONING.filter(([k]) => r.provisioning[k] !== undefined).map(([k, label]) => [label, s(r.provisioning[k])]);
    const evaluation = r.evaluation.map((e) => [e.dbNodes, e.hosts, e.resources, s(e.ms)]);
    const placements = Object.entries(r.placements).flatMap(([label, results]) => [`### ${label}, this project's defaults`, "", placementTable(results), ""]);
    const timelines = [
        `### ${hostInstance}, this project's defaults`,
        "",
        ...timeline(r.drills.ours),
        "",
        ...Object.entries(r.placements).flatMap(([label, results]) => [`### ${label}`, "", ...timeline(results), ""]),
    ];
    return [
        "# Drills and bench results",
        "",
        "<!-- Generated by `npm run docs:results` from bench/results/latest.json: edit lab/bench/results-doc.ts, not this file. -->",
        "",
        `Measured by \`sudo npm run lab:up && sudo ${r.command ?? "npm run bench"}\` on the lab as \`lab:up\` leaves it ([lab.md](lab.md)),`,
        `on a machine with ${r.machine.cpus} CPUs and ${r.machine.memGiB} GiB (kernel ${r.machine.kernel}), ${runsText(r.runs ?? 1)}. The full`,
        "data, every run and its failure timeline, is in",
        "[bench/results/latest.json](../bench/results/latest.json); `npm run bench` rewrites it and the charts, and",
        "`npm run docs:results` this page. [lab.md](lab.md) describes the drills.",
        "",
        "## Settings compared",
        "",
        "The tutorials' values are their HAProxy configuration's (`timeout connect 5000ms`, `inter 2000 fall 3`,",
        "no `fastinter`, so HAProxy's default of `inter`), keepalived's own example and Galera's own",
        "default. The host VIP drills whose outcome these settings decide (the VIP moving, HAProxy",
        `dropping a dead server) run ${times(r.runs ?? 1)} with each; the Galera recovery drills and the other`,
        "placements run with this project's.",
        "",
        settings,
        "",
        "![client-visible downtime per drill, tutorial settings vs ours](../bench/results/downtime.svg)",
        "",
        "![failure to VIP on the other holder, tutorial settings vs ours](../bench/results/vip-moved.svg)",
        "",
        "## Targets",
        "",
        "Judged on this project's defaults, on the p95 over each drill's runs.",
        "",
        targets(r, hostInstance),
        "",
        "Where the time of a missed target goes, measured lever by lever, is in",
        "[lab.md](lab.md#where-the-time-goes).",
        "",
        "## Distributions",
        "",
        "Client-visible downtime over each drill's runs (nearest-rank percentiles; `lab/bench/summary.ts`),",
        "and the VIP's move where it moves. `summary` in the JSON holds the same entries.",
        "",
        summaryTable(summaryOf(r)),
        "",
        "Tutorial settings against this project's, p95 over p95:",
        "",
        ratioTable(summaryOf(r)),
        "",
        ...(r.soak ? soakSection(r.soak) : []),
        "## Drills",
        "",
        `### ${hostInstance} (placement host): tutorials' settings / this project's`,
        "",
        "The first run of each drill; one value where both settings measured the same.",
        "",
        hostTable(r),
        "",
        ...placements,
        "Columns: \"VIP moved\" is polled every 20 ms from outside and includes the time to see the address;",
        "\"takeover\" is the new holder's own \"Entering MASTER STATE\" line; \"client downtime\" runs from the",
        "first failed write to the next successful one; \"longest stall\" is the longest time without a",
        "completed write beyond the writer's 50 ms tick (a connect that waited out a SYN retry is late, not",
        "failed); \"second outage\" is the downtime after the failed part returns.",
        "",
        "What a host crash costs clients beyond the VIP's move: every dev host also runs a Galera node, and",
        "Galera blocks every commit until the others evict the silent node (`evs.suspect_timeout`,",
        `${suspectText(suspect, r.settings.tutorial["database.pxc.suspectTimeoutMs"])}). The VIP's own move is what the VRRP settings decide (the`,
        "second chart). A killed Galera node costs the same eviction, and its restarted self's rejoin",
        "(a state transfer; the donor is not blocked) can cost writes again: the second outage.",
        ...haproxyKillNote(r.drills.ours),
        "",
        "## Failure timelines",
        "",
        "Failed writes after the injection, as runs of one error (ms after the injection): which part of",
        "an outage was VRRP (connect timeouts), HAProxy (refused connections) or Galera (query timeouts).",
        "",
        ...timelines,
        ...(r.oltp ? oltpSection(r.oltp) : []),
        "## Provisioning",
        "",
        table(["operation", "time"], provisioning),
        "",
        "## Program evaluation under mocks",
        "",
        "Declaring and settling generated topologies under `pulumi.runtime.setMocks`, one process per size",
        "(`lab/bench/evaluate.ts`):",
        "",
        table(["Galera nodes", "hosts", "resources", "time"], evaluation),
        "",
    ].join("\n");
}

if (require.main === module) {
    const result = JSON.parse(fs.readFileSync(LATEST, "utf8")) as BenchResult;
    fs.writeFileSync(RESULTS_DOC, resultsDoc(result));
    console.log(`wrote ${path.relative(process.cwd(), RESULTS_DOC)}`);
}
