// No remote script prints a secret, on success or on failure. A failed command's error carries
// the command text and everything it printed, whatever `logging` says (pulumi-command 1.2.1,
// remote/commandOutputs.go), and so does the offline provider: a secret step that prints a
// secret on its way to failing puts it into the `pulumi up` output.
//
// Every secret step the example stacks declare (logging off, or a secret stdin) runs in a
// scratch root with stub binaries (test/support/scratch-root.ts), on its host's root after the
// steps before it: as declared, then with `false` appended, with every stub failing, and with
// each stub call in turn failing (under bash: the last); its delete with `false` appended and
// with its last stub call failing. What it printed must hold no secret of the stack, no line of its payload, no join
// token; the stubs' command lines must hold no secret of the stack either.
import { EXAMPLE_STACKS, loadStackFile, stackLabel } from "../support/stacks";
import { hostRoots, Step, stackSteps } from "../support/steps";
import { payloadFiles, RunResult, SHELLS, STUB_SWARM_TOKEN } from "../support/scratch-root";

/** The values that must never be printed, with what each is. */
function secretValues(stackSecrets: Record<string, string>, steps: Step[]): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const [key, value] of Object.entries(stackSecrets)) {
        out.push([`secret ${key}`, value]);
        // A key or a certificate: each of its body lines is a secret on its own.
        if (value.includes("\n")) for (const line of value.split("\n").filter((l) => l.length >= 16 && !l.startsWith("-----"))) out.push([`a line of secret ${key}`, line]);
    }
    out.push(["the swarm join token", STUB_SWARM_TOKEN]);
    for (const s of steps.filter((x) => x.secretStdin)) {
        const files = payloadFiles(s.stdin);
        if (files.size === 0) {
            out.push([`the stdin of ${s.name}`, s.stdin.trim()]);
            continue;
        }
        for (const line of s.stdin.split("\n").filter(Boolean)) {
            const b64 = line.slice(line.lastIndexOf(" ") + 1);
            if (b64.length >= 8) out.push([`the payload of ${s.name}`, b64]);
        }
    }
    return out.filter(([, v]) => v.length > 0);
}

describe.each(EXAMPLE_STACKS.map((f) => [stackLabel(f), f]))("secret steps of %s", (_label, stackFile) => {
    const stack = loadStackFile(stackFile);
    let steps: Step[];
    beforeAll(async () => {
        steps = await stackSteps(stack);
    }, 60_000);

    it("are the steps that carry secrets: the dual-master, HAProxy, keepalived, swarm join and TLS file steps", () => {
        const secret = steps.filter((s) => s.secret || s.secretStdin);
        expect(secret.length).toBeGreaterThan(0);
        // A step whose stdin is secret is a secret step, and the other way round.
        for (const s of steps) expect([s.name, s.secret]).toEqual([s.name, s.secretStdin]);
        for (const s of secret) expect([s.name, /-(users|replication|config|keepalived-apply|join|tls)$/.test(s.name)]).toEqual([s.name, true]);
    });

    it.each(SHELLS.map((s) => [s]))("under %s print no secret, whether they succeed or fail", (shell) => {
        const roots = hostRoots(stack, steps);
        const secrets = secretValues(stack.secrets, steps);
        const argvSecrets = secrets.filter(([what]) => what.includes("secret "));
        const leaks: string[] = [];
        let runs = 0;
        const check = (s: Step, how: string, r: RunResult) => {
            runs++;
            for (const [what, value] of secrets) if (r.output.includes(value)) leaks.push(`${s.name} ${how} printed ${what}:\n${r.output}`);
            for (const call of roots.get(s.host)!.calls()) for (const [what, value] of argvSecrets) if (call.includes(value)) leaks.push(`${s.name} ${how} put ${what} on a command line: ${call}`);
        };
        try {
            for (const s of steps) {
                const root = roots.get(s.host)!;
                const create = (extra: { fail?: "all" | number; append?: string } = {}) =>
                    root.run(`${s.create}${extra.append ?? ""}`, { shell, stdin: s.stdin, fail: extra.fail });
                if (!(s.secret || s.secretStdin)) {
                    const r = create();
                    if (r.code !== 0) throw new Error(`${s.name} create exited ${r.code}:\n${r.output}`);
                    continue;
                }
                const failing = create({ append: "\nfalse" });
                check(s, "create, failing at its end", failing);
                const calls = root.calls().length;
                check(s, "create with every stub failing", create({ fail: "all" }));
                // Each stub call in turn under the first shell; the last one under the others.
                for (let k = shell === SHELLS[0] ? 1 : calls; k >= 1 && k <= calls; k++) check(s, `create with stub call ${k} of ${calls} failing`, create({ fail: k }));
                create();
                check(s, "delete, failing at its end", root.run(`${s.delete}\nfalse`, { shell, stdin: s.stdin }));
                const deleteCalls = root.calls().length;
                if (deleteCalls > 0) {
                    create();
                    check(s, "delete with its last stub call failing", root.run(s.delete, { shell, stdin: s.stdin, fail: deleteCalls }));
                }
                const ok = create();
                check(s, "create", ok);
                if (ok.code !== 0) throw new Error(`${s.name} create exited ${ok.code}:\n${ok.output}`);
            }
        } finally {
            for (const r of roots.values()) r.close();
        }
        expect(runs).toBeGreaterThan(steps.filter((s) => s.secret).length * 4);
        expect(leaks).toEqual([]);
    }, 900_000);
});
