// Program evaluation under Pulumi mocks for a generated topology of N Galera nodes on H
// hosts: prints one JSON line {dbNodes, hosts, resources, ms}. Run once per size, in its own
// process, so every measurement starts from a fresh runtime.
import * as path from "path";
import { withoutStackTraces } from "../../infra/stack-traces";
import { loadTopology } from "../../model/load";
import { declareUnderMocks } from "../../test/support/graph";
import { goodSecrets, PROJECT, rawTopology } from "../../test/support/stacks";
import { labHosts, stackHosts } from "../lib/lab-description";

type Raw = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Galera nodes and hosts of the topologies the bench evaluates. */
export const EVALUATION_SIZES: ReadonlyArray<readonly [number, number]> = [[3, 2], [9, 5], [33, 10], [99, 20]];

/** The dev stack, scaled: every host gets a LAN address and a macvlan shim, the nodes spread round-robin. */
export function scaledTopology(dbNodes: number, hosts: number): Raw {
    const t = rawTopology(path.join(__dirname, "../../Pulumi.dev.yaml")) as Raw;
    const lab = labHosts(hosts);
    const on = (i: number) => lab[i % hosts].name;
    t.hosts = stackHosts(lab);
    t.database.pxc.nodes = Array.from({ length: dbNodes }, (_, i) => ({ name: `pn${i + 1}`, host: on(i), ip: `172.18.0.${101 + i}`, ...(i === 0 ? { bootstrap: true } : {}) }));
    t.database.dualMaster.servers.forEach((s: Raw, i: number) => (s.host = on(i)));
    t.haproxy.nodes.forEach((n: Raw, i: number) => (n.host = on(i)));
    return t;
}

async function main(): Promise<void> {
    const [dbNodes, hosts] = process.argv.slice(2).map(Number);
    // As the stack program does under the engine (infra/index.ts).
    withoutStackTraces();
    const started = process.hrtime.bigint();
    const stack = loadTopology(PROJECT, scaledTopology(dbNodes, hosts), goodSecrets());
    const records = await declareUnderMocks(stack);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(JSON.stringify({ dbNodes, hosts, resources: records.length, ms: Math.round(ms) }));
}

if (require.main === module) {
    main().catch((err) => {
        console.error(err instanceof Error ? err.message : String(err));
        process.exit(1);
    });
}
