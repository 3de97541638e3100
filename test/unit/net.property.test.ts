// Property tests for the address helpers every rule and renderer relies on.
import fc from "fast-check";
import { broadcastOf, canonicalCidr, contains, fromInt, hostCount, isCidr, isHostAddressOf, isIPv4, networkOf, overlaps, toInt } from "../../model/net";
import { Topology } from "../../model/schema";
import { DOCKER_DEFAULT_NETWORKS, dockerDefaultNetworksFree } from "../../model/rules/network";
import { loadStackFile } from "../support/stacks";

const ipInt = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const ip = ipInt.map(fromInt);
const prefix = fc.integer({ min: 0, max: 32 });
const cidr = fc.tuple(ip, prefix).map(([a, p]) => `${a}/${p}`);

describe("address helpers", () => {
    it("round-trips integers and dotted quads", () => {
        fc.assert(fc.property(ipInt, (n) => toInt(fromInt(n)) === n && isIPv4(fromInt(n))));
    });

    it("keeps every address of a block between its network and broadcast address", () => {
        fc.assert(
            fc.property(cidr, ip, (c, a) => {
                const inside = toInt(networkOf(c)) <= toInt(a) && toInt(a) <= toInt(broadcastOf(c));
                return contains(c, a) === inside;
            }),
        );
    });

    it("contains its own network and broadcast address but never uses them for hosts below /31", () => {
        fc.assert(
            fc.property(cidr, (c) => {
                const small = Number(c.split("/")[1]) >= 31;
                return contains(c, networkOf(c)) && contains(c, broadcastOf(c)) && (small || (!isHostAddressOf(c, networkOf(c)) && !isHostAddressOf(c, broadcastOf(c))));
            }),
        );
    });

    it("makes overlap symmetric, reflexive, and equal to sharing an address", () => {
        fc.assert(
            fc.property(cidr, cidr, (a, b) => {
                const shared = contains(a, networkOf(b)) || contains(b, networkOf(a));
                return overlaps(a, b) === overlaps(b, a) && overlaps(a, a) && overlaps(a, b) === shared;
            }),
        );
    });

    it("canonicalises a block to its network and counts its hosts", () => {
        fc.assert(
            fc.property(cidr, (c) => {
                const canon = canonicalCidr(c);
                const p = Number(c.split("/")[1]);
                return isCidr(canon) && networkOf(canon) === networkOf(c) && hostCount(c) === (p >= 31 ? 2 ** (32 - p) : 2 ** (32 - p) - 2);
            }),
        );
    });

    it("rejects malformed text", () => {
        for (const bad of ["", "1.2.3", "256.1.1.1", "1.2.3.4/33", "1.2.3.4/", "01.2.3.4x", "a.b.c.d/8"]) {
            expect(isCidr(bad) && isIPv4(bad)).toBe(false);
        }
        expect(isCidr("10.0.0.0/8")).toBe(true);
    });
});

describe("Docker's default networks", () => {
    const dev = loadStackFile("Pulumi.dev.yaml").topology;
    const withNetwork = (network: Partial<Topology["network"]>): Topology => ({ ...dev, network: { ...dev.network, ...network } });
    const flagged = (t: Topology, path: string) => dockerDefaultNetworksFree(t).some((i) => i.path === path);
    const DOCKER0 = "172.17.0.0/16";
    const INGRESS = "10.0.0.0/24";
    /** A block inside 172.17.0.0/16, of any size from the whole /16 down to one address. */
    const insideDocker0 = fc.tuple(fc.integer({ min: 0, max: 2 ** 16 - 1 }), fc.integer({ min: 16, max: 32 })).map(([n, p]) => `${fromInt(toInt("172.17.0.0") + n)}/${p}`);

    it("names the networks the rule guards", () => {
        expect(DOCKER_DEFAULT_NETWORKS.map((d) => d.subnet)).toEqual([DOCKER0, INGRESS]);
    });

    it("refuses every container subnet inside or around docker0, on either driver", () => {
        fc.assert(
            fc.property(insideDocker0, fc.constantFrom("overlay", "bridge") as fc.Arbitrary<"overlay" | "bridge">, (c, driver) => flagged(withNetwork({ subnet: c, driver }), "network.subnet")),
        );
        fc.assert(fc.property(fc.integer({ min: 0, max: 15 }), (p) => flagged(withNetwork({ subnet: `172.16.0.0/${p}` }), "network.subnet") === overlaps(`172.16.0.0/${p}`, DOCKER0)));
    });

    it("refuses a subnet exactly when it overlaps docker0, or the ingress network on an overlay", () => {
        fc.assert(
            fc.property(cidr, fc.constantFrom("overlay", "bridge") as fc.Arbitrary<"overlay" | "bridge">, (c, driver) => {
                const expected = overlaps(c, DOCKER0) || (driver === "overlay" && overlaps(c, INGRESS));
                return flagged(withNetwork({ subnet: c, driver }), "network.subnet") === expected;
            }),
        );
    });

    it("refuses a docker_gwbridge subnet on either default network, and accepts any other", () => {
        fc.assert(
            fc.property(cidr, (c) => flagged(withNetwork({ gwbridgeSubnet: c }), "network.gwbridgeSubnet") === (overlaps(c, DOCKER0) || overlaps(c, INGRESS))),
        );
    });
});
