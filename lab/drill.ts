// npm run drill [-- <drill> ...] [--instance VRRP_NAME] [--json FILE]: failover drills on a lab brought up by
// `npm run lab:up`. Prints one line per drill and a table; exit 1 when a drill breaks an
// invariant (VIP on other than exactly one node afterwards, acknowledged Galera writes lost,
// the VIP not moving off a crashed holder, the topology not healthy again).
import * as fs from "fs";
import { placementOf } from "../model/derive";
import { DRILLS, DrillResult, runDrill } from "./lib/drills";
import { loadLabStack } from "./lib/lab-stack";
import { drillTable, drillViolations } from "./lib/drill-report";

async function main(): Promise<number> {
    const args = process.argv.slice(2);
    const valueOf = (flag: string) => (args.indexOf(flag) >= 0 ? args[args.indexOf(flag) + 1] : undefined);
    const jsonFile = valueOf("--json");
    const instanceName = valueOf("--instance");
    const names = args.filter((a, i) => !a.startsWith("--") && !["--json", "--instance"].includes(args[i - 1]));
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
        results.push(await runDrill(lab, inst, d, (l) => console.log(`[drill] ${l}`)));
    }
    console.log(drillTable(results));
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
