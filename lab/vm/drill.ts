// npm run vmlab:drill [-- reboot] [power-loss] [--json FILE]: on a VM lab brought up by
// `npm run vmlab:up`, each VM rebooted gracefully in turn (nothing helps it back but what the
// stack enabled: the estate must be whole again and pass verification), then a power-loss drill
// of the LAN VIP's holder with the usual drill report. Exit 1 when anything does not come back,
// a check fails or a drill breaks an invariant (docs/lab.md).
import * as fs from "fs";
import { placementOf } from "../../model/derive";
import { labChecks, runChecks } from "../lib/checks";
import { DrillContext, DrillResult, runDrill } from "../lib/drills";
import { drillTable, drillViolations } from "../lib/drill-report";
import { eventually } from "../lib/exec";
import { loadLabStack, LabStack } from "../lib/lab-stack";
import { vmChecks } from "./checks";
import { estateWhole, powerLoss, vms } from "./drills";

export interface RebootResult {
    readonly vm: string;
    /** `systemctl reboot` -> sshd answers again. */
    readonly sshBackMs: number;
    /** `systemctl reboot` -> the database whole, one holder per VIP, every container running; -1: not within the bound. */
    readonly wholeMs: number;
    readonly checksPassed: number;
    readonly checks: number;
    readonly failed: string[];
}

async function reboots(lab: LabStack, log: (l: string) => void): Promise<RebootResult[]> {
    const out: RebootResult[] = [];
    const ctx = { lab, log } as unknown as DrillContext;
    for (const h of lab.topology.hosts) {
        log(`reboot ${h.name}: systemctl reboot`);
        const t0 = Date.now();
        const r = vms(["reboot", h.name], 300_000);
        const sshBackMs = r.code === 0 ? Date.now() - t0 : -1;
        const whole = sshBackMs >= 0 && (await eventually(() => estateWhole(ctx), 300_000, 2000));
        const wholeMs = whole ? Date.now() - t0 : -1;
        log(`reboot ${h.name}: sshd back after ${sshBackMs} ms, estate whole after ${wholeMs} ms`);
        const results = await runChecks([...vmChecks(lab), ...labChecks(lab)], (l) => log(`  ${l}`));
        const failed = results.filter((x) => !x.ok).map((x) => `${x.name}: ${x.detail}`);
        out.push({ vm: h.name, sshBackMs, wholeMs, checksPassed: results.length - failed.length, checks: results.length, failed });
        if (wholeMs < 0) break;
    }
    return out;
}

async function main(): Promise<number> {
    const args = process.argv.slice(2);
    const jsonAt = args.indexOf("--json");
    const names = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--json");
    const want = (n: string) => names.length === 0 || names.includes(n);
    const lab = loadLabStack();
    if (lab.kind !== "vm") throw new Error("no VM lab here (vms.json missing): run npm run vmlab:up first");
    const log = (l: string) => console.log(`[vmlab drill] ${l}`);
    const rebooted = want("reboot") ? await reboots(lab, log) : [];
    const drills: DrillResult[] = [];
    if (want("power-loss")) {
        const inst = lab.topology.keepalived.instances.find((i) => i.fronts === "haproxy" && placementOf(i) === "host" && i.forwarding.kind === "none");
        if (!inst) throw new Error("no host-level VIP in front of HAProxy without LVS: nothing for the power-loss drill");
        drills.push(await runDrill(lab, inst, powerLoss(lab), log));
    }
    for (const r of rebooted) log(`reboot ${r.vm}: sshd ${r.sshBackMs} ms, whole ${r.wholeMs} ms, checks ${r.checksPassed}/${r.checks}${r.failed.length ? `; FAILED ${r.failed.join("; ")}` : ""}`);
    if (drills.length) console.log(drillTable(drills));
    if (jsonAt >= 0) fs.writeFileSync(args[jsonAt + 1], JSON.stringify({ at: new Date().toISOString(), reboots: rebooted, drills }, null, 2));
    const bad = [
        ...rebooted.filter((r) => r.wholeMs < 0 || r.failed.length).map((r) => `reboot of ${r.vm}: ${r.wholeMs < 0 ? "the estate was not whole again within 300 s" : r.failed.join("; ")}`),
        ...(want("reboot") && rebooted.length < lab.topology.hosts.length ? ["not every VM was rebooted"] : []),
        ...drills.flatMap(drillViolations),
    ];
    for (const b of bad) console.error(`[vmlab drill] VIOLATION ${b}`);
    return bad.length ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (err) => {
        console.error(`[vmlab drill] ${err instanceof Error ? err.stack : String(err)}`);
        process.exit(1);
    },
);
