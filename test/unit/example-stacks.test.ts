import { EXAMPLE_STACKS, loadStackFile } from "../support/stacks";
import { vrrpMembers } from "../../model/derive";

describe.each(EXAMPLE_STACKS)("example stack %s", (file) => {
    it("parses and passes every rule", () => {
        const { topology, secrets } = loadStackFile(file);
        expect(topology.hosts.length).toBeGreaterThanOrEqual(2);
        expect(Object.keys(secrets).length).toBeGreaterThan(0);
    });

    it("gives every VRRP holder a distinct priority and a unicast source address", () => {
        const { topology } = loadStackFile(file);
        for (const inst of topology.keepalived.instances) {
            const members = vrrpMembers(topology, inst);
            expect(members.length).toBeGreaterThanOrEqual(2);
            expect(new Set(members.map((m) => m.priority)).size).toBe(members.length);
            expect(new Set(members.map((m) => m.address)).size).toBe(members.length);
        }
    });
});

describe("the dev stack", () => {
    it("uses production defaults the tutorials lack", () => {
        const { topology } = loadStackFile("Pulumi.dev.yaml");
        const vi = topology.keepalived.instances[0];
        expect(vi.version).toBe(3);
        expect(vi.nopreempt).toBe(true);
        expect(vi.initialState).toBe("BACKUP");
        expect(vi.unicast).toBe("auto");
        expect(topology.haproxy?.check.interMs).toBeLessThan(2000);
    });
});
