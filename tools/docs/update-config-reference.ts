// npm run docs:config: rewrites the generated configuration reference in docs/configuration.md
// (between the config-reference markers) from the schema; test/unit/config-doc.test.ts fails
// when the committed text differs from what this writes.
import * as fs from "fs";
import * as path from "path";
import { configReference } from "../../model/reference";

export const CONFIG_DOC = path.resolve(__dirname, "../../docs/configuration.md");
const MARKERS = /(<!-- config-reference:start -->\n)[\s\S]*?(<!-- config-reference:end -->)/;

export function withReference(text: string): string {
    if (!MARKERS.test(text)) throw new Error(`${CONFIG_DOC} has no <!-- config-reference:start --> ... <!-- config-reference:end --> block`);
    return text.replace(MARKERS, (_m, start: string, end: string) => `${start}${configReference()}${end}`);
}

if (require.main === module) {
    fs.writeFileSync(CONFIG_DOC, withReference(fs.readFileSync(CONFIG_DOC, "utf8")));
    console.log(`wrote ${path.relative(process.cwd(), CONFIG_DOC)}`);
}
