// npm run soak [-- --minutes M] [--json FILE]: the bench's soak alone, on a lab brought up by
// `npm run lab:up`: the OLTP load for M minutes (default 30) with no fault injected, and every
// failure detector that fired anyway. Exit 1 when one did, so a faster setting can be judged
// for false positives before it becomes a default.
import * as fs from "fs";
import { loadLabStack } from "../lib/lab-stack";
import { intOption } from "./options";
import { soak } from "./soak";
import { OLTP_THREADS } from "./oltp-settings";

async function main(): Promise<number> {
    const argv = process.argv.slice(2);
    const minutes = intOption(argv, "--minutes", 30, 1);
    const at = argv.indexOf("--json");
    const jsonFile = at >= 0 ? argv[at + 1] : undefined;
    const lab = loadLabStack();
    const result = await soak(lab, minutes, OLTP_THREADS, (l) => console.log(`[soak] ${l}`));
    for (const f of result.falsePositives) console.error(`[soak] FALSE POSITIVE ${f}`);
    if (jsonFile) fs.writeFileSync(jsonFile, JSON.stringify({ at: new Date().toISOString(), settings: { suspectTimeoutMs: lab.topology.database.pxc?.suspectTimeoutMs }, ...result }, null, 2));
    return result.falsePositives.length ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (err) => {
        console.error(`[soak] ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
    },
);
