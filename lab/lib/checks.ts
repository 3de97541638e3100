// The lab's verification: what "the topology works" means, checked from outside the hosts
// (the root namespace plays a LAN client) and inside the containers.
import { randomBytes } from "crypto";
import * as mysql from "mysql2/promise";
import * as path from "path";
import { VrrpInstance } from "../../model/schema";
import { databaseServers, vrrpMembers } from "../../model/derive";
import { sqlEndpoints, SqlEndpoint, statsEndpoints } from "../../model/endpoints";
import { describeMembership, membership, waitClusterWhole } from "./galera";
import { containerSql, eventually } from "./exec";
import { httpGet } from "./http";
import { LAB_DIR, LabStack } from "./lab-stack";
import { gatherPlaces, gatherVmPlaces, generatedSecrets, leaks, readableSecretFiles } from "./secret-leaks";
import { appOf, backendNodes } from "./accounts";
import { clientTls, stackCa, tlsChannels } from "./tls";

export { appOf, backendNodes } from "./accounts";

export interface CheckResult {
    readonly name: string;
    readonly ok: boolean;
    readonly ms: number;
    readonly detail: string;
}

export type Check = { name: string; run: () => Promise<string> };

/** Members of a VRRP instance that have its VIP on an interface right now. */
export function vipHolders(lab: LabStack, inst: VrrpInstance): string[] {
    return vrrpMembers(lab.topology, inst)
        .filter((m) => {
            const out =
                inst.level === "host"
                    ? lab.onHost(m.host, ["ip", "-4", "-o", "addr", "show"])
                    : lab.docker(m.host)(["exec", m.name, "ip", "-4", "-o", "addr", "show"]);
            // An LVS-DR real server carries the VIP on lo without holding it.
            return out.code === 0 && out.stdout.split("\n").some((l) => l.includes(` ${inst.vip}/`) && l.split(/\s+/)[1] !== "lo");
        })
        .map((m) => m.name);
}

export async function connectApp(lab: LabStack, e: SqlEndpoint, connectTimeout = 5000): Promise<mysql.Connection> {
    const app = appOf(lab, e.backend);
    if (!app) throw new Error(`no app account for backend ${e.backend}: set database.${e.backend}.app`);
    return mysql.createConnection({ host: e.address, port: e.port, user: app.user, password: lab.secret(app.passwordSecret), database: app.database, connectTimeout, ssl: clientTls(stackCa(lab)) });
}

const CHECK_TABLE = "lab_check";

async function writeAndReadEverywhere(lab: LabStack, e: SqlEndpoint): Promise<string> {
    const app = appOf(lab, e.backend);
    if (!app) return "skipped: no app account configured";
    const token = randomBytes(8).toString("hex");
    const conn = await connectApp(lab, e);
    let servedBy: string;
    try {
        await conn.query(`CREATE TABLE IF NOT EXISTS ${CHECK_TABLE} (token CHAR(16) PRIMARY KEY, at TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP(3))`);
        await conn.query(`INSERT INTO ${CHECK_TABLE} (token) VALUES (?)`, [token]);
        const [rows] = await conn.query("SELECT @@hostname AS h");
        servedBy = (rows as Array<{ h: string }>)[0].h;
    } finally {
        await conn.end();
    }
    const missing: string[] = [];
    for (const node of backendNodes(lab, e.backend)) {
        const seen = await eventually(() => {
            const r = containerSql(lab.docker(node.host), node.name, `SELECT COUNT(*) FROM \`${app.database}\`.${CHECK_TABLE} WHERE token='${token}'`);
            return r.code === 0 && r.stdout.trim() === "1";
        }, 15_000);
        if (!seen) missing.push(node.name);
    }
    if (missing.length) throw new Error(`row ${token} written via ${e.address}:${e.port} (served by ${servedBy}) is missing on ${missing.join(", ")}`);
    return `wrote ${token} via ${e.address}:${e.port} (served by ${servedBy}); read back on ${backendNodes(lab, e.backend).map((n) => n.name).join(", ")}`;
}

