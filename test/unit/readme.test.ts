// README's configuration reference must be exactly what the schema generates.
import * as fs from "fs";
import * as path from "path";
import { configReference } from "../../infra/config/reference";
import { ROOT } from "../support/stacks";

describe("README", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

    it("embeds the configuration reference generated from the schema", () => {
        const m = /<!-- config-reference:start -->\n([\s\S]*?)<!-- config-reference:end -->/.exec(readme);
        expect(m).not.toBeNull();
        expect(m?.[1]).toBe(configReference());
    });

    it("starts with the lab command and the test command CI runs", () => {
        const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
        const commands = block.split("\n").filter((l) => l.trim()).map((l) => l.replace(/\s+#.*$/, "").trim());
        expect(commands).toEqual(["sudo npm run lab:up", "npm test"]);
        expect(fs.readFileSync(path.join(ROOT, ".ci/run"), "utf8")).toMatch(/^npm test$/m);
    });
});
