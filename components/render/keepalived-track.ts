// What a holder's vrrp_script checks: the thing the VIP fronts, as seen from where
// keepalived runs. A holder whose check fails gives the VIP up (weight 0: FAULT).
import { Topology, VrrpInstance } from "../../model/schema";
import { haproxyListeners } from "../../model/derive";
import { KeepalivedScript, scriptPath } from "./keepalived-scripts";

export interface TrackCheck {
    readonly script: KeepalivedScript;
    readonly args: string[];
    /** Seconds keepalived waits before it counts the check as failed. */
    readonly timeoutS: number;
    /** One line for the config comment: why this check. */
    readonly why: string;
}

const LOCAL = "127.0.0.1";

// HAProxy answers its stats port itself. A check on a SQL listener makes HAProxy open a
// backend connection and drop it mid-handshake: MySQL counts each as a connect error and,
// after max_connect_errors, blocks the HAProxy's address for every client (measured: pn1
// refused both HAProxy containers about two minutes after up).
const STATS_WHY = "HAProxy answers on its stats port (a SQL port would cost the backends a half-open connection per check)";

function tcp(mode: "all" | "any", targets: string[], why: string): TrackCheck | undefined {
    if (targets.length === 0) return undefined;
    // Each target gets at most 1 s (check-tcp.sh); "all" probes in turn and stops at the first
    // failure, "any" probes all at once.
    return { script: "check-tcp.sh", args: [mode, ...targets], timeoutS: Math.min(targets.length + 1, 30), why };
}

function uniq(values: string[]): string[] {
    return [...new Set(values)];
}

/** Inside the container keepalived shares the network namespace with the service. */
function containerCheck(t: Topology, inst: VrrpInstance): TrackCheck | undefined {
    switch (inst.fronts) {
        case "haproxy": {
            const stats = t.haproxy?.stats.port;
            return stats === undefined ? undefined : tcp("all", [`${LOCAL}:${stats}`], STATS_WHY);
        }
        case "mycat": {
            const status = t.mycat?.ports.status;
            if (status === undefined) return undefined;
            return { script: "check-http.sh", args: [LOCAL, String(status)], timeoutS: 3, why: "MyCat's status service answers 200 (MyCat itself is up)" };
        }
        case "dualMaster": {
            const port = t.database.dualMaster?.port;
            return port === undefined ? undefined : tcp("all", [`${LOCAL}:${port}`], "mysqld in this container accepts connections");
        }
    }
}

/**
 * Host ports the fronted containers publish (what clients of the VIP reach). Checked on
 * every holder, also one that runs none of those containers: there the check fails and
 * the host stays in FAULT, which is the truth (it cannot serve the VIP).
 */
function publishedTargets(t: Topology, inst: VrrpInstance): string[] {
    switch (inst.fronts) {
        case "haproxy": {
            const stats = t.haproxy?.stats.publishPort;
            if (stats !== undefined) return [`${LOCAL}:${stats}`];
            return uniq(haproxyListeners(t).flatMap((l) => (l.publishPort ? [`${LOCAL}:${l.publishPort}`] : [])));
        }
        case "mycat":
            return t.mycat?.publish ? [`${LOCAL}:${t.mycat.ports.server}`] : [];
        case "dualMaster": {
            const p = t.database.dualMaster?.publishPort;
            return p ? [`${LOCAL}:${p}`] : [];
        }
    }
}

function hostCheck(t: Topology, inst: VrrpInstance): TrackCheck | undefined {
    const f = inst.forwarding;
    if (f.kind !== "none") {
        // A director is useful while it reaches a real server; both directors see the
        // same servers, so "any" keeps the VIP unless this director is cut off.
        const targets = uniq(f.services.flatMap((s) => s.realServers.map((r) => `${r.address}:${r.port}`)));
        return tcp("any", targets, `this director reaches at least one ${f.kind} real server`);
    }
    const targets = publishedTargets(t, inst);
    const why = inst.fronts === "haproxy" && t.haproxy?.stats.publishPort !== undefined ? `${STATS_WHY}, published on this host` : `the ${inst.fronts} ports published on this host accept connections`;
    return tcp("all", targets, why);
}

/** The same on every holder of an instance, so that every holder judges by one measure. */
export function trackCheckFor(t: Topology, inst: VrrpInstance): TrackCheck | undefined {
    if (!inst.track.enabled) return undefined;
    return inst.level === "container" ? containerCheck(t, inst) : hostCheck(t, inst);
}

export function trackCommand(check: TrackCheck): string {
    return [scriptPath(check.script), ...check.args].join(" ");
}
