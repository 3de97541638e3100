// Rules about the Galera cluster and the dual-master pair.
import { Topology } from "../schema";
import { ConfigIssue, issue, warning } from "../issues";
import { duplicatesOf } from "./hosts";

export function pxcQuorumSize(t: Topology): ConfigIssue[] {
    const pxc = t.database.pxc;
    if (!pxc) return [];
    const n = pxc.nodes.length;
    if (n >= 3 && n % 2 === 1) return [];
    return [
        issue(
            "database.pxc.nodes",
            pxc.nodes.map((x) => x.name),
            `${n} Galera node(s): an even or smaller cluster loses quorum when half of it fails`,
            n < 3 ? "declare at least 3 nodes" : `declare ${n + 1} or ${n - 1} nodes (an odd count)`,
        ),
    ];
}

export function pxcOneBootstrapNode(t: Topology): ConfigIssue[] {
    const pxc = t.database.pxc;
    if (!pxc) return [];
    const boot = pxc.nodes.filter((x) => x.bootstrap).map((x) => x.name);
    if (boot.length === 1) return [];
    return [
        issue(
            "database.pxc.nodes",
            boot,
            boot.length === 0 ? "no node has bootstrap: true" : `${boot.length} nodes have bootstrap: true (${boot.join(", ")}); two bootstraps make two clusters`,
            "set bootstrap: true on exactly one node",
        ),
    ];
}

export function sstMethodMatchesFlavor(t: Topology): ConfigIssue[] {
    const pxc = t.database.pxc;
    if (!pxc) return [];
    if (pxc.flavor === "mariadb" && pxc.sstMethod === "xtrabackup-v2") {
        return [issue("database.pxc.sstMethod", pxc.sstMethod, "MariaDB Galera has no xtrabackup-v2 SST", "use mariabackup (or rsync)")];
    }
    if (pxc.flavor !== "mariadb" && pxc.sstMethod === "mariabackup") {
        return [issue("database.pxc.sstMethod", pxc.sstMethod, `Percona XtraDB Cluster (${pxc.flavor}) has no mariabackup SST`, "use xtrabackup-v2")];
    }
    if (pxc.flavor === "pxc80" && pxc.sstMethod !== "xtrabackup-v2") {
        return [issue("database.pxc.sstMethod", pxc.sstMethod, "PXC 8.0 supports only xtrabackup-v2", "use xtrabackup-v2")];
    }
    return [];
}

export function dualMasterPair(t: Topology): ConfigIssue[] {
    const dm = t.database.dualMaster;
    if (!dm) return [];
    const out: ConfigIssue[] = [];
    if (dm.servers.length !== 2) {
        out.push(issue("database.dualMaster.servers", dm.servers.map((s) => s.name), `${dm.servers.length} server(s); dual-master replication needs exactly two`, "declare exactly two servers"));
    }
    for (const { value, index } of duplicatesOf(dm.servers.map((s) => s.serverId))) {
        out.push(issue(`database.dualMaster.servers[${index}].serverId`, value, "server_id is shared with the other master; replication would skip its events", "give each server a distinct serverId"));
    }
    for (const { value, index } of duplicatesOf(dm.servers.map((s) => s.autoIncrementOffset))) {
        out.push(issue(`database.dualMaster.servers[${index}].autoIncrementOffset`, value, "auto_increment_offset is shared; both masters would generate the same keys", "give each server a distinct autoIncrementOffset (1 and 2)"));
    }
    dm.servers.forEach((s, i) => {
        if (s.autoIncrementOffset > dm.autoIncrementIncrement) {
            out.push(issue(`database.dualMaster.servers[${i}].autoIncrementOffset`, s.autoIncrementOffset, `larger than autoIncrementIncrement ${dm.autoIncrementIncrement}; MySQL ignores such an offset`, `use an offset between 1 and ${dm.autoIncrementIncrement}`));
        }
    });
    if (dm.flavor === "mariadb") {
        const domains = dm.servers.map((s) => s.gtidDomainId ?? s.serverId);
        for (const { value, index } of duplicatesOf(domains)) {
            out.push(issue(`database.dualMaster.servers[${index}].gtidDomainId`, value, "gtid_domain_id is shared; MariaDB multi-master GTID needs one domain per writer", "give each server its own gtidDomainId"));
        }
    }
    if (!dm.gtid && dm.flavor !== "mariadb") {
        out.push(issue("database.dualMaster.gtid", false, "the replication setup uses GTID auto-positioning; file/position replication is not supported", "set gtid: true"));
    }
    return out;
}

/**
 * A host that runs half of the Galera nodes or more takes quorum with it when it goes down: the
 * rest are no majority and stop taking writes. A warning, not an error: with two hosts it cannot
 * be helped (add a host or an arbitrator), and the cluster still survives any one node.
 */
export function galeraNodesSpreadOverHosts(t: Topology): ConfigIssue[] {
    const pxc = t.database.pxc;
    if (!pxc || t.hosts.length < 2 || pxc.nodes.length < 2) return [];
    const count = new Map<string, number>();
    for (const n of pxc.nodes) count.set(n.host, (count.get(n.host) ?? 0) + 1);
    const n = pxc.nodes.length;
    const crowded = [...count.entries()].filter(([, c]) => 2 * c >= n);
    return crowded.map(([host, c]) =>
        warning(
            "database.pxc.nodes",
            Object.fromEntries(count),
            `${c} of the ${n} Galera nodes run on host ${host}: when it goes down the remaining nodes are no majority and the cluster stops taking writes`,
            `place the nodes so that every host runs fewer than half of them (e.g. one node on each of ${n} hosts), or add a host`,
        ),
    );
}
