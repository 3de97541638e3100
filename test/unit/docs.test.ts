// README and the pages under docs/: every relative link resolves inside the repository, and
// no relative path in the text climbs out of it.
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../support/stacks";

const DOCS = path.join(ROOT, "docs");
const files = ["README.md", ...fs.readdirSync(DOCS).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

describe.each(files)("%s", (file) => {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");

    it("links only to files in the repository that exist", () => {
        const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1].split("#")[0]).filter((l) => l && !/^[a-z]+:/.test(l));
        for (const link of links) {
            const target = path.resolve(ROOT, path.dirname(file), link);
            expect(path.relative(ROOT, target).startsWith("..")).toBe(false);
            expect(fs.existsSync(target)).toBe(true);
        }
    });

    it("refers to no file outside the repository", () => {
        const climbing = [...text.matchAll(/(?:\.\.\/)+[\w.-][\w./-]*/g)].map((m) => m[0]);
        for (const p of climbing) expect(path.relative(ROOT, path.resolve(ROOT, path.dirname(file), p)).startsWith("..")).toBe(false);
    });
});
