// npm run drill [-- <drill> ...] [--runs N] [--instance VRRP_NAME] [--json FILE]: failover drills on a
// lab brought up by `npm run lab:up`, each N times in a row (default 1). Prints one line per run, a
// table, and with N > 1 the distribution per drill (p50/p95/max); exit 1 when a drill breaks an
// invariant (VIP on other than exactly one node afterwards, acknowledged Galera writes lost,
// the VIP not moving off a crashed holder, the topology not healthy again).
import * as fs from "fs";
import { placementOf } from "../model/derive";
import { DRILLS, DrillResult, runDrill } from "./lib/drills";
import { loadLabStack } from "./lib/lab-stack";
import { drillTable, drillViolations } from "./lib/drill-report";
import { intOption } from "./bench/options";
import { summarize } from "./bench/summary";

async function main(): Promise<number> {
    const args = process.argv.slice(2);
    const valueOf = (flag: string) => (args.indexOf(flag) >= 0 ? args[args.indexOf(flag) + 1] : undefined);
    const jsonFile = valueOf("--json");
    const instanceName = valueOf("--instance");
    const runs = intOption(args, "--runs", 1, 1);
    const names = args.filter((a, i) => !a.startsWith("--") && !["--json", "--instance", "--runs"].includes(args[i - 1]));
    const unknown = names.filter((n) => !DRILLS.some((d) => d.name === n));
    if (unknown.length) {
        console.error(`unknown drill(s): ${unknown.join(", ")}; known: ${DRILLS.map((d) => d.name).join(", ")}`);
        return 2;
    }
    const lab = loadLabStack();
    const instances = lab.topology.keepalived.instances.filter((i) => i.fronts === "haproxy");
    const inst = instanceName ? instances.find((i) => i.name === instanceName) : instances.find((i) => placementOf(i) === "host");
    if (!inst) {
        console.error(`no VRRP instance ${instanceName ? `named ${instanceName} ` : "at host level "}fronts HAProxy; instances: ${instances.map((i) => `${i.name} (${placementOf(i)})`).join(", ")}`);
        return 2;
    }
    const wrongLevel = DRILLS.filter((d) => names.includes(d.name) && !d.levels.includes(inst.level));
    if (wrongLevel.length) {
        console.error(`${wrongLevel.map((d) => d.name).join(", ")} do not apply to ${inst.name} (${inst.level} level)`);
        return 2;
    }
    console.log(`[drill] clients use ${inst.name} ${inst.vip} (placement ${placementOf(inst)})`);
    const results: DrillResult[] = [];
    for (const d of DRILLS.filter((x) => (names.length === 0 ? x.levels.includes(inst.level) : names.includes(x.name)))) {
        for (let k = 1; k <= runs; k++) results.push(await runDrill(lab, inst, d, (l) => console.log(`[drill]${runs > 1 ? ` [${k}/${runs}]` : ""} ${l}`)));
    }
    console.log(drillTable(results));
    if (runs > 1) {
        for (const e of summarize(results, placementOf(inst), "ours")) {
            console.log(`[drill] ${e.drill}: ${e.runs} runs, downtime p50 ${e.downtimeP50Ms} ms, p95 ${e.downtimeP95Ms} ms, max ${e.downtimeMaxMs} ms, VIP moved p95 ${e.vipMovedP95Ms ?? "-"} ms, acked lost ${e.ackedLost}`);
        }
    }
    if (jsonFile) fs.writeFileSync(jsonFile, JSON.stringify({ at: new Date().toISOString(), results }, null, 2));
    const bad = results.flatMap(drillViolations);
    for (const b of bad) console.error(`[drill] VIOLATION ${b}`);
    return bad.length ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (err) => {
        console.error(`[drill] ${err instanceof Error ? err.stack : String(err)}`);
        process.exit(1);
    },
);
