// Sets one topology value in a stack config file, typed: the value is parsed as JSON when it
// can be (0.1 stays a number, true a boolean), else kept as a string. `pulumi config set
// --path` would store 0.1 as the string "0.1", which the schema rightly refuses.
//   set-config.ts Pulumi.dev.yaml 'keepalived.instances[0].advertInt' 0.1
import * as fs from "fs";
import { parseDocument } from "yaml";

const [file, dotted, raw] = process.argv.slice(2);
if (!file || !dotted || raw === undefined) {
    console.error("usage: set-config.ts <stack file> <topology path> <value>");
    process.exit(2);
}
let value: unknown = raw;
try {
    value = JSON.parse(raw);
} catch {
    // not JSON: a plain string
}
const keys = dotted.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== "").map((k) => (/^\d+$/.test(k) ? Number(k) : k));
const doc = parseDocument(fs.readFileSync(file, "utf8"));
const path = ["config", "ha-mysql:topology", ...keys];
// Missing maps on the way are created; a misspelt key is then refused by the schema at preview.
doc.setIn(path, value);
fs.writeFileSync(file, doc.toString());
console.log(`${dotted} = ${JSON.stringify(value)}`);
