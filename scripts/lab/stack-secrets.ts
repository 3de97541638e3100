// Prints "key kind" for every secret a stack file's topology refers to, one per line, so the
// lab can generate exactly the secrets the topology needs. Fails with the config problems
// when the topology itself is invalid.
import * as fs from "fs";
import { parse } from "yaml";
import { parseTopology } from "../../infra/config/load";
import { ConfigError } from "../../infra/config/issues";
import { secretUses } from "../../infra/config/rules/secrets";

const file = process.argv[2];
if (!file) {
    console.error("usage: stack-secrets.ts Pulumi.<stack>.yaml");
    process.exit(2);
}
const doc = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
const { topology, issues } = parseTopology(doc.config?.["ha-mysql:topology"]);
if (!topology || issues.length > 0) {
    console.error(new ConfigError("ha-mysql", issues).message);
    process.exit(1);
}
const seen = new Map<string, string>();
for (const use of secretUses(topology)) seen.set(use.key, use.kind);
for (const [key, kind] of seen) console.log(`${key} ${kind}`);
