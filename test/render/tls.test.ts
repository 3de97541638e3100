// The stack's TLS as rendered: the certificate scripts run with the real openssl, and the
// option files, users and replication SQL on two real MariaDB servers replicating both ways
// over TLS that verifies the peer's certificate, with the application account refused
// without TLS. The servers sit on loopback (test/support/loopback-dual-master.ts); the only
// change to the rendered text is the TLS directory, one per server instead of the container's.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Topology } from "../../model/schema";
import { tlsSubjects } from "../../model/tls";
import { renderDualMasterCnf } from "../../components/render/mysql-cnf";
import { renderReplicationFiles } from "../../components/render/replication-sql";
import { ROOT_CLIENT_CNF } from "../../components/render/client-cnf";
import { caScript, renderDualMasterTlsCnf, serverCertScript, splitKeyAndCertificate, TLS_DIR, tlsFiles } from "../../components/render/tls";
import { applyReplication, loopbackDualMaster, DM2_IP, replicaStatus } from "../support/loopback-dual-master";
import { freePort, hasMariadb, MariadbServer, startMariadb, waitFor } from "../support/mariadb";
import { hasTool } from "../support/validators";

const sh = (script: string, input?: string) => spawnSync("sh", ["-c", script], { input, encoding: "utf8", timeout: 60_000 });
const openssl = (args: string[], input?: string) => spawnSync("openssl", args, { input, encoding: "utf8", timeout: 30_000 });

/** A script's stdout as the command providers keep it: without its last newline. */
function run(script: string, input?: string): string {
    const r = sh(script, input);
    if (r.status !== 0) throw new Error(`script failed (${r.status}): ${r.stderr}`);
    return r.stdout.replace(/\n$/, "");
}

const maybeOpenssl = hasTool("openssl") ? describe : describe.skip;

maybeOpenssl("the certificate scripts, with the real openssl", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tls-scripts-"));
    const subject = { name: "pn1", ips: ["172.18.0.2", "10.77.0.100"] };
    let ca = "";
    let server = "";

    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("makes a CA: a key and a self-signed CA certificate, and prints nothing else", () => {
        ca = run(caScript("ha-mysql test/dev CA", 3650));
        const { key, certificate } = splitKeyAndCertificate(ca, "ca");
        expect(key + certificate).toBe(`${ca}\n`);
        fs.writeFileSync(path.join(dir, "ca.pem"), certificate);
        const text = openssl(["x509", "-noout", "-text", "-in", path.join(dir, "ca.pem")]).stdout;
        expect(text).toContain("Subject: CN = ha-mysql test/dev CA");
        expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
        expect(text).toMatch(/Public-Key: \(2048 bit\)/);
    });

    it("signs a server certificate that verifies against the CA and names the node and its addresses", () => {
        server = run(serverCertScript(subject, 825), ca);
        const { key, certificate } = splitKeyAndCertificate(server, "pn1");
        fs.writeFileSync(path.join(dir, "server.pem"), certificate);
        fs.writeFileSync(path.join(dir, "server.key"), key, { mode: 0o600 });
        expect(openssl(["verify", "-CAfile", path.join(dir, "ca.pem"), path.join(dir, "server.pem")]).stdout.trim()).toBe(`${path.join(dir, "server.pem")}: OK`);
        const text = openssl(["x509", "-noout", "-text", "-in", path.join(dir, "server.pem")]).stdout;
        expect(text).toContain("Subject: CN = pn1");
        expect(text).toMatch(/DNS:pn1, IP Address:172\.18\.0\.2, IP Address:10\.77\.0\.100/);
        expect(text).toMatch(/TLS Web Server Authentication, TLS Web Client Authentication/);
        expect(text).toMatch(/CA:FALSE/);
        // The key is the certificate's.
        const fromCert = openssl(["x509", "-noout", "-pubkey", "-in", path.join(dir, "server.pem")]).stdout;
        const fromKey = openssl(["pkey", "-pubout", "-in", path.join(dir, "server.key")]).stdout;
        expect(fromKey).toBe(fromCert);
    });

    it("gives every run a new key and serial (a re-issued certificate is never a copy)", () => {
        const again = splitKeyAndCertificate(run(serverCertScript(subject, 825), ca), "pn1");
        expect(again.key).not.toBe(splitKeyAndCertificate(server, "pn1").key);
    });

    it("fails without a CA on stdin, printing nothing on stdout", () => {
        const r = sh(serverCertScript(subject, 825), "not a CA\n");
        expect([r.status, r.stdout]).toEqual([1, ""]);
        expect(r.stderr).toContain("stdin holds no CA key and certificate");
    });

    it("fails on a CA key that does not sign (a broken key), without printing the key it was given", () => {
        const { certificate, key } = splitKeyAndCertificate(ca, "ca");
        const broken = key.replace(/\n[A-Za-z0-9+/]{20}/, "\nAAAAAAAAAAAAAAAAAAAA");
        const r = sh(serverCertScript(subject, 825), broken + certificate);
        expect(r.status).not.toBe(0);
        expect(r.stdout).toBe("");
        const body = key.split("\n")[1];
        expect(`${r.stdout}${r.stderr}`).not.toContain(body);
    });

    it("refuses output without a key or a certificate, without quoting it", () => {
        expect(() => splitKeyAndCertificate("-----BEGIN PRIVATE KEY-----\nsecretbody\n", "pn1")).toThrow(/^pn1: the certificate step printed no private key and certificate$/);
    });
});

