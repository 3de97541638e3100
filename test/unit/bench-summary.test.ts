// The bench's summary: percentiles by nearest rank and one entry per drill with its runs.
import fc from "fast-check";
import type { DrillResult } from "../../lab/lib/drills";
import { percentile, ratios, summarize } from "../../lab/bench/summary";
import { intOption } from "../../lab/bench/options";

const run = (drill: string, downtimeMs: number, vipMovedMs = -1, ackedLost = 0): DrillResult =>
    ({ drill, what: drill, holderBefore: "lab1", holdersAfter: ["lab2"], vipMovedMs, downtimeMs, recoveryOutageMs: 0, writes: 100, failedWrites: 3, ackedWrites: 97, ackedLost, healthyAfterMs: 9000, errors: [] }) as DrillResult;

describe("percentile", () => {
    it("takes the nearest rank: p50 of 1..10 is 5, p95 is 10, p10 is 1", () => {
        const xs = [7, 3, 10, 1, 5, 2, 9, 4, 8, 6];
        expect(percentile(xs, 50)).toBe(5);
        expect(percentile(xs, 95)).toBe(10);
        expect(percentile(xs, 90)).toBe(9);
        expect(percentile(xs, 10)).toBe(1);
    });

    it("is one of the values, at least p % of them not above it and fewer than p % below it", () => {
        fc.assert(
            fc.property(fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 50 }), fc.integer({ min: 1, max: 100 }), (xs, p) => {
                const v = percentile(xs, p);
                expect(xs).toContain(v);
                expect(xs.filter((x) => x <= v).length).toBeGreaterThanOrEqual((p / 100) * xs.length);
                expect(xs.filter((x) => x < v).length).toBeLessThan((p / 100) * xs.length);
            }),
        );
    });

    it("refuses no values and a p outside (0, 100]", () => {
        expect(() => percentile([], 50)).toThrow(/no values/);
        expect(() => percentile([1], 0)).toThrow(/outside/);
        expect(() => percentile([1], 101)).toThrow(/outside/);
    });
});

describe("summarize", () => {
    it("gives one entry per drill with its runs' distribution, the VIP's p95 only where it moved, and the lost writes summed", () => {
        const results = [
            ...[5000, 5200, 6100].map((ms, i) => run("vip-holder-crash", ms, 300 + i * 10, i === 2 ? 1 : 0)),
            ...[1200, 1100].map((ms) => run("galera-node-kill", ms)),
        ];
        expect(summarize(results, "host", "ours")).toEqual([
            { drill: "vip-holder-crash", placement: "host", settings: "ours", runs: 3, downtimeP50Ms: 5200, downtimeP95Ms: 6100, downtimeMaxMs: 6100, vipMovedP95Ms: 320, ackedLost: 1 },
            { drill: "galera-node-kill", placement: "host", settings: "ours", runs: 2, downtimeP50Ms: 1100, downtimeP95Ms: 1200, downtimeMaxMs: 1200, vipMovedP95Ms: null, ackedLost: 0 },
        ]);
    });

    it("pairs each of our entries with the tutorial's for the ratio of the p95s", () => {
        const s = [...summarize([run("vip-holder-crash", 6000)], "host", "tutorial"), ...summarize([run("vip-holder-crash", 2000), run("galera-restart", 0)], "host", "ours")];
        expect(ratios(s)).toEqual([{ drill: "vip-holder-crash", placement: "host", tutorialP95Ms: 6000, oursP95Ms: 2000, ratio: 3 }]);
    });
});

describe("the bench's numeric options", () => {
    it("take a whole number at or above the minimum, the default when absent, and refuse anything else naming the option and an example", () => {
        expect(intOption(["--runs", "3"], "--runs", 10, 1)).toBe(3);
        expect(intOption([], "--runs", 10, 1)).toBe(10);
        expect(intOption(["--soak-minutes", "0"], "--soak-minutes", 30, 0)).toBe(0);
        for (const bad of [["--runs", "0"], ["--runs", "2.5"], ["--runs", "ten"], ["--runs"]]) expect(() => intOption(bad, "--runs", 10, 1)).toThrow(/^--runs .*whole number of at least 1, e\.g\. --runs 10$/);
    });
});
