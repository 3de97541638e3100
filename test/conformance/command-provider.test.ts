// Conformance of the offline command provider with pulumi-command 1.2.1, through the real
// engine (the CLI built by tools/install-pulumi.sh), the real @pulumi/command SDK and a
// loopback sshd started and stopped by this suite. Each test drives one stack of
// test/conformance/program and reads what the commands themselves logged.
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { freePort, LoopbackSshd, startSshd } from "../support/loopback-sshd";

const REPO = path.resolve(__dirname, "../..");
const MIN = 60_000;

interface Res {
    name: string;
    kind: "local" | "remote";
    create?: string;
    update?: string;
    delete?: string;
    triggers?: unknown[];
    logging?: "stdout" | "stderr" | "stdoutAndStderr" | "none";
    environment?: Record<string, string>;
    stdin?: string;
    deleteBeforeReplace?: boolean;
    secretStdout?: boolean;
    port?: number;
    hostKey?: string;
    dialErrorLimit?: number;
    perDialTimeout?: number;
}

let work: string;
let env: NodeJS.ProcessEnv;
let plain: LoopbackSshd; // OpenSSH's default: no AcceptEnv
let accepting: LoopbackSshd; // AcceptEnv PULUMI_COMMAND_* CONFORMANCE_*

/** The variables tools/pulumi-env.sh exports, with a private backend and passphrase. */
function pulumiEnv(): NodeJS.ProcessEnv {
    const r = spawnSync("bash", ["-c", `. "${REPO}/tools/pulumi-env.sh" >/dev/null && env -0`], { encoding: "utf8", maxBuffer: 16 << 20 });
    if (r.status !== 0) throw new Error(`pulumi-env.sh failed: ${r.stderr}`);
    const e: NodeJS.ProcessEnv = {};
    for (const kv of r.stdout.split("\0").filter(Boolean)) {
        const i = kv.indexOf("=");
        e[kv.slice(0, i)] = kv.slice(i + 1);
    }
    delete e.PULUMI_CONFIG_PASSPHRASE_FILE;
    // PULUMI_DEBUG_COMMANDS enables the --event-log flag.
    return { ...e, PULUMI_BACKEND_URL: `file://${work}/state`, PULUMI_CONFIG_PASSPHRASE: "conformance-only", PULUMI_DEBUG_COMMANDS: "true" };
}

function pulumi(stack: string, args: string[], input?: string): { code: number; out: string; stdout: string } {
    const r = spawnSync("pulumi", [...args, "--stack", stack, "--non-interactive"], {
        cwd: path.join(work, "program"),
        env,
        input,
        encoding: "utf8",
        timeout: 5 * MIN,
        maxBuffer: 64 << 20,
    });
    return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

function must(r: { code: number; out: string }): string {
    if (r.code !== 0) throw new Error(r.out);
    return r.out;
}

/** A new stack for one test, with the client key as a secret config value. */
function stack(name: string): string {
    fs.mkdirSync(path.join(work, "state"), { recursive: true });
    must(pulumi(name, ["stack", "init"]));
    must(pulumi(name, ["config", "set", "--secret", "key"], plain.privateKey));
    return name;
}

function setSpec(s: string, resources: Res[]): void {
    must(pulumi(s, ["config", "set", "spec", JSON.stringify({ resources })]));
}

/** `pulumi up`; the engine's event log is returned with the output. */
function up(s: string): { code: number; out: string; events: string } {
    const events = path.join(work, `${s}-events-${Date.now()}.json`);
    const r = pulumi(s, ["up", "--yes", "--skip-preview", "--event-log", events]);
    return { ...r, events: fs.existsSync(events) ? fs.readFileSync(events, "utf8") : "" };
}

/**
 * The messages of the engine's log (diagnostic events at info and above), one per line. Debug
 * events are left out: with PULUMI_DEBUG_COMMANDS the SDK dumps every RPC response there,
 * outputs included.
 */
function diagnostics(events: string): string {
    return events
        .split("\n")
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { diagnosticEvent?: { message: string; severity: string } }).diagnosticEvent)
        .filter((d) => d && d.severity !== "debug")
        .map((d) => d?.message ?? "")
        .join("");
}

/** The operations a preview plans, by resource name ("same" left out). */
function plan(s: string): Record<string, string[]> {
    const r = pulumi(s, ["preview", "--json"]);
    if (r.code !== 0) throw new Error(r.out);
    const doc = JSON.parse(r.stdout) as { steps?: Array<{ op: string; urn: string }> };
    const ops: Record<string, string[]> = {};
    for (const st of doc.steps ?? []) {
        if (st.op === "same") continue;
        const name = st.urn.split("::").pop() as string;
        (ops[name] ??= []).push(st.op);
    }
    return ops;
}

const logFile = (s: string) => path.join(work, `${s}.log`);
const logged = (s: string) => (fs.existsSync(logFile(s)) ? fs.readFileSync(logFile(s), "utf8").trim().split("\n") : []);
const note = (s: string, what: string) => `echo "${what}" >> ${logFile(s)}`;

