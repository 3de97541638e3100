// The engine starts node in the program's directory and reads runtime.options.tsconfig from
// there: a path that does not resolve makes it type-check the whole program on every run.
import * as fs from "fs";
import { parse } from "yaml";
import * as path from "path";

const ROOT = path.join(__dirname, "../..");

describe("Pulumi.yaml", () => {
    const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { main: string; runtime: { options: { tsconfig: string } } };

    it("names a tsconfig that exists, relative to the program's directory, and that turns type checking off", () => {
        const programDir = path.join(ROOT, path.dirname(project.main));
        const tsconfig = path.resolve(programDir, project.runtime.options.tsconfig);
        expect(fs.existsSync(tsconfig)).toBe(true);
        // The engine reads compilerOptions.noCheck from the file itself, without following `extends`.
        const text = fs.readFileSync(tsconfig, "utf8").replace(/^\s*\/\/.*$/gm, "");
        expect(JSON.parse(text).compilerOptions.noCheck).toBe(true);
    });
});
