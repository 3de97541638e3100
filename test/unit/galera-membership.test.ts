// The lab's "cluster is whole" judgement: a node that formed a cluster of its own says Synced
// and Primary too, so size and state UUID decide.
import { membershipProblems, NodeMembership } from "../../lab/lib/galera";

const node = (name: string, over: Partial<NodeMembership> = {}): NodeMembership => ({ node: name, state: "Synced", status: "Primary", size: 3, uuid: "u1", ready: "ON", ...over });

describe("membershipProblems", () => {
    it("accepts three Synced members of one Primary component", () => {
        expect(membershipProblems([node("pn1"), node("pn2"), node("pn3")], 3)).toEqual([]);
    });

    it("sees a node that split off into a cluster of its own", () => {
        const p = membershipProblems([node("pn1", { size: 1, uuid: "u2" }), node("pn2", { size: 2 }), node("pn3", { size: 2 })], 3);
        expect(p.join("\n")).toMatch(/pn1: Synced, Primary, size 1/);
        expect(p.join("\n")).toMatch(/2 cluster state UUIDs/);
    });

    it("sees a node that is up but out of the cluster (Initialized, not ready)", () => {
        const p = membershipProblems([node("pn1", { size: 2 }), node("pn2", { size: 2 }), node("pn3", { state: "Initialized", status: "Disconnected", size: 0, ready: "OFF" })], 3);
        expect(p).toHaveLength(3);
        expect(p[2]).toBe("pn3: Initialized, Disconnected, size 0, ready OFF");
    });
});
