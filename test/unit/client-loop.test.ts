// The two outage measures the drills report, on hand-made attempt logs.
import fc from "fast-check";
import { Attempt, longestOutage, longestStall } from "../../scripts/lab/lib/client-loop";

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
