// How drill results are judged and shown.
import { DrillResult } from "./drills";

/** Drills that take the holder out: the VIP must leave it and, with nopreempt, stay away. */
const VIP_MUST_MOVE = ["vip-holder-crash", "vip-holder-stop", "vip-holder-power-loss"];

/** Invariants every drill must keep, whatever the settings; timings are reported, not judged. */
/** Drills whose client writes to Galera, where no acknowledged write may ever be lost. */
const GALERA_DRILL = /^(galera-|bootstrap-node-|full-cluster-)/;

export function drillViolations(r: DrillResult): string[] {
    const out: string[] = [];
    if (r.holdersAfter.length !== 1) out.push(`${r.drill}: the VIP is on ${r.holdersAfter.length} nodes afterwards (${r.holdersAfter.join(", ") || "none"})`);
    if (r.healthyAfterMs < 0) out.push(`${r.drill}: the topology was not healthy again within the time limit`);
    if (GALERA_DRILL.test(r.drill) && r.ackedLost > 0) out.push(`${r.drill}: ${r.ackedLost} acknowledged Galera writes lost`);
    if (VIP_MUST_MOVE.includes(r.drill) && r.vipMovedMs < 0) out.push(`${r.drill}: the VIP never moved off the crashed holder ${r.holderBefore}`);
    if (VIP_MUST_MOVE.includes(r.drill) && r.holdersAfter.includes(r.holderBefore)) out.push(`${r.drill}: the VIP did not move off the crashed holder ${r.holderBefore} (or came back to it despite nopreempt)`);
    if (r.startedByDrill?.length) out.push(`${r.drill}: Docker's restart policy did not restart ${r.startedByDrill.join(", ")} after the crash (the drill started it)`);
    return out;
}

export function drillTable(results: DrillResult[]): string {
    const head = ["drill", "VIP moved ms", "takeover ms", "backend DOWN ms", "downtime ms", "stall ms", "failed/writes", "acked lost", "healthy after ms", "return outage ms", "holder before -> after"];
    const ms = (v: number | undefined) => (v === undefined || v < 0 ? "-" : String(v));
    const rows = results.map((r) => [r.drill, ms(r.vipMovedMs), ms(r.takeoverMs), ms(r.backendDownMs), String(r.downtimeMs), ms(r.stallMs), `${r.failedWrites}/${r.writes}`, String(r.ackedLost), String(r.healthyAfterMs), String(r.recoveryOutageMs), `${r.holderBefore} -> ${r.holdersAfter.join(",") || "none"}`]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
    return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
