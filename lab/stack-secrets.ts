// Prints "key kind" for every secret a stack file's topology refers to, one per line, so the
// lab can generate exactly the secrets the topology needs. Fails with the config problems
// when the topology itself is invalid.
import { secretUses } from "../model/rules/secrets";
import { topologyOfFile } from "./lib/lab-stack";

const file = process.argv[2];
if (!file) {
    console.error("usage: stack-secrets.ts Pulumi.<stack>.yaml");
    process.exit(2);
}
try {
    const seen = new Map<string, string>();
    for (const use of secretUses(topologyOfFile(file))) seen.set(use.key, use.kind);
    for (const [key, kind] of seen) console.log(`${key} ${kind}`);
} catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
}
