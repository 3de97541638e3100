// docs/configuration.md's reference must be exactly what the schema generates (npm run docs:config).
import * as fs from "fs";
import { configReference } from "../../model/reference";
import { CONFIG_DOC, withReference } from "../../tools/docs/update-config-reference";

describe("docs/configuration.md", () => {
    const doc = fs.readFileSync(CONFIG_DOC, "utf8");

    it("embeds the configuration reference generated from the schema", () => {
        const m = /<!-- config-reference:start -->\n([\s\S]*?)<!-- config-reference:end -->/.exec(doc);
        expect(m).not.toBeNull();
        expect(m?.[1]).toBe(configReference());
    });

    it("is what `npm run docs:config` writes", () => {
        expect(withReference(doc)).toBe(doc);
    });
});
