// The drill client: keeps writing through a VIP endpoint (one INSERT per tick) and books
// every write the server acknowledged, so a drill can tell downtime and acknowledged
// writes lost.
import { randomBytes } from "crypto";
import { SqlEndpoint } from "../../model/endpoints";
import { connectApp } from "./checks";
import { Attempt, ClientLoop } from "./client-loop";
import { sleep } from "./exec";
import { LabStack } from "./lab-stack";

export const WRITES_TABLE = "drill_writes";
/** Tries, a second apart, to create the table before a drill. */
const SETUP_TRIES = 30;

export interface WriterReport {
    readonly run: string;
    readonly attempts: Attempt[];
    readonly acked: number[];
}

export class Writer {
    readonly run = randomBytes(4).toString("hex");
    private readonly acked: number[] = [];
    private loop?: ClientLoop;

    constructor(
        private readonly lab: LabStack,
        private readonly endpoint: SqlEndpoint,
        readonly tickMs = 50,
    ) {}

    async start(maxMs: number): Promise<void> {
        // The table, before any fault: retried for a while, since a node that returned from the
        // previous drill can still cut a connection or two.
        for (let attempt = 1; ; attempt++) {
            try {
                const c = await connectApp(this.lab, this.endpoint);
                try {
                    await c.query(`CREATE TABLE IF NOT EXISTS ${WRITES_TABLE} (run CHAR(8) NOT NULL, seq INT NOT NULL, at TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP(3), PRIMARY KEY (run, seq))`);
                } finally {
                    c.destroy();
                }
                break;
            } catch (err) {
                if (attempt >= SETUP_TRIES) throw new Error(`the drill writer could not create ${WRITES_TABLE} through ${this.endpoint.address}:${this.endpoint.port} in ${SETUP_TRIES} tries: ${err instanceof Error ? err.message : String(err)}`);
                await sleep(1000);
            }
        }
        this.loop = new ClientLoop(this.lab, this.endpoint, {
            tickMs: this.tickMs,
            maxMs,
            connectTimeoutMs: 500,
            act: async (conn, seq) => {
                await conn.query({ sql: `INSERT INTO ${WRITES_TABLE} (run, seq) VALUES (?, ?)`, timeout: 1000 }, [this.run, seq]);
                this.acked.push(seq);
            },
        });
    }

    attemptsSince(at: number): Attempt[] {
        return this.loop?.attemptsSince(at) ?? [];
    }

    async stop(): Promise<WriterReport> {
        const attempts = (await this.loop?.stop()) ?? [];
        return { run: this.run, attempts, acked: [...this.acked] };
    }
}
