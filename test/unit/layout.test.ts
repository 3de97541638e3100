// The layers only import downwards: model/ (the configuration and what is derived from it)
// imports nothing else of the project; components/ may import model/ but never the stack
// program (infra/), the lab (lab/), the tools, or the tests.
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../support/stacks";

function tsFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) return tsFiles(p);
        return e.name.endsWith(".ts") ? [p] : [];
    });
}

/** Relative module specifiers of a file: import/export ... from, import(), require(). */
function relativeImports(file: string): string[] {
    const text = fs.readFileSync(file, "utf8");
    const specs = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm)].map((m) => m[1]);
    return specs.filter((s) => s.startsWith("."));
}

/** The top-level directory of the repository an import of `file` resolves into. */
const topOf = (file: string, spec: string) => path.relative(ROOT, path.resolve(path.dirname(file), spec)).split(path.sep)[0];

const FORBIDDEN: Record<string, string[]> = {
    model: ["infra", "lab", "scripts", "test", "tools", "components"],
    components: ["infra", "lab", "scripts", "test", "tools"],
};

describe.each(Object.keys(FORBIDDEN))("%s/", (layer) => {
    const files = tsFiles(path.join(ROOT, layer));

    it("has TypeScript files to check", () => {
        expect(files.length).toBeGreaterThan(0);
    });

    it(`imports nothing from ${FORBIDDEN[layer].join(", ")}`, () => {
        const bad = files.flatMap((f) =>
            relativeImports(f)
                .filter((s) => FORBIDDEN[layer].includes(topOf(f, s)) || topOf(f, s) === "..")
                .map((s) => `${path.relative(ROOT, f)} imports ${s}`),
        );
        expect(bad).toEqual([]);
    });
});

describe("model/", () => {
    it("does not depend on Pulumi", () => {
        const bad = tsFiles(path.join(ROOT, "model")).filter((f) => /["']@pulumi\//.test(fs.readFileSync(f, "utf8")));
        expect(bad.map((f) => path.relative(ROOT, f))).toEqual([]);
    });
});