function replicationThreads(lab: LabStack): string {
    const dm = lab.topology.database.dualMaster;
    if (!dm) return "skipped: no dual-master";
    const bad: string[] = [];
    for (const s of dm.servers) {
        // Vertical output names each field (Slave_IO_Running: Yes), so keep column names.
        const r = containerSql(lab.docker(s.host), s.name, "SHOW REPLICA STATUS\\G", { columnNames: true });
        const running = (r.stdout.match(/_Running: Yes/g) ?? []).length;
        if (r.code !== 0 || running !== 2) bad.push(`${s.name} (${running}/2 threads running${r.code !== 0 ? `; ${r.stderr.trim()}` : ""})`);
    }
    if (bad.length) throw new Error(`replication not running on ${bad.join(", ")}`);
    return `IO and SQL threads running on ${dm.servers.map((s) => s.name).join(", ")}`;
}

async function statsPage(lab: LabStack, url: string): Promise<string> {
    const ha = lab.topology.haproxy;
    if (!ha) return "skipped: no haproxy";
    const auth = { user: ha.stats.user, password: lab.secret(ha.stats.passwordSecret) };
    // Right after `up` HAProxy may still be taking its final reload: retry briefly on errors.
    let anon = { status: 0, body: "" };
    let lastError = "";
    await eventually(async () => {
        try {
            anon = await httpGet(url);
            return true;
        } catch (err) {
            lastError = err instanceof Error ? err.message : String(err);
            return false;
        }
    }, 10_000, 500);
    if (anon.status === 0) throw new Error(`${url}: ${lastError}`);
    if (anon.status !== 401) throw new Error(`${url} without credentials answered ${anon.status}, expected 401`);
    const ok = await httpGet(url, auth);
    if (ok.status !== 200 || !ok.body.includes("Statistics Report")) throw new Error(`${url} with credentials answered ${ok.status}`);
    const csv = await httpGet(`${url};csv`, auth);
    const down = csv.body
        .split("\n")
        .map((l) => l.split(","))
        .filter((f) => f.length > 17 && !["FRONTEND", "BACKEND", "svname"].includes(f[1]) && !f[0].startsWith("#") && f[17] !== "UP" && f[0] !== "stats")
        .map((f) => `${f[0]}/${f[1]} ${f[17]}`);
    if (down.length) throw new Error(`HAProxy servers not UP: ${down.join(", ")}`);
    return `401 without credentials, 200 with; every backend server UP`;
}

