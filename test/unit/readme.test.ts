// README: opens with the two commands (the lab, and the tests CI runs), stays product
// documentation of about 12 KB, and links to the pages under docs/ that hold the rest
// (the configuration reference there is checked by config-doc.test.ts).
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../support/stacks";

describe("README", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

    it("starts with the lab command and the test command CI runs", () => {
        const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
        const commands = block.split("\n").filter((l) => l.trim()).map((l) => l.replace(/\s+#.*$/, "").trim());
        expect(commands).toEqual(["sudo npm run lab:up", "sudo npm test"]);
        expect(fs.readFileSync(path.join(ROOT, ".ci/run"), "utf8")).toMatch(/^(sudo )?npm test$/m);
    });

    it("is at most 12 KB", () => {
        expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(12 * 1024);
    });

    it("links to every page under docs/, the configuration reference among them", () => {
        const pages = fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md"));
        expect(pages).toContain("configuration.md");
        for (const page of pages) expect(readme).toContain(`](docs/${page})`);
        expect(readme).not.toContain("<!-- config-reference:start -->");
    });

    it("lists every npm script it tells the reader to run", () => {
        const scripts = Object.keys((JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts);
        const named = [...readme.matchAll(/npm run ([a-z][\w:-]*)/g)].map((m) => m[1]);
        expect(named.length).toBeGreaterThan(0);
        for (const name of named) expect(scripts).toContain(name);
    });
});
