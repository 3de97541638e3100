// Every script a remote step runs on a host (create and delete), and every local step's (the host
// key checks and the Docker ssh files), as declared by the real components for each example
// stack, passes `sh -n` and shellcheck: a quoting slip in a TypeScript template (a lost
// backslash) shows up here, not on a host half-way through `up`.
import { spawnSync } from "child_process";
import * as fs from "fs";
import { declareUnderMocks, Registered } from "../support/graph";
import { allStackFiles, loadStackFile, stackLabel } from "../support/stacks";
import { containerEntrypoint, START_FILE } from "../../components/render/container-keepalived-service";

const stacks = allStackFiles().filter((f) => fs.existsSync(f));

function check(tool: string, args: string[], script: string): string {
    const r = spawnSync(tool, args, { input: script, encoding: "utf8" });
    return r.status === 0 ? "" : `${r.stdout}${r.stderr}`.trim();
}

describe.each(stacks.map((f) => [stackLabel(f), f]))("remote scripts of %s", (_label, file) => {
    let records: Registered[];
    beforeAll(async () => {
        records = await declareUnderMocks(loadStackFile(file));
    }, 60_000);

    it("parse with sh -n and pass shellcheck (errors and warnings)", () => {
        const problems: string[] = [];
        const steps = records.filter((x) => x.type === "command:remote:Command" || x.type === "command:local:Command");
        expect(steps.filter((x) => x.type === "command:local:Command").length).toBeGreaterThan(0);
        for (const r of steps) {
            // A local step's script may come on stdin (`sh -s`).
            for (const phase of r.type === "command:local:Command" && typeof r.inputs.stdin === "string" ? (["create", "delete", "stdin"] as const) : (["create", "delete"] as const)) {
                const script = r.inputs[phase];
                if (typeof script !== "string") continue;
                const syntax = check("sh", ["-n"], script);
                const lint = check("shellcheck", ["-s", "sh", "-S", "warning", "-"], script);
                if (syntax || lint) problems.push(`${r.name} ${phase}:\n${syntax}\n${lint}`);
            }
        }
        expect(problems).toEqual([]);
    });
});

describe("scripts that run inside VIP-holding containers", () => {
    it.each([
        ["keepalived start script", START_FILE.content],
        ["container entrypoint", containerEntrypoint()[2]],
    ])("%s parses with sh -n and passes shellcheck", (_name, script) => {
        expect(check("sh", ["-n"], script)).toBe("");
        expect(check("shellcheck", ["-s", "sh", "-S", "warning", "-"], script)).toBe("");
    });
});