const maybe = hasMariadb() && hasTool("openssl") ? describe : describe.skip;
if (!hasMariadb()) console.warn("tls: mariadbd not found, the TLS replication test is SKIPPED");

interface Side {
    readonly name: string;
    readonly server: MariadbServer;
    readonly haDir: string;
}

/** The rendered text with the container's TLS directory replaced by this server's own. */
const localTls = (text: string, tlsDir: string) => text.split(TLS_DIR).join(tlsDir);

maybe("dual-master replication over verified TLS on two real MariaDB servers", () => {
    const sides: Side[] = [];
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "tls-dm-"));
    let t: Topology;
    let port: number;
    let secrets: Readonly<Record<string, string>>;
    let caPem = "";

    const status = replicaStatus;
    const apply = (side: Side) => applyReplication(side.name, side.haDir);

    /** The application account logging in over TCP: `tls` adds the client's TLS options. */
    function appLogin(side: Side, tls: string[]): { code: number; out: string } {
        const app = t.database.dualMaster?.app;
        if (!app) throw new Error("no app account");
        const cnf = path.join(work, `app-${side.name}.cnf`);
        fs.writeFileSync(cnf, `[client]\nuser=${app.user}\npassword=${secrets[app.passwordSecret]}\n`, { mode: 0o600 });
        const r = spawnSync("mariadb", [`--defaults-file=${cnf}`, "-h", side.server.bindAddress, "-P", String(port), "--batch", "--skip-column-names", ...tls, "-e", "SHOW SESSION STATUS LIKE 'Ssl_cipher'"], { encoding: "utf8", timeout: 15_000 });
        return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
    }

    beforeAll(async () => {
        port = await freePort();
        const loaded = loopbackDualMaster(port, { app: {}, replication: { connectRetryS: 1 } }, {}, {});
        t = loaded.topology;
        secrets = loaded.secrets;
        const dm = t.database.dualMaster;
        if (!dm) throw new Error("test topology has no dualMaster");
        const ca = run(caScript("ha-mysql test CA", 30));
        caPem = splitKeyAndCertificate(ca, "ca").certificate;
        for (const s of dm.servers) {
            const subject = tlsSubjects(t).find((x) => x.name === s.name);
            if (!subject) throw new Error(`no TLS subject for ${s.name}`);
            const tlsDir = path.join(work, `tls-${s.name}`);
            for (const f of tlsFiles(tlsDir, caPem, splitKeyAndCertificate(run(serverCertScript(subject, 30), ca), s.name))) {
                fs.mkdirSync(path.dirname(f.path), { recursive: true });
                fs.writeFileSync(f.path, f.content, { mode: parseInt(f.mode, 8) });
            }
            const cnfs = [renderDualMasterCnf(t, s.name), ...renderDualMasterTlsCnf(t)].map((f, i) => {
                const p = path.join(work, `${s.name}-${i}.cnf`);
                fs.writeFileSync(p, localTls(f.content, tlsDir));
                return p;
            });
            const server = await startMariadb({ name: s.name, bindAddress: s.ip, port, rootPassword: secrets[dm.rootPasswordSecret], includes: cnfs });
            const haDir = path.join(server.dir, "ha-mysql");
            fs.mkdirSync(haDir);
            for (const f of renderReplicationFiles(t, s.name, secrets)) {
                const extra = f.path === ROOT_CLIENT_CNF ? `socket = ${server.socket}\n` : "";
                fs.writeFileSync(path.join(haDir, path.basename(f.path)), localTls(f.content, tlsDir) + extra, { mode: parseInt(f.mode, 8) });
            }
            sides.push({ name: s.name, server, haDir });
        }
    }, 180_000);

    afterAll(async () => {
        await Promise.all(sides.map((s) => s.server.stop()));
        fs.rmSync(work, { recursive: true, force: true });
    }, 60_000);

    it("serves TLS with the stack's certificate", () => {
        for (const side of sides) expect(side.server.query("SELECT @@have_ssl")).toBe("YES");
    });

    it("brings both replicas up over TLS that verifies the source's certificate", async () => {
        for (const side of sides) expect(apply(side)).toMatch(/^replication changed: /m);
        const up = await waitFor(() => sides.every((s) => status(s.server).Slave_IO_Running === "Yes" && status(s.server).Slave_SQL_Running === "Yes"), 30_000);
        if (!up) throw new Error(`replicas not running: ${JSON.stringify(sides.map((s) => [s.name, status(s.server).Last_IO_Error]))}`);
        for (const side of sides) {
            const st = status(side.server);
            expect([side.name, st.Master_SSL_Allowed, st.Master_SSL_Verify_Server_Cert, st.Master_SSL_CA_File]).toEqual([side.name, "Yes", "Yes", path.join(work, `tls-${side.name}`, "ca.pem")]);
        }
    }, 90_000);

    it("makes the replication user and the application account REQUIRE SSL", () => {
        const [a] = sides;
        expect(a.server.query("SELECT GROUP_CONCAT(DISTINCT CONCAT(user, ':', ssl_type) ORDER BY user) FROM mysql.user WHERE user IN ('repl', 'app', 'hacheck')")).toBe("app:ANY,hacheck:,repl:ANY");
    });

    it("replicates a write both ways", async () => {
        const [a, b] = sides;
        a.server.query("CREATE DATABASE IF NOT EXISTS app; CREATE TABLE app.t (id INT AUTO_INCREMENT PRIMARY KEY); INSERT INTO app.t VALUES ()");
        expect(await waitFor(() => b.server.sql("SELECT COUNT(*) FROM app.t").stdout.trim() === "1", 20_000)).toBe(true);
        b.server.query("INSERT INTO app.t VALUES ()");
        expect(await waitFor(() => a.server.sql("SELECT COUNT(*) FROM app.t").stdout.trim() === "2", 20_000)).toBe(true);
    }, 60_000);

    it("refuses the application account without TLS and admits it with a verified one", () => {
        const [a] = sides;
        const plain = appLogin(a, ["--skip-ssl"]);
        expect([plain.code, plain.out]).toEqual([1, expect.stringMatching(/Access denied for user 'app'/)]);
        const caFile = path.join(work, "client-ca.pem");
        fs.writeFileSync(caFile, caPem);
        const tls = appLogin(a, ["--ssl", `--ssl-ca=${caFile}`, "--ssl-verify-server-cert"]);
        expect([tls.code, tls.out]).toEqual([0, expect.stringMatching(/^Ssl_cipher\t\S+/)]);
    });

    it("a replica whose CA is not the source's does not connect (the verification is real)", async () => {
        const [a] = sides;
        const other = splitKeyAndCertificate(run(caScript("another CA", 30)), "other").certificate;
        const tlsDir = path.join(work, `tls-${a.name}`);
        const wrong = path.join(work, "wrong-ca.pem");
        fs.writeFileSync(wrong, other);
        a.server.query(`STOP SLAVE; CHANGE MASTER TO MASTER_SSL_CA = '${wrong}'; START SLAVE`);
        const failed = await waitFor(() => /certificate|SSL|TLS/i.test(status(a.server).Last_IO_Error ?? ""), 20_000);
        const st = status(a.server);
        expect([failed, st.Slave_IO_Running]).toEqual([true, "Connecting"]);
        a.server.query(`STOP SLAVE; CHANGE MASTER TO MASTER_SSL_CA = '${path.join(tlsDir, "ca.pem")}'; START SLAVE`);
        expect(await waitFor(() => status(a.server).Slave_IO_Running === "Yes", 30_000)).toBe(true);
    }, 90_000);

    it("names dm2's own address in its certificate: the replica dialled it and verified it", () => {
        const text = openssl(["x509", "-noout", "-ext", "subjectAltName", "-in", path.join(work, "tls-dm2", "server-cert.pem")]).stdout;
        expect(text).toContain(`IP Address:${DM2_IP}`);
    });
});
