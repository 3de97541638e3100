// The bench's summary: each drill's runs reduced to the distribution a reader compares, per
// placement and settings: p50, p95 and max of the client-visible downtime, p95 of the VIP's
// move, and the acknowledged writes lost over all runs. Pure: drill results in, entries out.
import type { DrillResult } from "../lib/drills";

export type SettingsLabel = "tutorial" | "ours";

export interface SummaryEntry {
    readonly drill: string;
    /** Where the VIP the client used lives: host, container-macvlan, ... (model/derive placementOf). */
    readonly placement: string;
    readonly settings: SettingsLabel;
    readonly runs: number;
    readonly downtimeP50Ms: number;
    readonly downtimeP95Ms: number;
    readonly downtimeMaxMs: number;
    /** p95 of failure -> VIP on another holder, over the runs in which it moved; null where no VIP moves. */
    readonly vipMovedP95Ms: number | null;
    /** Acknowledged writes missing afterwards, summed over the runs. */
    readonly ackedLost: number;
}

/** Nearest-rank percentile: the smallest value that at least p % of the values do not exceed. */
export function percentile(values: readonly number[], p: number): number {
    if (values.length === 0) throw new Error("percentile of no values");
    if (!(p > 0 && p <= 100)) throw new Error(`percentile ${p} outside (0, 100]`);
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.ceil((p / 100) * sorted.length) - 1];
}

/** One entry per drill, in the order the drills first ran. */
export function summarize(results: readonly DrillResult[], placement: string, settings: SettingsLabel): SummaryEntry[] {
    const byDrill = new Map<string, DrillResult[]>();
    for (const r of results) byDrill.set(r.drill, [...(byDrill.get(r.drill) ?? []), r]);
    return [...byDrill].map(([drill, runs]) => {
        const downtime = runs.map((r) => r.downtimeMs);
        const moved = runs.map((r) => r.vipMovedMs).filter((ms) => ms >= 0);
        return {
            drill,
            placement,
            settings,
            runs: runs.length,
            downtimeP50Ms: percentile(downtime, 50),
            downtimeP95Ms: percentile(downtime, 95),
            downtimeMaxMs: Math.max(...downtime),
            vipMovedP95Ms: moved.length ? percentile(moved, 95) : null,
            ackedLost: runs.reduce((a, r) => a + r.ackedLost, 0),
        };
    });
}

/** The summary of a bench's runs: host VIP drills with both settings, then the other placements (labelled "NAME (placement)") with ours. */
export function benchSummary(tutorial: readonly DrillResult[], ours: readonly DrillResult[], placements: Record<string, readonly DrillResult[]>): SummaryEntry[] {
    const placementOf = (label: string) => /\(([^)]+)\)\s*$/.exec(label)?.[1] ?? label;
    return [
        ...summarize(tutorial, "host", "tutorial"),
        ...summarize(ours, "host", "ours"),
        ...Object.entries(placements).flatMap(([label, results]) => summarize(results, placementOf(label), "ours")),
    ];
}

/** Each of our entries with the tutorial settings' entry of the same drill and placement, where there is one. */
export function pairs(summary: readonly SummaryEntry[]): Array<{ ours: SummaryEntry; tutorial: SummaryEntry }> {
    return summary
        .filter((o) => o.settings === "ours")
        .flatMap((o) => {
            const t = summary.find((x) => x.settings === "tutorial" && x.drill === o.drill && x.placement === o.placement);
            return t ? [{ ours: o, tutorial: t }] : [];
        });
}

/** p95 of the tutorial settings over p95 of ours, for each drill measured with both (null: ours 0). */
export function ratios(summary: readonly SummaryEntry[]): Array<{ drill: string; placement: string; tutorialP95Ms: number; oursP95Ms: number; ratio: number | null }> {
    return pairs(summary).map(({ ours: o, tutorial: t }) => ({ drill: o.drill, placement: o.placement, tutorialP95Ms: t.downtimeP95Ms, oursP95Ms: o.downtimeP95Ms, ratio: o.downtimeP95Ms > 0 ? +(t.downtimeP95Ms / o.downtimeP95Ms).toFixed(1) : null }));
}
