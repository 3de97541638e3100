// Long lab commands from a jest test: output streamed to the CI log, bounded in time, and on
// failure the lines that say why quoted in the assertion (at the end of the CI log).
import { spawn } from "child_process";

/** What a streamed command ended with: its exit code and the last lines that say what failed. */
export interface Streamed {
    readonly code: number;
    readonly failures: string[];
}

// Lines the lab scripts and pulumi print when something goes wrong.
const FAILURE_LINE = /\bFAIL\b|error:|Error:|failed|timed out|exceeded/;

/**
 * Runs a command with its output streamed to the CI log; resolves with the exit code and the
 * last failure lines, so that an assertion on it names the cause at the end of the CI log.
 */
export function stream(cmd: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv = {}, label = "test:lab"): Promise<Streamed> {
    return new Promise((resolve) => {
        const p = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
        const failures: string[] = [];
        const keep = (out: NodeJS.WriteStream) => {
            let rest = "";
            return (chunk: string) => {
                out.write(chunk);
                const lines = (rest + chunk).split("\n");
                rest = lines.pop() ?? "";
                for (const l of lines) if (FAILURE_LINE.test(l)) failures.push(l.slice(0, 400));
                failures.splice(0, Math.max(0, failures.length - 15));
            };
        };
        p.stdout.setEncoding("utf8").on("data", keep(process.stdout));
        p.stderr.setEncoding("utf8").on("data", keep(process.stderr));
        const timer = setTimeout(() => {
            const line = `[${label}] ${cmd} ${args.join(" ")} exceeded ${timeoutMs / 1000} s: killing it`;
            process.stderr.write(`${line}\n`);
            failures.push(line);
            p.kill("SIGTERM");
        }, timeoutMs);
        p.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code: code ?? -1, failures });
        });
    });
}

/** Fails unless the command exited 0, quoting the lines that say why. */
export function expectSuccess(r: Streamed): void {
    expect({ code: r.code, failures: r.code === 0 ? [] : r.failures }).toEqual({ code: 0, failures: [] });
}

