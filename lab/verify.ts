// Verifies a provisioned lab from outside: VIP holders, SQL through every VIP endpoint read
// back on every database node, replication threads, the stats page with and without auth.
// Exit code 1 when any check fails. `--json FILE` also writes the results.
import * as fs from "fs";
import { labChecks, runChecks } from "./lib/checks";
import { loadLabStack } from "./lib/lab-stack";

async function main(): Promise<number> {
    const jsonAt = process.argv.indexOf("--json");
    const lab = loadLabStack();
    const results = await runChecks(labChecks(lab), (l) => console.log(`[verify] ${l}`));
    const failed = results.filter((r) => !r.ok);
    console.log(`[verify] ${results.length - failed.length}/${results.length} checks passed`);
    if (jsonAt > 0) fs.writeFileSync(process.argv[jsonAt + 1], JSON.stringify(results, null, 2));
    return failed.length ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (err) => {
        console.error(`[verify] ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
    },
);
