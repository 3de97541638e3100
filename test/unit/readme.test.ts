// README: opens with the lab command and the test command CI runs, and links to the
// configuration reference (generated into docs/configuration.md, checked by config-doc.test.ts).
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../support/stacks";

describe("README", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

    it("links to the generated configuration reference", () => {
        expect(readme).toContain("](docs/configuration.md)");
        expect(readme).not.toContain("<!-- config-reference:start -->");
    });

    it("starts with the lab command and the test command CI runs", () => {
        const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
        const commands = block.split("\n").filter((l) => l.trim()).map((l) => l.replace(/\s+#.*$/, "").trim());
        expect(commands).toEqual(["sudo npm run lab:up", "npm test"]);
        expect(fs.readFileSync(path.join(ROOT, ".ci/run"), "utf8")).toMatch(/^npm test$/m);
    });
});
