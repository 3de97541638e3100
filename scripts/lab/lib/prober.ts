// A client that keeps asking through a VIP while something else happens (an update, a
// failover): one new connection and one query per tick, bounded by a deadline or stop().
// Records when the service was unavailable as seen by a client.
import { SqlEndpoint } from "../../../infra/config/endpoints";
import { connectApp } from "./checks";
import { LabStack } from "./lab-stack";
import { sleep } from "./exec";

export interface ProbeReport {
    readonly attempts: number;
    readonly failures: number;
    /** Longest run of consecutive failures, first failure to next success, in ms. */
    readonly longestOutageMs: number;
    readonly errors: string[];
}

export class Prober {
    private stopped = false;
    private readonly done: Promise<ProbeReport>;

    constructor(lab: LabStack, endpoint: SqlEndpoint, opts: { everyMs: number; maxMs: number }) {
        this.done = this.loop(lab, endpoint, opts);
    }

    stop(): Promise<ProbeReport> {
        this.stopped = true;
        return this.done;
    }

    private async loop(lab: LabStack, e: SqlEndpoint, opts: { everyMs: number; maxMs: number }): Promise<ProbeReport> {
        const deadline = Date.now() + opts.maxMs;
        let attempts = 0;
        let failures = 0;
        let longest = 0;
        let outageStart: number | undefined;
        const errors = new Set<string>();
        while (!this.stopped && Date.now() < deadline) {
            const t0 = Date.now();
            attempts++;
            try {
                const c = await connectApp(lab, e, 1000);
                try {
                    await c.query("SELECT 1");
                } finally {
                    c.destroy();
                }
                if (outageStart !== undefined) longest = Math.max(longest, Date.now() - outageStart);
                outageStart = undefined;
            } catch (err) {
                failures++;
                errors.add(err instanceof Error ? err.message : String(err));
                outageStart ??= t0;
            }
            await sleep(Math.max(0, opts.everyMs - (Date.now() - t0)));
        }
        if (outageStart !== undefined) longest = Math.max(longest, Date.now() - outageStart);
        return { attempts, failures, longestOutageMs: longest, errors: [...errors].slice(0, 5) };
    }
}
