// Child processes for the lab scripts: bounded in time, output captured, never a shell.
import { spawnSync } from "child_process";

export interface RunResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

export function run(cmd: string, args: string[], opts: { timeoutMs?: number; input?: string; env?: Record<string, string> } = {}): RunResult {
    const env = opts.env ? { ...process.env, ...opts.env } : undefined;
    const r = spawnSync(cmd, args, { encoding: "utf8", timeout: opts.timeoutMs ?? 30_000, input: opts.input, killSignal: "SIGKILL", env });
    if (r.error) return { code: -1, stdout: r.stdout ?? "", stderr: `${r.error.message}\n${r.stderr ?? ""}` };
    return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** The Docker CLI against one host's engine: `docker <args>` there. */
export type DockerOn = (args: string[], opts?: { timeoutMs?: number; input?: string }) => RunResult;

/** The Docker CLI at a Docker host URL (unix://, tcp:// or ssh://). */
export function dockerAt(dockerHost: string): DockerOn {
    return (args, opts = {}) => run("docker", ["-H", dockerHost, ...args], { timeoutMs: opts.timeoutMs ?? 30_000, input: opts.input });
}

/** SQL run inside a database container as root, with the client cnf the stack uploaded. */
export function containerSql(docker: DockerOn, container: string, sql: string, opts: { timeoutMs?: number; columnNames?: boolean } = {}): RunResult {
    const flags = opts.columnNames ? ["-B"] : ["-N", "-B"];
    return docker(["exec", "-i", container, "mysql", "--defaults-extra-file=/etc/ha-mysql/root-client.cnf", ...flags], { input: sql, timeoutMs: opts.timeoutMs ?? 15_000 });
}

/** A container's log lines (stdout and stderr) since a time, with Docker's timestamps in front when asked. */
export function containerLogLines(docker: DockerOn, container: string, since: number, opts: { timestamps?: boolean; timeoutMs?: number } = {}): string[] {
    const r = docker(["logs", ...(opts.timestamps ? ["-t"] : []), "--since", new Date(since).toISOString(), container], { timeoutMs: opts.timeoutMs ?? 30_000 });
    return `${r.stdout}\n${r.stderr}`.split("\n");
}

export function sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
}

/** Retries an async probe until it returns true or the deadline passes; returns the last result. */
export async function eventually(probe: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 200): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (await probe()) return true;
        if (Date.now() >= deadline) return false;
        await sleep(everyMs);
    }
}
