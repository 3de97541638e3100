// npm run vmlab:verify: the VM lab's stack checked from a client in the VMs' namespace. The
// machines' own facts first (systemd units, the firewalls, IPVS), then SQL through LVS with the
// director's counters as proof that IPVS forwarded it, then every check of the namespace lab
// (VIP holders, Galera, SQL read back on every node, TLS, the stats page, secret leaks).
// Exit code 1 when any check fails. `--json FILE` also writes the results.
import * as fs from "fs";
import { labChecks, runChecks } from "../lib/checks";
import { loadLabStack } from "../lib/lab-stack";
import { vmChecks } from "./checks";

async function main(): Promise<number> {
    const jsonAt = process.argv.indexOf("--json");
    const lab = loadLabStack();
    if (lab.kind !== "vm") throw new Error("no VM lab here (vms.json missing): run npm run vmlab:up first, with HA_LAB_DIR set by the npm script");
    const results = await runChecks([...vmChecks(lab), ...labChecks(lab)], (l) => console.log(`[vmlab verify] ${l}`));
    const failed = results.filter((r) => !r.ok);
    console.log(`[vmlab verify] ${results.length - failed.length}/${results.length} checks passed`);
    if (jsonAt > 0) fs.writeFileSync(process.argv[jsonAt + 1], JSON.stringify(results, null, 2));
    return failed.length ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (err) => {
        console.error(`[vmlab verify] ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
    },
);
