import { allStackFiles, EXAMPLE_STACKS, loadStackFile } from "../support/stacks";
import { vrrpMembers } from "../../model/derive";
import { parsePublicKey } from "../../model/host-key";

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

describe("host key pins", () => {
    // The dev stack's pins are the lab's generated keys, added to its config copy by
    // lab/stack.sh prepare (test/unit/lab-description.test.ts).
    const files = allStackFiles().filter((f) => f !== "Pulumi.dev.yaml");

    it.each(files)("%s pins every host's ed25519 key", (file) => {
        for (const h of loadStackFile(file).topology.hosts) {
            const key = h.ssh.hostKey ?? "";
            expect([h.name, key.startsWith("ssh-ed25519 "), parsePublicKey(key) !== undefined]).toEqual([h.name, true, true]);
        }
    });

    it("gives every machine its own key, the same in every stack that names it", () => {
        const byAddress = new Map<string, Set<string>>();
        for (const f of files) for (const h of loadStackFile(f).topology.hosts) byAddress.set(h.ssh.address, new Set([...(byAddress.get(h.ssh.address) ?? []), h.ssh.hostKey as string]));
        for (const [address, keys] of byAddress) expect([address, keys.size]).toEqual([address, 1]);
        const all = [...byAddress.values()].map((k) => [...k][0]);
        expect(new Set(all).size).toBe(all.length);
    });
});
