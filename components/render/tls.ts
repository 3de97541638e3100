// TLS for the database tier, in the order it is set up: the stack's CA and each server's
// certificate, made with openssl on the machine that runs Pulumi; the step that puts a
// server's files on its host for the server's own account (bind-mounted read-only into the
// container); and the option-file settings that make the server, Galera and SST use them.
import { Topology } from "../../model/schema";
import { TlsSubject } from "../../model/tls";
import { GALERA_CNF_DIR, DUAL_MASTER_CNF_DIR } from "./mysql-cnf";
import { file, RenderedFile } from "./file";
import { quote, WRITE_FILES } from "./step-scripts";
import { TLS_CA, TLS_CERT, TLS_DIR, TLS_HOST_DIR, TLS_KEY } from "./tls-paths";

export { TLS_CA, TLS_CERT, TLS_DIR, TLS_HOST_DIR, TLS_KEY } from "./tls-paths";

export const TLS_CNF_NAME = "62-tls.cnf";

/** RSA 2048: what every server flavor, Galera's socket, socat and the clients all accept. */
const KEY = "rsa:2048";

/** A scratch directory only the script can read, removed however it ends. */
const SCRATCH = `set -eu
umask 077
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
trap 'exit 1' HUP INT TERM`;

/**
 * The stack's CA: prints its private key and then its self-signed certificate (PEM). The
 * output is the step's only copy, kept as a Pulumi secret; nothing is written elsewhere.
 */
export function caScript(commonName: string, days: number): string {
    return `${SCRATCH}
cat >"$d/ca.cnf" <<'EOF'
[req]
distinguished_name = dn
x509_extensions = ca
prompt = no
[dn]
CN = ${commonName}
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
openssl req -x509 -new -newkey ${KEY} -nodes -sha256 -days ${days} -config "$d/ca.cnf" -keyout "$d/ca.key" -out "$d/ca.pem" 2>"$d/err" || { cat "$d/err" >&2; exit 1; }
cat "$d/ca.key" "$d/ca.pem"`;
}

/**
 * One server's key and certificate, signed by the CA read on stdin (its key, then its
 * certificate, as caScript prints them); prints the server's key, then its certificate. Both
 * server and client use: Galera peers and the SST streamer dial each other with it.
 */
export function serverCertScript(subject: TlsSubject, days: number): string {
    const san = [`DNS:${subject.name}`, ...subject.ips.map((ip) => `IP:${ip}`)].join(", ");
    return `${SCRATCH}
cat >"$d/ca.both"
awk '/-----BEGIN CERTIFICATE-----/ { c = 1 } c' "$d/ca.both" >"$d/ca.pem"
awk '/-----BEGIN CERTIFICATE-----/ { exit } { print }' "$d/ca.both" >"$d/ca.key"
[ -s "$d/ca.pem" ] && [ -s "$d/ca.key" ] || { echo "stdin holds no CA key and certificate" >&2; exit 1; }
cat >"$d/server.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = ${subject.name}
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = ${san}
authorityKeyIdentifier = keyid
EOF
{
  openssl req -new -newkey ${KEY} -nodes -sha256 -config "$d/server.cnf" -keyout "$d/server.key" -out "$d/server.csr" &&
  openssl x509 -req -sha256 -days ${days} -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -set_serial "0x$(openssl rand -hex 16)" -extfile "$d/server.cnf" -extensions server -out "$d/server.pem" &&
  openssl verify -CAfile "$d/ca.pem" "$d/server.pem" >/dev/null
} 2>"$d/err" || { cat "$d/err" >&2; exit 1; }
cat "$d/server.key" "$d/server.pem"`;
}

/** A key and a certificate, as the scripts above print them. */
export interface KeyAndCertificate {
    readonly key: string;
    readonly certificate: string;
}

/**
 * Splits a script's output into its key and certificate, each ending in a newline (the command
 * providers drop the output's last one); throws without quoting the output (it holds a key).
 */
