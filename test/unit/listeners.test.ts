// HAProxy listeners: the defaults derived for each server group, the write/read roles, and the
// SQL endpoints the stack exports and the lab connects to.
import fc from "fast-check";
import { DEFAULT_READ_PORT, haproxyListeners, Listener, pinsOneWriter } from "../../model/derive";
import { sqlEndpoints } from "../../model/endpoints";
import { parseTopology } from "../../model/load";
import { haproxyPortsDistinct, listenerNamesUnique, oneWriteListenerPerGroup, readListenersOnGalera } from "../../model/rules/haproxy";
import { Topology, TopologySchema } from "../../model/schema";
import { loadStackFile, rawTopology } from "../support/stacks";

type Raw = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const dev = loadStackFile("Pulumi.dev.yaml").topology;
const tutorial = loadStackFile("Pulumi.tutorial.yaml").topology;

/** The dev topology with the chosen server groups (MyCat borrowed from the tutorial stack) and derived listeners. */
function withGroups(groups: { pxc: boolean; dualMaster: boolean; mycat: boolean }): Topology {
    const t = structuredClone(dev);
    delete t.haproxy!.listeners;
    if (!groups.pxc) delete t.database.pxc;
    if (!groups.dualMaster) delete t.database.dualMaster;
    if (groups.mycat) t.mycat = structuredClone(tutorial.mycat);
    return t;
}

const listenerRules = [haproxyPortsDistinct, listenerNamesUnique, readListenersOnGalera, oneWriteListenerPerGroup];

describe("default listeners", () => {
    it("give Galera a write listener on 3306 and a read listener on the next free port", () => {
        expect(haproxyListeners(withGroups({ pxc: true, dualMaster: false, mycat: false }))).toEqual([
            { name: "pxc", port: 3306, backend: "pxc", role: "write" },
            { name: "pxc-read", port: DEFAULT_READ_PORT, backend: "pxc", role: "read" },
        ]);
    });

    it("keep one writer per group, distinct names and ports, clear of the stats page and peer port, for any set of groups", () => {
        const groups = fc.record({ pxc: fc.boolean(), dualMaster: fc.boolean(), mycat: fc.boolean() }).filter((g) => g.pxc || g.dualMaster || g.mycat);
        fc.assert(
            fc.property(groups, (g) => {
                const t = withGroups(g);
                const ls = haproxyListeners(t);
                const ports = [...ls.map((l) => l.port), t.haproxy!.stats.port, t.haproxy!.peerPort];
                expect(new Set(ports).size).toBe(ports.length);
                expect(new Set(ls.map((l) => l.name)).size).toBe(ls.length);
                expect(ls.filter((l) => l.backend === "pxc").map((l) => l.role)).toEqual(g.pxc ? ["write", "read"] : []);
                expect(ls.filter((l) => l.role === "read").every((l) => l.backend === "pxc")).toBe(true);
                for (const rule of listenerRules) expect(rule(t)).toEqual([]);
            }),
        );
    });

    it("are accepted by every rule in the dev stack (nothing there collides with the read port)", () => {
        const raw = structuredClone(rawTopology("Pulumi.dev.yaml")) as Raw;
        delete raw.haproxy.listeners;
        const { topology, issues } = parseTopology(raw);
        expect(issues).toEqual([]);
        expect(haproxyListeners(topology!).map((l) => `${l.name}:${l.port}`)).toEqual(["pxc:3306", "pxc-read:3308", "dualmaster:3307"]);
    });
});

describe("listener roles", () => {
    it("default to write when a listener names none", () => {
        const raw = structuredClone(rawTopology("Pulumi.tutorial.yaml")) as Raw;
        const parsed = TopologySchema.parse(raw);
        expect(parsed.haproxy!.listeners!.map((l) => l.role)).toEqual(["write", "write"]);
    });

    it("pin one writer on Galera and dual-master write listeners only", () => {
        const l = (backend: Listener["backend"], role: Listener["role"]): Listener => ({ name: "x", port: 1, backend, role });
        expect([l("pxc", "write"), l("pxc", "read"), l("dualMaster", "write"), l("mycat", "write")].map(pinsOneWriter)).toEqual([true, false, true, false]);
    });

    it("the dev stack lists a write and a read listener for Galera, and the dual-master one", () => {
        expect(haproxyListeners(dev).map((l) => [l.name, l.port, l.role, l.publishPort])).toEqual([
            ["pxc", 3306, "write", 3306],
            ["pxc-read", 3308, "read", 3308],
            ["dualmaster", 3307, "write", 3307],
        ]);
    });
});

describe("SQL endpoints", () => {
    it("name the write and the read endpoint of every HAProxy VIP", () => {
        expect(sqlEndpoints(dev).map((e) => `${e.label} = ${e.address}:${e.port} (${e.backend} ${e.role})`)).toEqual([
            "pxc via VI_HAPROXY = 10.77.0.100:3306 (pxc write)",
            "dualmaster via VI_HAPROXY = 10.77.0.100:3307 (dualMaster write)",
            "pxc-read via VI_HAPROXY = 10.77.0.100:3308 (pxc read)",
            "pxc via VI_HAPROXY_LAN = 10.77.0.101:3306 (pxc write)",
            "dualmaster via VI_HAPROXY_LAN = 10.77.0.101:3307 (dualMaster write)",
            "pxc-read via VI_HAPROXY_LAN = 10.77.0.101:3308 (pxc read)",
        ]);
    });

    it("give a client that takes the first endpoint of a backend the write endpoint, whatever the listener order", () => {
        fc.assert(
            fc.property(fc.shuffledSubarray(dev.haproxy!.listeners!, { minLength: 3, maxLength: 3 }), (order) => {
                const t = structuredClone(dev);
                t.haproxy!.listeners = order;
                const eps = sqlEndpoints(t);
                expect(new Set(eps.map((e) => e.label)).size).toBe(eps.length);
                for (const inst of t.keepalived.instances) {
                    const mine = eps.filter((e) => e.instance === inst.name);
                    expect(mine.length).toBe(order.length);
                    expect(mine.find((e) => e.backend === "pxc")?.role).toBe("write");
                    const roles = mine.map((e) => e.role);
                    expect(roles).toEqual([...roles].sort((a, b) => (a === b ? 0 : a === "write" ? -1 : 1)));
                }
                // What the lab's drills and probes select: the first pxc endpoint of all.
                expect(eps.find((e) => e.backend === "pxc")?.port).toBe(3306);
            }),
        );
    });

    it("leave stacks without a read listener as they were", () => {
        expect(sqlEndpoints(tutorial).map((e) => `${e.label} ${e.role}`)).toEqual(["pxc via VI_LAN write", "mycat via VI_LAN write"]);
    });
});
