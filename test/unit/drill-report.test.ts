// How a drill result is judged: the invariants hold whatever the timings.
import { drillViolations } from "../../lab/lib/drill-report";
import { DrillResult } from "../../lab/lib/drills";

const base: DrillResult = {
    drill: "vip-holder-crash",
    what: "",
    holderBefore: "h1",
    holdersAfter: ["h2"],
    vipMovedMs: 300,
    downtimeMs: 0,
    recoveryOutageMs: 0,
    writes: 100,
    failedWrites: 0,
    ackedWrites: 100,
    ackedLost: 0,
    healthyAfterMs: 5000,
    errors: [],
};

describe("drillViolations", () => {
    it("accepts a clean failover", () => {
        expect(drillViolations(base)).toEqual([]);
    });
    it("flags a VIP on two nodes, a VIP that stayed, lost Galera writes and an unhealthy end", () => {
        expect(drillViolations({ ...base, holdersAfter: ["h1", "h2"] }).join()).toMatch(/on 2 nodes/);
        expect(drillViolations({ ...base, vipMovedMs: -1, holdersAfter: ["h1"] })).toHaveLength(2);
        expect(drillViolations({ ...base, drill: "galera-node-kill", ackedLost: 1 }).join()).toMatch(/1 acknowledged Galera writes lost/);
        expect(drillViolations({ ...base, healthyAfterMs: -1 }).join()).toMatch(/not healthy again/);
    });
    it("flags a crashed container Docker's restart policy left down", () => {
        expect(drillViolations({ ...base, startedByDrill: ["h1"] })).toEqual(["vip-holder-crash: Docker's restart policy did not restart h1 after the crash (the drill started it)"]);
    });
});
