// Property tests for rules whose verdict follows from a simple fact about the input: a port
// equal to sshd's, a shared secret name, a host with half the Galera nodes.
import fc from "fast-check";
import { Topology } from "../../model/schema";
import { isWarning } from "../../model/issues";
import { publishedPortsFreeOnHost } from "../../model/rules/network";
import { mycatAddressesValid } from "../../model/rules/mycat";
import { secretsNotSharedAcrossRoles } from "../../model/rules/secrets";
import { galeraNodesSpreadOverHosts } from "../../model/rules/database";
import { loadStackFile } from "../support/stacks";

const dev = loadStackFile("Pulumi.dev.yaml").topology;
const tutorial = loadStackFile("Pulumi.tutorial.yaml").topology;
const port = fc.integer({ min: 1, max: 65535 });

describe("published ports and the hosts' own services", () => {
    // h1 runs on lab1, the swarm manager: sshd, 2377 and 7946 are its own.
    const withStats = (publishPort: number, sshPort: number): Topology => ({
        ...dev,
        hosts: dev.hosts.map((h, i) => (i === 0 ? { ...h, ssh: { ...h.ssh, port: sshPort } } : h)),
        haproxy: dev.haproxy && { ...dev.haproxy, stats: { ...dev.haproxy.stats, publishPort } },
    });
    const flagged = (t: Topology) => publishedPortsFreeOnHost(t).some((i) => i.path === "haproxy.stats.publishPort");

    it("refuses a published port exactly when sshd or the swarm listens on it", () => {
        fc.assert(fc.property(port, port, (p, ssh) => flagged(withStats(p, ssh)) === (p === ssh || p === 2377 || p === 7946)));
    });

    it("refuses the SSH port whatever it is", () => {
        fc.assert(fc.property(port, (ssh) => flagged(withStats(ssh, ssh))));
    });
});

describe("MyCat host:port strings", () => {
    const withAddress = (address: string): Topology => {
        const m = tutorial.mycat;
        if (!m) throw new Error("the tutorial stack has MyCat");
        const dataHosts = m.dataHosts.map((d, i) => (i === 0 ? { ...d, writeHosts: d.writeHosts.map((w, j) => (j === 0 ? { ...w, address } : w)) } : d));
        return { ...tutorial, mycat: { ...m, dataHosts } };
    };

    it("accepts every port from 1 to 65535", () => {
        fc.assert(fc.property(port, (p) => mycatAddressesValid(withAddress(`172.18.0.2:${p}`)).length === 0));
    });

    it("refuses port 0 and every five-digit port above 65535", () => {
        fc.assert(fc.property(fc.oneof(fc.constant(0), fc.integer({ min: 65536, max: 99999 })), (p) => mycatAddressesValid(withAddress(`172.18.0.2:${p}`)).some((i) => /outside 1-65535/.test(i.problem))));
    });
});

describe("one secret per role", () => {
    // Five fields of five roles (root, SST, clustercheck, app, stats page), and no dual-master pair.
    const base: Topology = { ...dev, database: { pxc: dev.database.pxc } };
    const withNames = ([root, sst, check, app, stats]: string[]): Topology => {
        const pxc = base.database.pxc;
        const ha = base.haproxy;
        if (!pxc || !pxc.app || !ha) throw new Error("the dev stack has Galera with an app account and HAProxy");
        return {
            ...base,
            database: { pxc: { ...pxc, rootPasswordSecret: root, sstPasswordSecret: sst, clustercheck: { ...pxc.clustercheck, passwordSecret: check }, app: { ...pxc.app, passwordSecret: app } } },
            haproxy: { ...ha, stats: { ...ha.stats, passwordSecret: stats } },
        };
    };
    const names = fc.array(fc.constantFrom("alpha", "bravo", "charlie", "delta", "echo"), { minLength: 5, maxLength: 5 });

    it("reports one field for every name that another role has taken already", () => {
        fc.assert(fc.property(names, (ns) => secretsNotSharedAcrossRoles(withNames(ns)).length === ns.length - new Set(ns).size));
    });

    it("never reports the SSH key that every host shares", () => {
        expect(secretsNotSharedAcrossRoles(dev)).toEqual([]);
    });
});

describe("Galera nodes across hosts", () => {
    const hostNames = dev.hosts.map((h) => h.name);
    const placements = fc.integer({ min: 1, max: 4 }).chain((k) => fc.array(fc.constantFrom(...hostNames), { minLength: 2 * k + 1, maxLength: 2 * k + 1 }));

    it("warns, and only warns, exactly when one host runs half the nodes or more", () => {
        fc.assert(
            fc.property(placements, (onHosts) => {
                const pxc = dev.database.pxc;
                if (!pxc) return false;
                const nodes = onHosts.map((host, i) => ({ name: `pn${i + 1}`, host, ip: `172.18.0.${100 + i}`, bootstrap: i === 0 }));
                const issues = galeraNodesSpreadOverHosts({ ...dev, database: { ...dev.database, pxc: { ...pxc, nodes } } });
                const crowded = hostNames.some((h) => 2 * onHosts.filter((x) => x === h).length >= onHosts.length);
                return issues.every(isWarning) && (issues.length > 0) === crowded;
            }),
        );
    });
});
