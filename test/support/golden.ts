// Golden files: what each host receives, committed so a diff shows every change.
// UPDATE_GOLDEN=1 rewrites them; otherwise a missing or different file fails.
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./stacks";

export const GOLDEN_DIR = path.join(ROOT, "test/render/golden");

export function expectGolden(relative: string, actual: string): void {
    const file = path.join(GOLDEN_DIR, relative);
    if (process.env.UPDATE_GOLDEN === "1") {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, actual);
        return;
    }
    if (!fs.existsSync(file)) throw new Error(`golden file ${path.relative(ROOT, file)} is missing: run UPDATE_GOLDEN=1 npm run test:render and review the diff`);
    expect(actual).toBe(fs.readFileSync(file, "utf8"));
}
