// The outage measures the drills report, on hand-made attempt logs.
import fc from "fast-check";
import { Attempt, failureRuns, longestOutage, longestStall } from "../../lab/lib/client-loop";

const ok = (at: number, doneAt = at + 5): Attempt => ({ at, doneAt, ok: true });
const failed = (at: number, doneAt = at + 500): Attempt => ({ at, doneAt, ok: false, error: "timeout" });

describe("longestOutage", () => {
    it("runs from the first failure to the next success", () => {
        expect(longestOutage([ok(0), failed(50), failed(600), ok(1150), ok(1200)], 0).ms).toBe(1100);
    });
    it("is zero when nothing failed", () => {
        expect(longestOutage([ok(0), ok(50)], 0).ms).toBe(0);
    });
});

describe("longestStall", () => {
    it("sees a connect that succeeded late, which no failure reports", () => {
        const attempts = [ok(0), ok(50), { at: 100, doneAt: 1100, ok: true }, ok(1150)];
        expect(longestOutage(attempts, 0).ms).toBe(0);
        expect(longestStall(attempts, 60, 50)).toBe(1100 - 60 - 50);
    });
    it("counts from the injection, not from the last success before it", () => {
        expect(longestStall([ok(0), failed(100), ok(700)], 100, 50)).toBe(705 - 100 - 50);
    });
    it("is zero for a steady client at its tick", () => {
        fc.assert(
            fc.property(fc.integer({ min: 2, max: 200 }), fc.integer({ min: 10, max: 500 }), (n, tick) => {
                const attempts = Array.from({ length: n }, (_, i) => ok(i * tick));
                return longestStall(attempts, 0, tick) === 0;
            }),
        );
    });
});

describe("failureRuns", () => {
    const err = (at: number, error: string): Attempt => ({ at, doneAt: at + 5, ok: false, error });
    it("groups consecutive failures with one error, split by a success or another error", () => {
        const attempts = [ok(0), err(100, "refused"), err(150, "refused"), err(200, "timeout"), ok(250), err(300, "timeout")];
        expect(failureRuns(attempts, 50)).toEqual([
            { fromMs: 50, toMs: 100, count: 2, error: "refused" },
            { fromMs: 150, toMs: 150, count: 1, error: "timeout" },
            { fromMs: 250, toMs: 250, count: 1, error: "timeout" },
        ]);
    });
    it("accounts for every failure after `from`, and for nothing before it", () => {
        fc.assert(
            fc.property(fc.array(fc.constantFrom<0 | 1 | 2>(0, 1, 2), { maxLength: 60 }), fc.integer({ min: 0, max: 60 }), (kinds, cut) => {
                const attempts = kinds.map((k, i) => (k === 0 ? ok(i * 10) : err(i * 10, k === 1 ? "a" : "b")));
                const runs = failureRuns(attempts, cut * 10);
                const expected = attempts.filter((a) => !a.ok && a.at >= cut * 10).length;
                return runs.reduce((n, r) => n + r.count, 0) === expected && runs.every((r) => r.fromMs >= 0 && r.toMs >= r.fromMs);
            }),
        );
    });
});
