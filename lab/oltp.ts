// npm run oltp [-- --threads N --seconds S]: on a lab brought up by `npm run lab:up`, a read-write
// OLTP load on shared rows through the Galera write endpoint (and, for comparison, the read
// endpoint, which balances over every node), then how 60 new connections to the read endpoint
// spread. Prints one JSON document; exit 1 when the write endpoint saw a certification conflict.
import { connectionSpread, galeraEndpoints, oltpLoad } from "./lib/oltp";
import { loadLabStack } from "./lib/lab-stack";

async function main(): Promise<number> {
    const args = process.argv.slice(2);
    const num = (flag: string, dflt: number) => (args.includes(flag) ? Number(args[args.indexOf(flag) + 1]) : dflt);
    const threads = num("--threads", 4);
    const seconds = num("--seconds", 60);
    const lab = loadLabStack();
    const { write, read } = galeraEndpoints(lab);
    if (!write) throw new Error("no Galera write endpoint in the topology");
    console.error(`[oltp] ${threads} threads for ${seconds} s through ${write.label} ${write.address}:${write.port}`);
    const writes = await oltpLoad(lab, write, threads, seconds);
    console.error(`[oltp] write endpoint: ${writes.tps} tps, ${writes.failed} failed (${writes.conflicts} certification conflicts), served by ${JSON.stringify(writes.servedBy)}`);
    let spread: Record<string, number> | undefined;
    let acrossNodes;
    if (read) {
        console.error(`[oltp] the same load through ${read.label} (every node takes writes), for comparison`);
        acrossNodes = await oltpLoad(lab, read, threads, seconds);
        console.error(`[oltp] read endpoint: ${acrossNodes.tps} tps, ${acrossNodes.failed} failed (${acrossNodes.conflicts} certification conflicts), served by ${JSON.stringify(acrossNodes.servedBy)}`);
        spread = await connectionSpread(lab, read, 60);
        console.error(`[oltp] 60 new connections to ${read.label}: ${JSON.stringify(spread)}`);
    }
    console.log(JSON.stringify({ at: new Date().toISOString(), writeEndpoint: writes, readEndpointWrites: acrossNodes, readSpread: spread }, null, 2));
    return writes.conflicts > 0 ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (err) => {
        console.error(`[oltp] ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
    },
);
