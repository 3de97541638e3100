// Rules about the HAProxy group: what it balances and where it listens.
import { Topology } from "../schema";
import { haproxyListeners } from "../derive";
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
    const ports = [...listeners.map((l) => l.port), t.haproxy.stats.port];
    return duplicatesOf(ports).map(({ value, index }) =>
        issue(index < listeners.length ? `haproxy.listeners[${index}].port` : "haproxy.stats.port", value, `port ${value} is bound twice inside the HAProxy containers`, "give every listener and the stats page its own port"),
    );
}

export function checkTimingsSane(t: Topology): ConfigIssue[] {
    const ha = t.haproxy;
    if (!ha) return [];
    if (ha.timeouts.checkMs <= ha.check.interMs * 4) return [];
    return [issue("haproxy.timeouts.checkMs", ha.timeouts.checkMs, `a check may hang ${ha.timeouts.checkMs} ms, far longer than the ${ha.check.interMs} ms interval; dead servers are found late`, `use a check timeout at most 4 x interMs (${ha.check.interMs * 4} ms)`)];
}

export function clustercheckNeedsGalera(t: Topology): ConfigIssue[] {
    const ha = t.haproxy;
    if (!ha || ha.check.kind !== "clustercheck" || t.database.pxc) return [];
    if (!haproxyListeners(t).some((l) => l.backend === "dualMaster")) return [];
    return [issue("haproxy.check.kind", "clustercheck", "clustercheck reports Galera state; without database.pxc there is no service on its port", "use mysql-check or tcp for the dual-master listener")];
}