export function splitKeyAndCertificate(pem: string, what: string): KeyAndCertificate {
    const key = /-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END PRIVATE KEY-----/.exec(pem)?.[0];
    const certificate = /-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----/.exec(pem)?.[0];
    if (!key || !certificate) throw new Error(`${what}: the certificate step printed no private key and certificate`);
    return { key: `${key}\n`, certificate: `${certificate}\n` };
}

/** The files of one server's host directory: the CA certificate, its certificate, its key (0600). */
export function tlsFiles(hostDir: string, ca: string, server: KeyAndCertificate): RenderedFile[] {
    return [file(`${hostDir}/ca.pem`, ca), file(`${hostDir}/server-cert.pem`, server.certificate), file(`${hostDir}/server-key.pem`, server.key, "0600")];
}

/**
 * Writes a server's TLS files read on stdin and hands them to the account the server runs as
 * in its image (mysql in every flavor: uid 999 in Debian's, 1001 in Percona's, 999 in the
 * official mysql image); `id` in the image itself says which number that is.
 */
export function tlsFilesApply(image: string, hostDir: string, server: string): string {
    const i = quote(image);
    return `set -eu
${WRITE_FILES}
owner=$(docker run --rm --network none --entrypoint id ${i} -u mysql) && group=$(docker run --rm --network none --entrypoint id ${i} -g mysql) || { echo "cannot run id in ${image} to learn the uid of its mysql account" >&2; exit 1; }
chown "$owner:$group" ${quote(`${hostDir}/server-key.pem`)} ${quote(`${hostDir}/server-cert.pem`)} ${quote(`${hostDir}/ca.pem`)}
chmod 0755 ${quote(hostDir)}
echo "TLS files of ${server} in ${hostDir}, owned by uid $owner (mysql in ${image})"`;
}

/** Removes a server's TLS directory; the parent goes too when nothing else is left in it. */
export function tlsFilesRemove(hostDir: string): string {
    return `rm -rf ${quote(hostDir)}\nrmdir ${TLS_HOST_DIR} 2>/dev/null || true\necho "removed ${hostDir}"`;
}

function serverSettings(): string[] {
    return [`ssl-ca   = ${TLS_CA}`, `ssl-cert = ${TLS_CERT}`, `ssl-key  = ${TLS_KEY}`];
}

/**
 * The TLS fragment of a Galera node: the server's certificate for clients; for MariaDB an SST
 * that encrypts and verifies the peer's certificate against the stack's CA (encrypt=4 takes
 * the [mysqld] files), for PXC pxc-encrypt-cluster-traffic, which covers Galera and SST.
 */
export function renderGaleraTlsCnf(t: Topology): RenderedFile[] {
    const pxc = t.database.pxc;
    if (!pxc || !t.tls.enabled) return [];
    const header = ["# TLS for clients, Galera replication and SST; rendered by ha-mysql, edits are overwritten.", `# The files are the stack's (tls.*), mounted read-only at ${TLS_DIR}.`];
    const body =
        pxc.flavor === "mariadb"
            ? ["[mysqld]", ...serverSettings(), "", "# wsrep_provider_options in 60-galera.cnf points Galera's socket at the same files.", "[sst]", "encrypt  = 4", "ssl-mode = VERIFY_CA"]
            : ["[mysqld]", ...serverSettings(), "pxc-encrypt-cluster-traffic = ON"];
    return [file(`${GALERA_CNF_DIR[pxc.flavor]}/${TLS_CNF_NAME}`, [...header, ...body, ""].join("\n"))];
}

/** The TLS fragment of a dual-master server: its certificate, offered to clients and to its peer's replica. */
export function renderDualMasterTlsCnf(t: Topology): RenderedFile[] {
    const dm = t.database.dualMaster;
    if (!dm || !t.tls.enabled) return [];
    const header = ["# TLS for clients and the peer's replica; rendered by ha-mysql, edits are overwritten.", `# The files are the stack's (tls.*), mounted read-only at ${TLS_DIR}.`];
    return [file(`${DUAL_MASTER_CNF_DIR[dm.flavor]}/${TLS_CNF_NAME}`, [...header, "[mysqld]", ...serverSettings(), ""].join("\n"))];
}
