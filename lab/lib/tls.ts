// The lab as a TLS client of the stack: the CA its clients verify the servers with, and the
// verify check that every channel the stack encrypts is encrypted.
import * as mysql from "mysql2/promise";
import { tlsRequired } from "../../model/tls";
import { sqlEndpoints } from "../../model/endpoints";
import { databaseServers } from "../../model/derive";
import { LabStack } from "./lab-stack";
import { containerSql } from "./exec";
import { appOf } from "./accounts";

/**
 * The stack CA's certificate, read from the first server's TLS directory on its lab host (where
 * the stack wrote it, under the host's /etc/ha-mysql); undefined without tls.enabled. Read on
 * every call: a destroy and a new `up` make a new CA.
 */
export function stackCa(lab: LabStack): string | undefined {
    if (!lab.topology.tls.enabled) return undefined;
    const s = databaseServers(lab.topology)[0];
    if (!s) return undefined;
    return lab.readHostFile(s.host, `/etc/ha-mysql/tls/${s.name}/ca.pem`);
}

/** mysql2's TLS options: verify the server's certificate and that it names the address dialled. */
export function clientTls(ca: string | undefined): mysql.ConnectionOptions["ssl"] {
    return ca ? { ca, rejectUnauthorized: true } : undefined;
}

/** A plaintext login refused, as MySQL and MariaDB refuse an account that REQUIRE SSL. */
async function plaintextRefused(lab: LabStack, e: ReturnType<typeof sqlEndpoints>[number]): Promise<string | undefined> {
    const app = appOf(lab, e.backend);
    if (!app) return undefined;
    try {
        const c = await mysql.createConnection({ host: e.address, port: e.port, user: app.user, password: lab.secret(app.passwordSecret), database: app.database, connectTimeout: 5000 });
        await c.end();
        return `a plaintext login as ${app.user} via ${e.address}:${e.port} was accepted`;
    } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === "ER_ACCESS_DENIED_ERROR") return undefined;
        return `a plaintext login as ${app.user} via ${e.address}:${e.port} failed otherwise than by refusal: ${err instanceof Error ? err.message : String(err)}`;
    }
}

/**
 * Every channel the stack encrypts, proved from what the servers report:
 *   - each SQL endpoint: a session through the VIP verifies the server's certificate against
 *     the stack CA (for that address) and reports its Ssl_cipher; without TLS the account is refused;
 *   - Galera: each node's provider options in force name the stack's files for its socket;
 *   - SST: each joiner's log says its transfer ran through socat with OpenSSL;
 *   - dual-master: each replica connects with TLS and verifies its source's certificate, as
 *     an account that REQUIRE SSL (so it cannot fall back to plaintext).
 */
export async function tlsChannels(lab: LabStack, connect: (e: ReturnType<typeof sqlEndpoints>[number]) => Promise<mysql.Connection>): Promise<string> {
    const t = lab.topology;
    if (!t.tls.enabled) return "skipped: tls.enabled is false";
    const bad: string[] = [];
    const seen: string[] = [];
    for (const e of sqlEndpoints(t).filter((x) => x.backend === "pxc" || x.backend === "dualMaster")) {
        if (!appOf(lab, e.backend)) continue;
        const c = await connect(e);
        try {
            const [rows] = await c.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
            const cipher = (rows as Array<{ Value: string }>)[0]?.Value ?? "";
            if (cipher) seen.push(`${e.address}:${e.port} ${cipher}`);
            else bad.push(`session via ${e.address}:${e.port} is not encrypted`);
        } finally {
            await c.end();
        }
        if (tlsRequired(t)) {
            const p = await plaintextRefused(lab, e);
            if (p) bad.push(p);
        }
    }
    const pxc = t.database.pxc;
    if (pxc) {
        for (const n of pxc.nodes) {
            const r = containerSql(lab.docker(n.host), n.name, "SELECT @@wsrep_provider_options");
            if (pxc.flavor === "mariadb" && !/socket\.ssl_cert = \/etc\/mysql\/ha-tls\/server-cert\.pem/.test(r.stdout)) bad.push(`${n.name}: Galera's socket runs without the stack's certificate`);
        }
        seen.push(`Galera socket TLS on ${pxc.nodes.map((n) => n.name).join(", ")}`);
        // Every run of the SST script (donor or joiner) logs how it streams; with TLS, through socat's OpenSSL.
        const transfers: string[] = [];
        for (const n of pxc.nodes) {
            const log = lab.docker(n.host)(["logs", n.name]);
            const text = log.stdout + log.stderr;
            const runs = (text.match(/Running: 'wsrep_sst_\w+ --role/g) ?? []).length;
            const encrypted = (text.match(/Using openssl based encryption with socat/g) ?? []).length;
            if (encrypted < runs) bad.push(`${n.name}: ${runs - encrypted} of ${runs} SST runs without socat's OpenSSL`);
            else if (runs > 0) transfers.push(`${n.name} ${runs}`);
        }
        seen.push(transfers.length ? `SST runs over TLS: ${transfers.join(", ")}` : "no SST ran yet");
    }
    const dm = t.database.dualMaster;
    if (dm) {
        for (const s of dm.servers) {
            const r = containerSql(lab.docker(s.host), s.name, "SHOW SLAVE STATUS\\G", { columnNames: true });
            const field = (k: string) => new RegExp(`^\\s*${k}: (.*)$`, "m").exec(r.stdout)?.[1]?.trim();
            const ssl = [field("Master_SSL_Allowed"), field("Master_SSL_Verify_Server_Cert"), field("Slave_IO_Running")];
            if (ssl.join(" ") !== "Yes Yes Yes") bad.push(`${s.name}: replica TLS ${ssl.join("/")} (want Yes/Yes/Yes for SSL allowed, verify server cert, IO running)`);
            const u = containerSql(lab.docker(s.host), s.name, `SELECT DISTINCT ssl_type FROM mysql.user WHERE user = '${dm.replication.user}'`);
            if (u.stdout.trim() !== "ANY") bad.push(`${s.name}: replication user ${dm.replication.user} has ssl_type '${u.stdout.trim()}', want ANY (REQUIRE SSL)`);
        }
        seen.push(`replicas on ${dm.servers.map((s) => s.name).join(", ")} over verified TLS`);
    }
    if (bad.length) throw new Error(bad.join("; "));
    return seen.join("; ");
}