/** A command resource that logs its create (or update) and its delete with a generation tag. */
function logging(s: string, name: string, kind: "local" | "remote", gen: string, extra: Partial<Res> = {}): Res {
    return {
        name,
        kind,
        create: note(s, `${name} create ${gen}`),
        update: note(s, `${name} update ${gen}`),
        delete: note(s, `${name} delete ${gen}`),
        port: kind === "remote" ? plain.port : undefined,
        ...extra,
    };
}

beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "command-conformance-"));
    fs.cpSync(path.join(__dirname, "program"), path.join(work, "program"), { recursive: true });
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(work, "program", "node_modules"));
    plain = await startSshd(path.join(work, "sshd-plain"));
    accepting = await startSshd(path.join(work, "sshd-accepting"), ["PULUMI_COMMAND_*", "CONFORMANCE_*"]);
    // Both servers trust the same client key.
    fs.copyFileSync(path.join(work, "sshd-plain", "client.pub"), path.join(work, "sshd-accepting", "authorized_keys"));
    env = pulumiEnv();
}, 15 * MIN);

afterAll(async () => {
    await plain?.stop();
    await accepting?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe.each(["local", "remote"] as const)("%s.Command", (kind) => {
    test("a create change updates in place: update runs, the old delete does not", () => {
        const s = stack(`update-${kind}`);
        setSpec(s, [logging(s, "step", kind, "v1", { triggers: ["t"] })]);
        must(up(s));
        setSpec(s, [logging(s, "step", kind, "v2", { triggers: ["t"] })]);
        expect(plan(s)).toEqual({ step: ["update"] });
        must(up(s));
        expect(logged(s)).toEqual(["step create v1", "step update v2"]);
    }, 5 * MIN);

    test("a trigger change replaces, even with update set: the new create runs before the old delete", () => {
        const s = stack(`replace-${kind}`);
        setSpec(s, [logging(s, "step", kind, "v1", { triggers: ["a", "b"] })]);
        must(up(s));
        setSpec(s, [logging(s, "step", kind, "v2", { triggers: ["a", "c"] })]);
        expect(plan(s)).toEqual({ step: ["replace"] });
        must(up(s));
        expect(logged(s)).toEqual(["step create v1", "step create v2", "step delete v1"]);
    }, 5 * MIN);

    test("deleteBeforeReplace runs the old delete first", () => {
        const s = stack(`dbr-${kind}`);
        setSpec(s, [logging(s, "step", kind, "v1", { triggers: ["a"], deleteBeforeReplace: true })]);
        must(up(s));
        setSpec(s, [logging(s, "step", kind, "v2", { triggers: ["b"], deleteBeforeReplace: true })]);
        expect(plan(s)).toEqual({ step: ["replace"] });
        must(up(s));
        expect(logged(s)).toEqual(["step create v1", "step delete v1", "step create v2"]);
        must(pulumi(s, ["destroy", "--yes", "--skip-preview"]));
        expect(logged(s)).toEqual(["step create v1", "step delete v1", "step create v2", "step delete v2"]);
    }, 5 * MIN);

    test("logging none keeps output out of the engine's log; the default logs it", () => {
        const s = stack(`logging-${kind}`);
        const port = kind === "remote" ? plain.port : undefined;
        // Computed text: the markers appear in what the commands print, not in their inputs.
        setSpec(s, [
            { name: "quiet", kind, port, logging: "none", create: "echo QUIET-OUT-$((6*7)); echo QUIET-ERR-$((6*7)) >&2" },
            { name: "loud", kind, port, create: "echo LOUD-OUT-$((6*7)); echo LOUD-ERR-$((6*7)) >&2" },
        ]);
        const r = up(s);
        must(r);
        const log = diagnostics(r.events);
        expect(log).toContain("LOUD-OUT-42");
        expect(log).toContain("LOUD-ERR-42");
        expect(log + r.out).not.toContain("QUIET-OUT-42");
        expect(log + r.out).not.toContain("QUIET-ERR-42");
    }, 5 * MIN);

    test("additionalSecretOutputs stores stdout encrypted", () => {
        const s = stack(`secret-${kind}`);
        const port = kind === "remote" ? plain.port : undefined;
        setSpec(s, [{ name: "token", kind, port, logging: "none", secretStdout: true, create: "echo TOKEN-VALUE-$((6 * 7))" }]);
        must(up(s));
        const state = must(pulumi(s, ["stack", "export"]));
        expect(state).not.toContain("TOKEN-VALUE-42");
        const res = (JSON.parse(state).deployment.resources as Array<{ urn: string; outputs?: Record<string, unknown> }>).find((x) => x.urn.endsWith("::token"));
        expect(res?.outputs?.stdout).toHaveProperty("ciphertext");
    }, 5 * MIN);

    test("a failure reports the command text and both streams, whatever logging says", () => {
        const s = stack(`failure-${kind}`);
        const port = kind === "remote" ? plain.port : undefined;
        setSpec(s, [{ name: "broken", kind, port, logging: "none", create: "echo FAIL-OUT; echo FAIL-ERR >&2; exit 7" }]);
        const r = up(s);
        expect(r.code).not.toBe(0);
        // os/exec's and x/crypto/ssh's wording of the exit status.
        expect(r.out).toContain(kind === "local" ? "exit status 7" : "Process exited with status 7");
        expect(r.out).toContain('running "echo FAIL-OUT; echo FAIL-ERR >&2; exit 7"');
        expect(r.out).toContain("FAIL-OUT");
        expect(r.out).toContain("FAIL-ERR");
    }, 5 * MIN);
});

describe("remote.Command over SSH", () => {
    test("previous outputs reach update as PULUMI_COMMAND_STDOUT when the server accepts them", () => {
        const s = stack("prev-accepted");
        const step = (gen: string): Res => ({
            name: "step", kind: "remote", port: accepting.port,
            create: `echo "out ${gen}"; ${note(s, `saw [$PULUMI_COMMAND_STDOUT]`)}`,
        });
        setSpec(s, [step("v1")]);
        must(up(s));
        setSpec(s, [step("v2")]);
        must(up(s));
        expect(logged(s)).toEqual(["saw []", "saw [out v1]"]);
    }, 5 * MIN);

    test("a refused PULUMI_COMMAND_STDOUT only warns, and the previous output never lands on the command line", () => {
        const s = stack("prev-refused");
        const step = (gen: string): Res => ({
            name: "step", kind: "remote", port: plain.port,
            // The output is computed, so that it does not appear in the command text itself.
            create: `echo "PREVIOUS-$((${gen} * 7))"; tr '\\0' ' ' < /proc/$$/cmdline >> ${logFile(s)}; echo >> ${logFile(s)}; ${note(s, `saw [$PULUMI_COMMAND_STDOUT]`)}`,
        });
        setSpec(s, [step("6")]);
        must(up(s));
        setSpec(s, [step("7")]);
        const r = up(s);
        must(r);
        expect(r.out + r.events).toContain("Unable to set 'PULUMI_COMMAND_STDOUT'");
        const lines = logged(s);
        expect(lines.filter((l) => l.startsWith("saw"))).toEqual(["saw []", "saw []"]);
        expect(lines.join("\n")).not.toContain("PREVIOUS-42");
        expect(lines.join("\n")).not.toContain("export ");
    }, 5 * MIN);

    test("environment the server refuses fails the step (nothing is moved onto the command line)", () => {
        const s = stack("env-refused");
        setSpec(s, [{ name: "step", kind: "remote", port: plain.port, environment: { CONFORMANCE_X: "1" }, create: note(s, "ran") }]);
        const r = up(s);
        expect(r.code).not.toBe(0);
        expect(r.out).toContain('could not set environment variable "CONFORMANCE_X"');
        expect(logged(s)).toEqual([]);
        const ok = stack("env-accepted");
        setSpec(ok, [{ name: "step", kind: "remote", port: accepting.port, environment: { CONFORMANCE_X: "42" }, create: note(ok, "x=$CONFORMANCE_X") }]);
        must(up(ok));
        expect(logged(ok)).toEqual(["x=42"]);
    }, 5 * MIN);

    test("an ed25519 host key pin works on a host that also has an RSA key; a wrong pin fails", () => {
        const s = stack("hostkey");
        setSpec(s, [{ name: "pinned", kind: "remote", port: plain.port, hostKey: plain.hostKeys.ed25519, create: note(s, "pinned ran") }]);
        must(up(s));
        expect(logged(s)).toEqual(["pinned ran"]);
        const bad = stack("hostkey-wrong");
        setSpec(bad, [{ name: "pinned", kind: "remote", port: plain.port, hostKey: accepting.hostKeys.ed25519, dialErrorLimit: 1, create: note(bad, "must not run") }]);
        const r = up(bad);
        expect(r.code).not.toBe(0);
        expect(r.out).toContain("host key mismatch");
        expect(logged(bad)).toEqual([]);
    }, 5 * MIN);

    test("dialErrorLimit N gives up after N+1 dials, as 1.2.1 counts them", async () => {
        // A separate process accepts and closes every connection (the test's own event loop is
        // blocked while pulumi runs) and counts them in a file.
        const port = await freePort();
        const counter = path.join(work, "dials");
        const refuser = spawn(process.execPath, ["-e", `
            const fs = require("fs"); let n = 0;
            require("net").createServer((c) => { fs.writeFileSync(${JSON.stringify(counter)}, String(++n)); c.destroy(); })
                .listen(${port}, "127.0.0.1", () => console.log("ready"));
            setTimeout(() => process.exit(0), 120000);`], { stdio: ["ignore", "pipe", "inherit"] });
        await new Promise((r) => refuser.stdout?.once("data", r));
        try {
            const s = stack("dial-limit");
            setSpec(s, [{ name: "unreachable", kind: "remote", port, dialErrorLimit: 2, perDialTimeout: 2, create: "true" }]);
            const r = up(s);
            expect(r.code).not.toBe(0);
            expect(r.out).toContain("after 2 failed attempts");
            expect(fs.readFileSync(counter, "utf8")).toBe("3");
        } finally {
            refuser.kill("SIGTERM");
        }
    }, 5 * MIN);
});
