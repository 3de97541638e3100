// The soak: the OLTP load through the Galera write endpoint for a while with no fault injected,
// and every sign that a failure detector fired anyway (a false positive): a Galera view change
// (an eviction or a node leaving shows up as a new wsrep_cluster_conf_id), a non-primary view in
// a node's log, a VIP that changed holder, an HAProxy server marked DOWN. Galera and HAProxy are
// judged from their own counters and logs afterwards, so the sampling that runs during the load
// is only the VIP holders' (a few `ip addr` calls every few seconds).
import { placementOf } from "../../model/derive";
import { vipHolders } from "../lib/checks";
import { containerLogLines, containerSql, sleep } from "../lib/exec";
import { LabStack } from "../lib/lab-stack";
import { haproxyEvents } from "./haproxy-events";
import { galeraEndpoints, oltpLoad } from "../lib/oltp";

export interface SoakResult {
    readonly minutes: number;
    readonly threads: number;
    readonly endpoint: string;
    readonly sampleS: number;
    readonly transactions: number;
    readonly failed: number;
    /** wsrep_cluster_conf_id steps over the soak, the most any node saw. */
    readonly evictions: number;
    /** Lines of a non-primary view in the Galera nodes' logs. */
    readonly nonPrimaryViews: number;
    /** Holder changes seen by the sampling, over every VIP. */
    readonly vipMoves: number;
    /** Servers marked DOWN in the HAProxy nodes' logs (one per event, not per log line). */
    readonly haproxyDown: number;
    /** What fired without a fault, one line each; empty: none. */
    readonly falsePositives: string[];
}

const SAMPLE_S = 5;

function confIds(lab: LabStack): Map<string, number> {
    const out = new Map<string, number>();
    for (const n of lab.topology.database.pxc?.nodes ?? []) {
        const r = containerSql(lab.docker(n.host), n.name, "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_conf_id'", { timeoutMs: 10_000 });
        const v = Number(r.stdout.trim().split("\t")[1]);
        if (r.code === 0 && Number.isFinite(v)) out.set(n.name, v);
    }
    return out;
}

function logLines(
    lab: LabStack,
    containers: ReadonlyArray<{ name: string; host: string }>,
    since: number,
    pattern: RegExp,
    events: (lines: string[]) => string[] = (l) => l,
): string[] {
    return containers.flatMap((c) =>
        events(containerLogLines(lab.docker(c.host), c.name, since).filter((l) => pattern.test(l))).map((l) => `${c.name}: ${l.trim().slice(0, 160)}`),
    );
}

export async function soak(lab: LabStack, minutes: number, threads: number, log: (l: string) => void): Promise<SoakResult> {
    const { write } = galeraEndpoints(lab);
    if (!write) throw new Error("the soak needs a Galera write endpoint");
    const instances = lab.topology.keepalived.instances;
    const holdersNow = () => instances.map((i) => vipHolders(lab, i).join(","));
    const started = Date.now();
    const confBefore = confIds(lab);
    let holders = holdersNow();
    const moves: string[] = [];
    log(`soak: ${minutes} min of OLTP (${threads} threads) through ${write.label}, no fault; holders ${instances.map((i, k) => `${i.name}=${holders[k] || "none"}`).join(" ")}`);
    const load = oltpLoad(lab, write, threads, minutes * 60);
    let done = false;
    void load.finally(() => (done = true));
    const deadline = started + minutes * 60_000 + 60_000;
    let lastReport = started;
    while (!done && Date.now() < deadline) {
        await sleep(SAMPLE_S * 1000);
        const now = holdersNow();
        now.forEach((h, k) => {
            if (h !== holders[k]) moves.push(`${instances[k].name} (${placementOf(instances[k])}) moved from ${holders[k] || "none"} to ${h || "none"} after ${Math.round((Date.now() - started) / 1000)} s`);
        });
        holders = now;
        if (Date.now() - lastReport >= 60_000) {
            lastReport = Date.now();
            log(`soak: ${Math.round((Date.now() - started) / 60_000)} of ${minutes} min, ${moves.length} VIP moves so far`);
        }
    }
    const oltp = await load;
    const confAfter = confIds(lab);
    const steps = [...confAfter].map(([node, id]) => id - (confBefore.get(node) ?? id));
    const evictions = Math.max(0, ...steps);
    const nonPrimary = logLines(lab, lab.topology.database.pxc?.nodes ?? [], started, /NON_PRIM|non-Primary/);
    const down = logLines(lab, lab.topology.haproxy?.nodes ?? [], started, / is DOWN/, haproxyEvents);
    const falsePositives = [
        ...(evictions > 0 ? [`${evictions} Galera view changes (wsrep_cluster_conf_id ${JSON.stringify(Object.fromEntries(confBefore))} -> ${JSON.stringify(Object.fromEntries(confAfter))})`] : []),
        ...nonPrimary.slice(0, 3).map((l) => `non-primary view: ${l}`),
        ...moves,
        ...down.slice(0, 5).map((l) => `HAProxy: ${l}`),
    ];
    const result: SoakResult = {
        minutes,
        threads,
        endpoint: oltp.endpoint,
        sampleS: SAMPLE_S,
        transactions: oltp.transactions,
        failed: oltp.failed,
        evictions,
        nonPrimaryViews: nonPrimary.length,
        vipMoves: moves.length,
        haproxyDown: down.length,
        falsePositives,
    };
    log(`soak: ${oltp.transactions} transactions, ${oltp.failed} failed, ${evictions} view changes, ${nonPrimary.length} non-primary lines, ${moves.length} VIP moves, ${down.length} HAProxy DOWN lines`);
    return result;
}
