// npm run drill [-- <drill> ...] [--json FILE]: failover drills on a lab brought up by
// `npm run lab:up`. Prints one line per drill and a table; exit 1 when a drill breaks an
// invariant (VIP on other than exactly one node afterwards, acknowledged Galera writes lost,
// the VIP not moving off a crashed holder, the topology not healthy again).
import * as fs from "fs";
import { placementOf } from "../../infra/config/derive";
import { DRILLS, DrillResult, runDrill } from "./lib/drills";
import { loadLabStack } from "./lib/lab-stack";
import { drillTable, drillViolations } from "./lib/drill-report";

async function main(): Promise<number> {
    const args = process.argv.slice(2);
    const jsonAt = args.indexOf("--json");
    const jsonFile = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
    const names = args.filter((a, i) => !a.startsWith("--") && (jsonAt < 0 || i !== jsonAt + 1));
    const unknown = names.filter((n) => !DRILLS.some((d) => d.name === n));
    if (unknown.length) {
        console.error(`unknown drill(s): ${unknown.join(", ")}; known: ${DRILLS.map((d) => d.name).join(", ")}`);
        return 2;
    }
    const lab = loadLabStack();
    const inst = lab.topology.keepalived.instances.find((i) => i.fronts === "haproxy" && placementOf(i) === "host");
    if (!inst) {
        console.error("the drills need a host-level VRRP instance fronting HAProxy (the dev stack's VI_HAPROXY)");
        return 2;
    }
    const results: DrillResult[] = [];
    for (const d of DRILLS.filter((x) => names.length === 0 || names.includes(x.name))) {
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
