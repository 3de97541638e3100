// A multi-threaded OLTP load through a SQL endpoint: each thread runs read-write transactions
// that touch a small set of shared rows, so two writers on different Galera nodes would collide
// in certification (a deadlock error at commit). Bounded by duration; every connection is closed.
import * as mysql from "mysql2/promise";
import { SqlEndpoint, sqlEndpoints } from "../../model/endpoints";
import { connectApp } from "./checks";
import { LabStack } from "./lab-stack";

export interface OltpResult {
    readonly endpoint: string;
    readonly threads: number;
    readonly seconds: number;
    readonly transactions: number;
    readonly tps: number;
    readonly failed: number;
    /** Failures with a deadlock error (1213): Galera's certification conflicts between writers. */
    readonly conflicts: number;
    /** The nodes that served the connections, by @@hostname. */
    readonly servedBy: Record<string, number>;
    readonly p50Ms: number;
    readonly p99Ms: number;
}

/** The Galera write and read endpoints of the first VIP in front of HAProxy. */
export function galeraEndpoints(lab: LabStack): { write?: SqlEndpoint; read?: SqlEndpoint } {
    const first = lab.topology.keepalived.instances.find((i) => i.fronts === "haproxy")?.name;
    const pxc = sqlEndpoints(lab.topology).filter((e) => e.backend === "pxc" && e.instance === first);
    return { write: pxc.find((e) => e.role === "write"), read: pxc.find((e) => e.role === "read") };
}

const TABLE = "oltp_shared";
const ROWS = 16;

const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : -1);

export async function oltpLoad(lab: LabStack, e: SqlEndpoint, threads: number, seconds: number): Promise<OltpResult> {
    const setup = await connectApp(lab, e);
    try {
        await setup.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (id INT PRIMARY KEY, v BIGINT NOT NULL, note VARCHAR(32))`);
        await setup.query(`INSERT IGNORE INTO ${TABLE} (id, v) VALUES ${Array.from({ length: ROWS }, (_, i) => `(${i}, 0)`).join(",")}`);
    } finally {
        await setup.end();
    }
    const deadline = Date.now() + seconds * 1000;
    let transactions = 0;
    let failed = 0;
    let conflicts = 0;
    const latencies: number[] = [];
    const servedBy: Record<string, number> = {};
    const worker = async (n: number) => {
        let conn: mysql.Connection | undefined;
        while (Date.now() < deadline) {
            try {
                if (!conn) {
                    conn = await connectApp(lab, e);
                    const [rows] = await conn.query("SELECT @@hostname AS h");
                    const h = (rows as Array<{ h: string }>)[0].h;
                    servedBy[h] = (servedBy[h] ?? 0) + 1;
                }
                const a = Math.floor(Math.random() * ROWS);
                const b = (a + 1 + Math.floor(Math.random() * (ROWS - 1))) % ROWS;
                const t0 = Date.now();
                await conn.query("BEGIN");
                await conn.query(`SELECT v FROM ${TABLE} WHERE id IN (?, ?) FOR UPDATE`, [a, b]);
                await conn.query(`UPDATE ${TABLE} SET v = v + 1, note = ? WHERE id = ?`, [`t${n}`, a]);
                await conn.query(`UPDATE ${TABLE} SET v = v - 1, note = ? WHERE id = ?`, [`t${n}`, b]);
                await conn.query("COMMIT");
                latencies.push(Date.now() - t0);
                transactions++;
            } catch (err) {
                failed++;
                if ((err as { errno?: number }).errno === 1213) conflicts++;
                try {
                    await conn?.query("ROLLBACK");
                } catch {
                    await conn?.end().catch(() => undefined);
                    conn = undefined;
                }
            }
        }
        await conn?.end().catch(() => undefined);
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: threads }, (_, i) => worker(i)));
    const elapsed = (Date.now() - started) / 1000;
    return {
        endpoint: `${e.label} ${e.address}:${e.port}`,
        threads,
        seconds: Math.round(elapsed),
        transactions,
        tps: Math.round((transactions / elapsed) * 10) / 10,
        failed,
        conflicts,
        servedBy,
        p50Ms: pct(latencies, 50),
        p99Ms: pct(latencies, 99),
    };
}

/** How new connections to an endpoint spread over the nodes behind it. */
export async function connectionSpread(lab: LabStack, e: SqlEndpoint, connections: number): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (let i = 0; i < connections; i++) {
        const conn = await connectApp(lab, e);
        try {
            const [rows] = await conn.query("SELECT @@hostname AS h");
            const h = (rows as Array<{ h: string }>)[0].h;
            out[h] = (out[h] ?? 0) + 1;
        } finally {
            await conn.end();
        }
    }
    return out;
}
