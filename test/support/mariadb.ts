// Throwaway MariaDB servers for render tests: each in its own temp directory with its
// own datadir, socket and TCP address, started from the Debian mariadbd, stopped by PID.
// Real grant tables (no --skip-grant-tables): the users the tests create must really log in.
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { hasTool } from "./validators";

export function hasMariadb(): boolean {
    return hasTool("mariadbd") && hasTool("mariadb-install-db") && hasTool("mariadb");
}

export interface MariadbOptions {
    readonly name: string;
    /** Loopback address to listen on, e.g. 127.0.0.21 (all of 127/8 is local on Linux). */
    readonly bindAddress: string;
    readonly port: number;
    readonly rootPassword: string;
    /** Option files read before the test's own settings, e.g. a rendered cnf. */
    readonly includes?: string[];
    /** Extra [mysqld] lines, read last. */
    readonly extra?: string[];
    /** Extra mariadbd arguments, e.g. --wsrep-new-cluster. */
    readonly args?: string[];
    readonly startTimeoutMs?: number;
}

export interface SqlResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

export class MariadbServer {
    private exited = false;

    constructor(
        readonly name: string,
        readonly dir: string,
        readonly socket: string,
        readonly bindAddress: string,
        readonly port: number,
        private readonly child: ChildProcess,
    ) {
        child.on("exit", () => {
            this.exited = true;
        });
    }

    get pid(): number {
        return this.child.pid ?? -1;
    }

    get running(): boolean {
        return !this.exited;
    }

    /** Root client defaults (mode 0600): the password never goes on a command line. */
    get clientCnf(): string {
        return path.join(this.dir, "client.cnf");
    }

    get errorLog(): string {
        return path.join(this.dir, "error.log");
    }

    /** Runs SQL as root over the socket; `args` are extra client options such as --vertical. */
    sql(text: string, args: string[] = []): SqlResult {
        // --vertical output is only useful with its column names.
        const names = args.includes("--vertical") ? [] : ["--skip-column-names"];
        const r = spawnSync("mariadb", [`--defaults-file=${this.clientCnf}`, "--batch", ...names, ...args], { input: text, encoding: "utf8", timeout: 30_000 });
        // A client that cannot connect exits before reading its stdin: EPIPE means "not answering".
        if (r.error && (r.error as NodeJS.ErrnoException).code !== "EPIPE") throw r.error;
        return { code: r.error ? -1 : r.status ?? -1, stdout: r.stdout ?? "", stderr: `${r.stderr ?? ""}${r.error ? r.error.message : ""}` };
    }

    /** Like sql() but throws on failure and returns stdout trimmed. */
    query(text: string, args: string[] = []): string {
        const r = this.sql(text, args);
        if (r.code !== 0) throw new Error(`${this.name}: SQL failed (${r.code}): ${r.stderr}`);
        return r.stdout.trim();
    }

    /** SIGTERM by PID, SIGKILL after the timeout; then the directory is removed. */
    async stop(timeoutMs = 15_000): Promise<void> {
        if (!this.exited && this.child.pid !== undefined) {
            const gone = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
            process.kill(this.child.pid, "SIGTERM");
            const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), timeoutMs).unref());
            if ((await Promise.race([gone, timer])) === "timeout" && !this.exited) {
                process.kill(this.child.pid, "SIGKILL");
                await gone;
            }
        }
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Installs a fresh datadir and starts mariadbd as root (--user=root: the test runs as root
 * and the datadir lives in /tmp). Root gets `rootPassword`, as the images' entrypoints do.
 */
export async function startMariadb(opts: MariadbOptions): Promise<MariadbServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mariadb-${opts.name}-`));
    const datadir = path.join(dir, "data");
    const socket = path.join(dir, "mysqld.sock");
    const install = spawnSync(
        "mariadb-install-db",
        ["--no-defaults", "--user=root", `--datadir=${datadir}`, "--auth-root-authentication-method=normal", "--skip-test-db"],
        { encoding: "utf8", timeout: 60_000 },
    );
    if (install.status !== 0) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw new Error(`mariadb-install-db failed: ${install.stderr ?? ""}${install.error?.message ?? ""}`);
    }
    const cnf = [
        ...(opts.includes ?? []).map((f) => `!include ${f}`),
        "[mysqld]",
        `datadir = ${datadir}`,
        `socket = ${socket}`,
        `pid-file = ${path.join(dir, "mysqld.pid")}`,
        `log-error = ${path.join(dir, "error.log")}`,
        `bind-address = ${opts.bindAddress}`,
        `port = ${opts.port}`,
        "innodb_buffer_pool_size = 32M",
        "innodb_log_file_size = 16M",
        ...(opts.extra ?? []),
        "",
    ].join("\n");
    fs.writeFileSync(path.join(dir, "my.cnf"), cnf);
    const child = spawn("mariadbd", [`--defaults-file=${path.join(dir, "my.cnf")}`, "--user=root", ...(opts.args ?? [])], { stdio: "ignore" });
    const server = new MariadbServer(opts.name, dir, socket, opts.bindAddress, opts.port, child);
    // Until root has a password, the client logs in without one.
    fs.writeFileSync(server.clientCnf, `[client]\nuser = root\nsocket = ${socket}\n`, { mode: 0o600 });
    const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
    try {
        for (;;) {
            if (!server.running) throw new Error(`mariadbd ${opts.name} exited during start-up`);
            if (server.sql("SELECT 1").code === 0) break;
            if (Date.now() > deadline) throw new Error(`mariadbd ${opts.name} did not answer within the start timeout`);
            await sleep(200);
        }
        // Outside the binlog, like an image's entrypoint: the tests assert what their own SQL logs.
        server.query(`SET SESSION sql_log_bin = 0; ALTER USER 'root'@'localhost' IDENTIFIED BY '${opts.rootPassword}';`);
        fs.writeFileSync(server.clientCnf, `[client]\nuser = root\npassword = "${opts.rootPassword}"\nsocket = ${socket}\n`, { mode: 0o600 });
        return server;
    } catch (e) {
        const log = fs.existsSync(server.errorLog) ? fs.readFileSync(server.errorLog, "utf8").split("\n").slice(-15).join("\n") : "";
        await server.stop();
        throw new Error(`${(e as Error).message}\n${log}`);
    }
}

/** A TCP port nobody listens on at the moment (the kernel picks it). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
    const net = await import("net");
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once("error", reject);
        srv.listen(0, host, () => {
            const addr = srv.address();
            const port = typeof addr === "object" && addr ? addr.port : 0;
            srv.close(() => resolve(port));
        });
    });
}

/** Polls `check` every `everyMs` until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean, timeoutMs: number, everyMs = 250): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (check()) return true;
        if (Date.now() > deadline) return false;
        await sleep(everyMs);
    }
}