export function labChecks(lab: LabStack): Check[] {
    const t = lab.topology;
    const checks: Check[] = [];
    for (const inst of t.keepalived.instances) {
        checks.push({
            name: `one holder of ${inst.name} ${inst.vip}`,
            run: async () => {
                let holders: string[] = [];
                // keepalived may still be settling right after `pulumi up`: give it a few adverts.
                const single = await eventually(() => (holders = vipHolders(lab, inst)).length === 1, 10_000);
                if (!single) throw new Error(`held by ${holders.length ? holders.join(", ") : "nobody"}`);
                return `held by ${holders[0]} (${inst.level} level)`;
            },
        });
    }
    if (t.database.pxc) {
        checks.push({
            name: `Galera: ${t.database.pxc.nodes.length} nodes Synced in one Primary component, held 5 s`,
            run: async () => {
                await waitClusterWhole(lab, 60_000);
                return describeMembership(membership(lab));
            },
        });
    }
    for (const e of sqlEndpoints(t)) checks.push({ name: `SQL ${e.label} ${e.address}:${e.port}`, run: () => writeAndReadEverywhere(lab, e) });
    for (const e of sqlEndpoints(t).filter((x) => x.backend === "pxc")) checks.push({ name: `${e.instance} ${e.address}:${e.port} from every host and a container on each`, run: async () => reachableEverywhere(lab, e) });
    checks.push({ name: "dual-master replication threads", run: async () => replicationThreads(lab) });
    if (t.tls.enabled) checks.push({ name: "TLS on client sessions (certificate verified), Galera's socket, SST and dual-master replication", run: () => tlsChannels(lab, (e) => connectApp(lab, e)) });
    for (const s of statsEndpoints(t)) checks.push({ name: `stats page ${s.url}`, run: () => statsPage(lab, s.url) });
    checks.push({
        name: "no generated secret in docker inspect, ps, process environments, logs, the Pulumi state or a host file others may read",
        run: async () => {
            const secrets = generatedSecrets();
            if (lab.kind === "vm") {
                const places = gatherVmPlaces(lab);
                const found = leaks(secrets, places);
                if (found.length) throw new Error(`found ${found.join("; ")}`);
                return `${Object.keys(secrets).length} secrets, none in ${places.length} places on the VMs`;
            }
            const places = gatherPlaces(lab);
            const hostDirs = lab.topology.hosts.map((h) => path.join(LAB_DIR, h.name, "fs"));
            const found = [...leaks(secrets, places), ...readableSecretFiles(secrets, hostDirs)];
            if (found.length) throw new Error(`found ${found.join("; ")}`);
            return `${Object.keys(secrets).length} secrets, none in ${places.length} places nor in a host file others may read`;
        },
    });
    return checks;
}

// Reads the server greeting through the VIP: HAProxy answered and forwarded to a database.
export const GREETING = 'exec 3<>"/dev/tcp/$0/$1" && timeout 2 dd bs=256 count=1 status=none <&3 | tr -dc "[:alnum:].-"';
/** The greeting carries the server version ("5.5.5-10.11.19-MariaDB..."). */
export const greets = (out: string) => /\d+\.\d+\.\d+/.test(out);

/**
 * The VIP from inside every simulated host and from a database container on every host: the
 * clients the tutorials' overlay VIP failed (only the holder's own host reached it).
 */
function reachableEverywhere(lab: LabStack, e: SqlEndpoint): string {
    const failed: string[] = [];
    const seen: string[] = [];
    for (const h of lab.topology.hosts) {
        const r = lab.onHost(h.name, ["timeout", "5", "bash", "-c", GREETING, e.address, String(e.port)]);
        (r.code === 0 && greets(r.stdout) ? seen : failed).push(`host ${h.name}`);
    }
    const dbs = databaseServers(lab.topology);
    for (const h of lab.topology.hosts) {
        const c = dbs.find((n) => n.host === h.name);
        if (!c) continue;
        const r = lab.docker(h.name)(["exec", c.name, "timeout", "5", "bash", "-c", GREETING, e.address, String(e.port)]);
        (r.code === 0 && greets(r.stdout) ? seen : failed).push(`container ${c.name} on ${h.name}`);
    }
    if (failed.length) throw new Error(`no greeting through ${e.address}:${e.port} from ${failed.join(", ")} (reached from ${seen.join(", ") || "nowhere"})`);
    return `greeted from ${seen.join(", ")}`;
}

export async function runChecks(checks: Check[], log: (line: string) => void): Promise<CheckResult[]> {
    const results: CheckResult[] = [];
    for (const c of checks) {
        const started = Date.now();
        let r: CheckResult;
        try {
            r = { name: c.name, ok: true, ms: Date.now() - started, detail: await c.run() };
        } catch (err) {
            r = { name: c.name, ok: false, ms: Date.now() - started, detail: err instanceof Error ? err.message : String(err) };
        }
        r = { ...r, ms: Date.now() - started };
        log(`${r.ok ? "PASS" : "FAIL"} ${r.name} (${(r.ms / 1000).toFixed(1)} s): ${r.detail}`);
        results.push(r);
    }
    return results;
}
