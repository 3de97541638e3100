// A client that keeps using a VIP endpoint while something else happens (an update, a
// failover): one new connection and one statement per tick, as an application that
// reconnects would, bounded by a deadline or stop(). Records every attempt.
import * as mysql from "mysql2/promise";
import { SqlEndpoint } from "../../model/endpoints";
import { connectApp } from "./checks";
import { sleep } from "./exec";
import { LabStack } from "./lab-stack";

export interface Attempt {
    readonly at: number;
    /** When the attempt finished (a connection that waited out an ARP or SYN retry is late, not failed). */
    readonly doneAt?: number;
    readonly ok: boolean;
    readonly error?: string;
}

/** Longest stretch from a failed attempt to the next successful one, after `from` (ms epoch). */
export function longestOutage(attempts: Attempt[], from = 0): { ms: number; start?: number; end?: number } {
    let best = { ms: 0 } as { ms: number; start?: number; end?: number };
    let start: number | undefined;
    for (const a of attempts.filter((x) => x.at >= from)) {
        if (!a.ok) start ??= a.at;
        else if (start !== undefined) {
            if (a.at - start > best.ms) best = { ms: a.at - start, start, end: a.at };
            start = undefined;
        }
    }
    if (start !== undefined) {
        const last = attempts[attempts.length - 1].at;
        if (last - start > best.ms) best = { ms: last - start, start };
    }
    return best;
}

/**
 * Longest time after `from` without a completed successful attempt, beyond the normal tick:
 * catches the outage that no attempt reports as failed (a connect that retried until the VIP
 * had moved).
 */
export function longestStall(attempts: Attempt[], from: number, tickMs: number): number {
    const done = attempts.filter((a) => a.ok && a.doneAt !== undefined).map((a) => a.doneAt as number);
    let best = 0;
    for (let i = 1; i < done.length; i++) if (done[i] >= from) best = Math.max(best, done[i] - Math.max(done[i - 1], from) - tickMs);
    return Math.max(0, best);
}

export interface FailureRun {
    /** First and last failed attempt of the run, ms after `from`. */
    readonly fromMs: number;
    readonly toMs: number;
    readonly count: number;
    readonly error: string;
}

/**
 * Failed attempts after `from`, as runs of consecutive failures with the same error: the
 * timeline that says which part of an outage was whose (HAProxy, Galera, VRRP).
 */
export function failureRuns(attempts: Attempt[], from: number): FailureRun[] {
    const runs: Array<{ fromMs: number; toMs: number; count: number; error: string }> = [];
    let previousOk = true;
    for (const a of attempts.filter((x) => x.at >= from)) {
        if (a.ok) {
            previousOk = true;
            continue;
        }
        const error = a.error ?? "";
        const last = runs[runs.length - 1];
        if (!previousOk && last && last.error === error) {
            last.toMs = a.at - from;
            last.count++;
        } else runs.push({ fromMs: a.at - from, toMs: a.at - from, count: 1, error });
        previousOk = false;
    }
    return runs;
}

export interface ClientLoopOptions {
    readonly tickMs: number;
    readonly maxMs: number;
    readonly connectTimeoutMs: number;
    /** The statement of one tick; throws when the service did not answer it. */
    readonly act: (conn: mysql.Connection, tick: number) => Promise<void>;
}

export class ClientLoop {
    private stopped = false;
    private readonly attempts: Attempt[] = [];
    private readonly done: Promise<void>;

    constructor(
        private readonly lab: LabStack,
        private readonly endpoint: SqlEndpoint,
        private readonly opts: ClientLoopOptions,
    ) {
        this.done = this.loop(Date.now() + opts.maxMs);
    }

    private async loop(deadline: number): Promise<void> {
        let tick = 0;
        while (!this.stopped && Date.now() < deadline) {
            const at = Date.now();
            tick++;
            try {
                const c = await connectApp(this.lab, this.endpoint, this.opts.connectTimeoutMs);
                try {
                    await this.opts.act(c, tick);
                } finally {
                    c.destroy();
                }
                this.attempts.push({ at, doneAt: Date.now(), ok: true });
            } catch (err) {
                this.attempts.push({ at, doneAt: Date.now(), ok: false, error: err instanceof Error ? err.message : String(err) });
            }
            await sleep(Math.max(0, this.opts.tickMs - (Date.now() - at)));
        }
    }

    attemptsSince(at: number): Attempt[] {
        return this.attempts.filter((a) => a.at >= at);
    }

    async stop(): Promise<Attempt[]> {
        this.stopped = true;
        await this.done;
        return [...this.attempts];
    }
}
