// A reader that keeps asking through a VIP (SELECT 1 per tick) while something else
// happens, and reports what a client saw.
import { SqlEndpoint } from "../../model/endpoints";
import { ClientLoop, longestOutage } from "./client-loop";
import { LabStack } from "./lab-stack";

export interface ProbeReport {
    readonly attempts: number;
    readonly failures: number;
    /** Longest run of consecutive failures, first failure to next success, in ms. */
    readonly longestOutageMs: number;
    readonly errors: string[];
}

export class Prober {
    private readonly loop: ClientLoop;

    constructor(lab: LabStack, endpoint: SqlEndpoint, opts: { everyMs: number; maxMs: number }) {
        this.loop = new ClientLoop(lab, endpoint, {
            tickMs: opts.everyMs,
            maxMs: opts.maxMs,
            connectTimeoutMs: 1000,
            act: async (c) => void (await c.query("SELECT 1")),
        });
    }

    async stop(): Promise<ProbeReport> {
        const attempts = await this.loop.stop();
        const failed = attempts.filter((a) => !a.ok);
        return {
            attempts: attempts.length,
            failures: failed.length,
            longestOutageMs: longestOutage(attempts).ms,
            errors: [...new Set(failed.map((a) => a.error ?? ""))].slice(0, 5),
        };
    }
}
