import { haproxyEvents } from "../../lab/bench/haproxy-events";

const down = "Server galera/pn3 is DOWN, reason: Layer7 timeout, check duration: 1001ms. 2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.";

describe("haproxyEvents", () => {
    it("counts a state change logged both raw and as a warning once", () => {
        expect(haproxyEvents([down, `[WARNING]  (8) : ${down}`])).toEqual([down]);
    });

    it("counts repeated events as often as they happened", () => {
        const lines = [down, `[WARNING]  (8) : ${down}`, down, `[WARNING]  (8) : ${down}`];
        expect(haproxyEvents(lines)).toEqual([down, down]);
    });

    it("keeps events seen in only one of the two forms", () => {
        const other = down.replace("pn3", "pn2");
        expect(haproxyEvents([`[WARNING]  (8) : ${down}`, other]).sort()).toEqual([down, other].sort());
    });

    it("finds no event in no lines", () => {
        expect(haproxyEvents([])).toEqual([]);
    });
});
