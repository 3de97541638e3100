// Property tests for the address helpers every rule and renderer relies on.
import fc from "fast-check";
import { broadcastOf, canonicalCidr, contains, fromInt, hostCount, isCidr, isHostAddressOf, isIPv4, networkOf, overlaps, toInt } from "../../model/net";

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
