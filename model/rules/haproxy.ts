// Rules about the HAProxy group: what it balances and where it listens.
import { Topology } from "../schema";
import { haproxyListeners, pinsOneWriter } from "../derive";
import { ConfigIssue, issue } from "../issues";
import { duplicatesOf } from "./hosts";

export function listenersHaveBackends(t: Topology): ConfigIssue[] {
    if (!t.haproxy) return [];
    const present = { pxc: !!t.database.pxc, dualMaster: !!t.database.dualMaster, mycat: !!t.mycat };
    const where = { pxc: "database.pxc", dualMaster: "database.dualMaster", mycat: "mycat" };
    const out = haproxyListeners(t).flatMap((l, i) =>
        present[l.backend] ? [] : [issue(`haproxy.listeners[${i}].backend`, l.backend, `nothing to balance: ${where[l.backend]} is not configured`, `configure ${where[l.backend]} or remove this listener`)],
    );
    if (haproxyListeners(t).length === 0) {
        out.push(issue("haproxy", "(no listeners)", "HAProxy has nothing to balance", "configure database.pxc, database.dualMaster or mycat, or list haproxy.listeners"));
    }
    return out;
}

export function haproxyPortsDistinct(t: Topology): ConfigIssue[] {
    if (!t.haproxy) return [];
    const listeners = haproxyListeners(t);
    // The peers section, and so its port, exists only for listeners that pin one writer.
    const peers = listeners.some(pinsOneWriter) ? [t.haproxy.peerPort] : [];
    const ports = [...listeners.map((l) => l.port), t.haproxy.stats.port, ...peers];
    const pathOf = (index: number) => (index < listeners.length ? `haproxy.listeners[${index}].port` : index === listeners.length ? "haproxy.stats.port" : "haproxy.peerPort");
    return duplicatesOf(ports).map(({ value, index }) =>
        issue(pathOf(index), value, `port ${value} is bound twice inside the HAProxy containers`, "give every listener, the stats page and the peer port their own port"),
    );
}

/** Names become `listen` sections next to `listen stats`, and the labels of the stack's SQL endpoints. */
export function listenerNamesUnique(t: Topology): ConfigIssue[] {
    if (!t.haproxy) return [];
    const names = haproxyListeners(t).map((l) => l.name);
    const twice = duplicatesOf(names).map(({ value, index }) =>
        issue(`haproxy.listeners[${index}].name`, value, `listener name "${value}" is used twice`, "give every listener its own name"),
    );
    const stats = names.flatMap((n, i) => (n === "stats" ? [issue(`haproxy.listeners[${i}].name`, n, "the stats page is HAProxy's `listen stats` section already", "choose another listener name")] : []));
    return [...twice, ...stats];
}

/**
 * A read listener spreads connections over every node, which only a Galera cluster serves
 * consistently: the dual-master standby lags behind by asynchronous replication, and MyCat's
 * listener already balances over all of its nodes.
 */
export function readListenersOnGalera(t: Topology): ConfigIssue[] {
    if (!t.haproxy) return [];
    return haproxyListeners(t).flatMap((l, i) =>
        l.role === "read" && l.backend !== "pxc"
            ? [issue(`haproxy.listeners[${i}].role`, "read", `a read listener balances over every node of a Galera cluster; ${l.backend} ${l.backend === "dualMaster" ? "has one writer and a standby that lags behind it" : "nodes are balanced by their write listener already"}`, "remove role (a write listener), or use backend pxc")]
            : [],
    );
}

/**
 * Galera's writes go through one write listener: each pins its own writer, so two of them could
 * send writes to two nodes after a failover; and without one, writers would use a read listener.
 */
export function oneWriteListenerPerGroup(t: Topology): ConfigIssue[] {
    if (!t.haproxy) return [];
    const listeners = haproxyListeners(t);
    const out: ConfigIssue[] = [];
    for (const backend of ["pxc", "dualMaster"] as const) {
        const writers = listeners.map((l, i) => ({ l, i })).filter(({ l }) => l.backend === backend && pinsOneWriter(l));
        for (const { l, i } of writers.slice(1)) {
            out.push(issue(`haproxy.listeners[${i}].role`, l.role, `${backend} has a write listener already (${writers[0].l.name}); each one pins its own writer, so after a failover two servers could take writes`, "keep one write listener per group, or make this one role: read (pxc only)"));
        }
    }
    const pxcWriters = listeners.filter((l) => l.backend === "pxc" && pinsOneWriter(l));
    const firstReader = listeners.findIndex((l) => l.backend === "pxc" && l.role === "read");
    if (pxcWriters.length === 0 && firstReader >= 0) {
        out.push(issue(`haproxy.listeners[${firstReader}].role`, "read", "pxc has a read listener but no write listener: writers would spread over every Galera node and abort each other's transactions", "add a listener with backend pxc and role write (the default)"));
    }
    return out;
}

export function checkTimingsSane(t: Topology): ConfigIssue[] {
    const ha = t.haproxy;
    if (!ha) return [];
    const out: ConfigIssue[] = [];
    if (ha.timeouts.checkMs > ha.check.interMs * 4) {
        out.push(issue("haproxy.timeouts.checkMs", ha.timeouts.checkMs, `a check may hang ${ha.timeouts.checkMs} ms, far longer than the ${ha.check.interMs} ms interval; dead servers are found late`, `use a check timeout at most 4 x interMs (${ha.check.interMs * 4} ms)`));
    }
    if (ha.check.fastinterMs > ha.check.interMs) {
        out.push(issue("haproxy.check.fastinterMs", ha.check.fastinterMs, `the checks that confirm a failure would come later (${ha.check.fastinterMs} ms) than the regular ones (${ha.check.interMs} ms); a dead server is found late`, `use a fastinterMs at most interMs (${ha.check.interMs})`));
    }
    return out;
}

export function clustercheckNeedsGalera(t: Topology): ConfigIssue[] {
    const ha = t.haproxy;
    if (!ha || ha.check.kind !== "clustercheck" || t.database.pxc) return [];
    if (!haproxyListeners(t).some((l) => l.backend === "dualMaster")) return [];
    return [issue("haproxy.check.kind", "clustercheck", "clustercheck reports Galera state; without database.pxc there is no service on its port", "use mysql-check or tcp for the dual-master listener")];
}
