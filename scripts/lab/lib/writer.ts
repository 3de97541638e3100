// The drill client: keeps writing through a VIP endpoint, one new connection and one
// INSERT per tick (as an application that reconnects would), and books every write the
// server acknowledged, so a drill can tell downtime and acknowledged writes lost.
import { randomBytes } from "crypto";
import { SqlEndpoint } from "../../../infra/config/endpoints";
import { connectApp } from "./checks";
import { sleep } from "./exec";
import { LabStack } from "./lab-stack";

export const WRITES_TABLE = "drill_writes";

export interface Attempt {
    readonly at: number;
    readonly ok: boolean;
    readonly error?: string;
}

export interface WriterReport {
    readonly run: string;
    readonly attempts: Attempt[];
    readonly acked: number[];
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

export class Writer {
    readonly run = randomBytes(4).toString("hex");
    private stopped = false;
    private readonly attempts: Attempt[] = [];
    private readonly acked: number[] = [];
    private done?: Promise<void>;

    constructor(
        private readonly lab: LabStack,
        private readonly endpoint: SqlEndpoint,
        private readonly tickMs = 50,
    ) {}

    async start(maxMs: number): Promise<void> {
        const c = await connectApp(this.lab, this.endpoint);
        try {
            await c.query(`CREATE TABLE IF NOT EXISTS ${WRITES_TABLE} (run CHAR(8) NOT NULL, seq INT NOT NULL, at TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP(3), PRIMARY KEY (run, seq))`);
        } finally {
            await c.end();
        }
        this.done = this.loop(Date.now() + maxMs);
    }

    private async loop(deadline: number): Promise<void> {
        let seq = 0;
        while (!this.stopped && Date.now() < deadline) {
            const at = Date.now();
            seq++;
            try {
                const c = await connectApp(this.lab, this.endpoint, 500);
                try {
                    await c.query({ sql: `INSERT INTO ${WRITES_TABLE} (run, seq) VALUES (?, ?)`, timeout: 1000 }, [this.run, seq]);
                    this.acked.push(seq);
                    this.attempts.push({ at, ok: true });
                } finally {
                    c.destroy();
                }
            } catch (err) {
                this.attempts.push({ at, ok: false, error: err instanceof Error ? err.message : String(err) });
            }
            await sleep(Math.max(0, this.tickMs - (Date.now() - at)));
        }
    }

    attemptsSince(at: number): Attempt[] {
        return this.attempts.filter((a) => a.at >= at);
    }

    async stop(): Promise<WriterReport> {
        this.stopped = true;
        await this.done;
        return { run: this.run, attempts: [...this.attempts], acked: [...this.acked] };
    }
}
