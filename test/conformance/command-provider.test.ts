// Conformance of the offline command provider with pulumi-command 1.2.1, through the real
// engine (the CLI built by tools/install-pulumi.sh), the real @pulumi/command SDK and loopback
// sshd's started and stopped by this suite. Each test drives one stack of test/conformance/program
// and reads what the commands themselves logged.
//
// Every test runs once per provider binary: the offline one (tools/pulumi-command-offline, always),
// and each further pulumi-resource-command binary listed in CONFORMANCE_COMMAND_PLUGINS
// ("label=/path/to/pulumi-resource-command,..."), e.g. Pulumi's own 1.2.1 release, so that both
// are held to the same expectations. Each provider gets its own PULUMI_HOME and backend.
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { freePort, LoopbackSshd, startSshd } from "../support/loopback-sshd";
import { fingerprint, hostKeyCheckStep } from "../../components/render/host-key-check";
import { HostSchema } from "../../model/schema";
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

interface Provider {
    readonly label: string;
    /** A pulumi-resource-command binary that reports version 1.2.1. */
    readonly bin: string;
}

/** The providers under test: the offline one, then those CONFORMANCE_COMMAND_PLUGINS names. */
function providers(): Provider[] {
    const offline: Provider = { label: "offline provider", bin: "" }; // resolved in beforeAll
    const extra = (process.env.CONFORMANCE_COMMAND_PLUGINS ?? "")
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean)
        .map((x) => {
            const i = x.indexOf("=");
            if (i <= 0 || !fs.existsSync(x.slice(i + 1))) throw new Error(`CONFORMANCE_COMMAND_PLUGINS: "${x}" is not label=<existing binary>`);
            return { label: x.slice(0, i), bin: x.slice(i + 1) };
        });
    return [offline, ...extra];
}

let work: string;
let baseEnv: NodeJS.ProcessEnv;
let offlineBin: string;
let plain: LoopbackSshd; // OpenSSH's default: no AcceptEnv; RSA, ECDSA and ed25519 host keys
let accepting: LoopbackSshd; // AcceptEnv PULUMI_COMMAND_* CONFORMANCE_*
let rsaOnly: LoopbackSshd; // a host whose only key is RSA

/** The variables tools/pulumi-env.sh exports, with a passphrase; backend and home per provider. */
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
    return { ...e, PULUMI_CONFIG_PASSPHRASE: "conformance-only", PULUMI_DEBUG_COMMANDS: "true" };
}

/** One provider's private Pulumi home (with that binary as the command plugin 1.2.1), backend and program. */
class Engine {
    dir = "";
    env: NodeJS.ProcessEnv = {};

    setUp(p: Provider): void {
        this.dir = path.join(work, p.label.replace(/[^A-Za-z0-9.-]+/g, "-"));
        for (const d of ["home", "state"]) fs.mkdirSync(path.join(this.dir, d), { recursive: true });
        fs.cpSync(path.join(__dirname, "program"), path.join(this.dir, "program"), { recursive: true });
        fs.symlinkSync(path.join(REPO, "node_modules"), path.join(this.dir, "program", "node_modules"));
        this.env = { ...baseEnv, PULUMI_HOME: path.join(this.dir, "home"), PULUMI_BACKEND_URL: `file://${this.dir}/state` };
        const r = spawnSync("pulumi", ["plugin", "install", "resource", "command", "1.2.1", "--file", p.bin || offlineBin], { env: this.env, encoding: "utf8" });
        if (r.status !== 0) throw new Error(`installing ${p.bin || offlineBin}: ${r.stdout}${r.stderr}`);
        // The engine runs exactly that binary.
        const installed = path.join(this.dir, "home", "plugins", "resource-command-v1.2.1", "pulumi-resource-command");
        if (fs.readFileSync(installed).toString("hex") !== fs.readFileSync(p.bin || offlineBin).toString("hex")) throw new Error(`${installed} is not ${p.bin || offlineBin}`);
    }

    pulumi(stack: string, args: string[], input?: string): { code: number; out: string; stdout: string } {
        const r = spawnSync("pulumi", [...args, "--stack", stack, "--non-interactive"], {
            cwd: path.join(this.dir, "program"),
            env: this.env,
            input,
            encoding: "utf8",
            timeout: 5 * MIN,
            maxBuffer: 64 << 20,
        });
        return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
    }

    /** A new stack for one test, with the client key as a secret config value. */
    stack(name: string): string {
        must(this.pulumi(name, ["stack", "init"]));
        must(this.pulumi(name, ["config", "set", "--secret", "key"], plain.privateKey));
        return name;
    }

    setSpec(s: string, resources: Res[]): void {
        must(this.pulumi(s, ["config", "set", "spec", JSON.stringify({ resources })]));
    }

    /** `pulumi up`; the engine's event log is returned with the output. */
    up(s: string): { code: number; out: string; events: string } {
        const events = path.join(this.dir, `${s}-events-${Date.now()}.json`);
        const r = this.pulumi(s, ["up", "--yes", "--skip-preview", "--event-log", events]);
        return { ...r, events: fs.existsSync(events) ? fs.readFileSync(events, "utf8") : "" };
    }

    /** The operations a preview plans, by resource name ("same" left out). */
    plan(s: string): Record<string, string[]> {
        const r = this.pulumi(s, ["preview", "--json"]);
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

    logFile(s: string): string {
        return path.join(this.dir, `${s}.log`);
    }

    logged(s: string): string[] {
        const f = this.logFile(s);
        return fs.existsSync(f) ? fs.readFileSync(f, "utf8").trim().split("\n") : [];
    }

    note(s: string, what: string): string {
        return `echo "${what}" >> ${this.logFile(s)}`;
    }

    /** A command resource that logs its create (or update) and its delete with a generation tag. */
    logging(s: string, name: string, kind: "local" | "remote", gen: string, extra: Partial<Res> = {}): Res {
        return {
            name,
            kind,
            create: this.note(s, `${name} create ${gen}`),
            update: this.note(s, `${name} update ${gen}`),
            delete: this.note(s, `${name} delete ${gen}`),
            port: kind === "remote" ? plain.port : undefined,
            ...extra,
        };
    }
}

function must(r: { code: number; out: string }): string {
    if (r.code !== 0) throw new Error(r.out);
    return r.out;
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

beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "command-conformance-"));
    plain = await startSshd(path.join(work, "sshd-plain"));
    accepting = await startSshd(path.join(work, "sshd-accepting"), { acceptEnv: ["PULUMI_COMMAND_*", "CONFORMANCE_*"] });
    rsaOnly = await startSshd(path.join(work, "sshd-rsa-only"), { hostKeyTypes: ["rsa"] });
    // Every server trusts the same client key.
    for (const d of ["sshd-accepting", "sshd-rsa-only"]) fs.copyFileSync(path.join(work, "sshd-plain", "client.pub"), path.join(work, d, "authorized_keys"));
    baseEnv = pulumiEnv();
    offlineBin = path.join(baseEnv.PULUMI_OFFLINE_BIN as string, "pulumi-resource-command");
}, 15 * MIN);

afterAll(async () => {
    await plain?.stop();
    await accepting?.stop();
    await rsaOnly?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe.each(providers().map((p) => [p.label, p] as const))("%s", (_label, provider) => {
    const e = new Engine();
    beforeAll(() => e.setUp(provider), 5 * MIN);

    describe.each(["local", "remote"] as const)("%s.Command", (kind) => {
        test("a create change updates in place: update runs, the old delete does not", () => {
            const s = e.stack(`update-${kind}`);
            e.setSpec(s, [e.logging(s, "step", kind, "v1", { triggers: ["t"] })]);
            must(e.up(s));
            e.setSpec(s, [e.logging(s, "step", kind, "v2", { triggers: ["t"] })]);
            expect(e.plan(s)).toEqual({ step: ["update"] });
            must(e.up(s));
            expect(e.logged(s)).toEqual(["step create v1", "step update v2"]);
        }, 5 * MIN);

        test("a trigger change replaces, even with update set: the new create runs before the old delete", () => {
            const s = e.stack(`replace-${kind}`);
            e.setSpec(s, [e.logging(s, "step", kind, "v1", { triggers: ["a", "b"] })]);
            must(e.up(s));
            e.setSpec(s, [e.logging(s, "step", kind, "v2", { triggers: ["a", "c"] })]);
            expect(e.plan(s)).toEqual({ step: ["replace"] });
            must(e.up(s));
            expect(e.logged(s)).toEqual(["step create v1", "step create v2", "step delete v1"]);
        }, 5 * MIN);

        test("deleteBeforeReplace runs the old delete first", () => {
            const s = e.stack(`dbr-${kind}`);
            e.setSpec(s, [e.logging(s, "step", kind, "v1", { triggers: ["a"], deleteBeforeReplace: true })]);
            must(e.up(s));
            e.setSpec(s, [e.logging(s, "step", kind, "v2", { triggers: ["b"], deleteBeforeReplace: true })]);
            expect(e.plan(s)).toEqual({ step: ["replace"] });
            must(e.up(s));
            expect(e.logged(s)).toEqual(["step create v1", "step delete v1", "step create v2"]);
            must(e.pulumi(s, ["destroy", "--yes", "--skip-preview"]));
            expect(e.logged(s)).toEqual(["step create v1", "step delete v1", "step create v2", "step delete v2"]);
        }, 5 * MIN);

        test("logging none keeps output out of the engine's log; the default logs it", () => {
            const s = e.stack(`logging-${kind}`);
            const port = kind === "remote" ? plain.port : undefined;
            // Computed text: the markers appear in what the commands print, not in their inputs.
            e.setSpec(s, [
                { name: "quiet", kind, port, logging: "none", create: "echo QUIET-OUT-$((6*7)); echo QUIET-ERR-$((6*7)) >&2" },
                { name: "loud", kind, port, create: "echo LOUD-OUT-$((6*7)); echo LOUD-ERR-$((6*7)) >&2" },
            ]);
            const r = e.up(s);
            must(r);
            const log = diagnostics(r.events);
            expect(log).toContain("LOUD-OUT-42");
            expect(log).toContain("LOUD-ERR-42");
            expect(log + r.out).not.toContain("QUIET-OUT-42");
            expect(log + r.out).not.toContain("QUIET-ERR-42");
        }, 5 * MIN);

        test("additionalSecretOutputs stores stdout encrypted", () => {
            const s = e.stack(`secret-${kind}`);
            const port = kind === "remote" ? plain.port : undefined;
            e.setSpec(s, [{ name: "token", kind, port, logging: "none", secretStdout: true, create: "echo TOKEN-VALUE-$((6 * 7))" }]);
            must(e.up(s));
            const state = must(e.pulumi(s, ["stack", "export"]));
            expect(state).not.toContain("TOKEN-VALUE-42");
            const res = (JSON.parse(state).deployment.resources as Array<{ urn: string; outputs?: Record<string, unknown> }>).find((x) => x.urn.endsWith("::token"));
            expect(res?.outputs?.stdout).toHaveProperty("ciphertext");
        }, 5 * MIN);

        test("a failure reports the command text and both streams, whatever logging says", () => {
            const s = e.stack(`failure-${kind}`);
            const port = kind === "remote" ? plain.port : undefined;
            e.setSpec(s, [{ name: "broken", kind, port, logging: "none", create: "echo FAIL-OUT; echo FAIL-ERR >&2; exit 7" }]);
            const r = e.up(s);
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
            const s = e.stack("prev-accepted");
            const step = (gen: string): Res => ({
                name: "step", kind: "remote", port: accepting.port,
                create: `echo "out ${gen}"; ${e.note(s, `saw [$PULUMI_COMMAND_STDOUT]`)}`,
            });
            e.setSpec(s, [step("v1")]);
            must(e.up(s));
            e.setSpec(s, [step("v2")]);
            must(e.up(s));
            expect(e.logged(s)).toEqual(["saw []", "saw [out v1]"]);
        }, 5 * MIN);

        test("a refused PULUMI_COMMAND_STDOUT only warns, and the previous output never lands on the command line", () => {
            const s = e.stack("prev-refused");
            const step = (gen: string): Res => ({
                name: "step", kind: "remote", port: plain.port,
                // The output is computed, so that it does not appear in the command text itself.
                create: `echo "PREVIOUS-$((${gen} * 7))"; tr '\\0' ' ' < /proc/$$/cmdline >> ${e.logFile(s)}; echo >> ${e.logFile(s)}; ${e.note(s, `saw [$PULUMI_COMMAND_STDOUT]`)}`,
            });
            e.setSpec(s, [step("6")]);
            must(e.up(s));
            e.setSpec(s, [step("7")]);
            const r = e.up(s);
            must(r);
            expect(r.out + r.events).toContain("Unable to set 'PULUMI_COMMAND_STDOUT'");
            const lines = e.logged(s);
            expect(lines.filter((l) => l.startsWith("saw"))).toEqual(["saw []", "saw []"]);
            expect(lines.join("\n")).not.toContain("PREVIOUS-42");
            expect(lines.join("\n")).not.toContain("export ");
        }, 5 * MIN);

        test("environment the server refuses fails the step (nothing is moved onto the command line)", () => {
            const s = e.stack("env-refused");
            e.setSpec(s, [{ name: "step", kind: "remote", port: plain.port, environment: { CONFORMANCE_X: "1" }, create: e.note(s, "ran") }]);
            const r = e.up(s);
            expect(r.code).not.toBe(0);
            expect(r.out).toContain('could not set environment variable "CONFORMANCE_X"');
            expect(e.logged(s)).toEqual([]);
            const ok = e.stack("env-accepted");
            e.setSpec(ok, [{ name: "step", kind: "remote", port: accepting.port, environment: { CONFORMANCE_X: "42" }, create: e.note(ok, "x=$CONFORMANCE_X") }]);
            must(e.up(ok));
            expect(e.logged(ok)).toEqual(["x=42"]);
        }, 5 * MIN);

        test("ed25519 and ECDSA pins work on a host that also has an RSA key; a wrong pin fails with only \"ssh: host key mismatch\"", () => {
            const s = e.stack("hostkey");
            e.setSpec(s, [
                { name: "ed25519", kind: "remote", port: plain.port, hostKey: plain.hostKeys.ed25519, create: e.note(s, "ed25519 pin ran") },
                { name: "ecdsa", kind: "remote", port: plain.port, hostKey: plain.hostKeys.ecdsa, create: e.note(s, "ecdsa pin ran") },
            ]);
            must(e.up(s));
            expect(e.logged(s).sort()).toEqual(["ecdsa pin ran", "ed25519 pin ran"]);
            const bad = e.stack("hostkey-wrong");
            e.setSpec(bad, [{ name: "pinned", kind: "remote", port: plain.port, hostKey: accepting.hostKeys.ed25519, dialErrorLimit: 1, create: e.note(bad, "must not run") }]);
            const r = e.up(bad);
            expect(r.code).not.toBe(0);
            expect(r.out).toContain("ssh: handshake failed: ssh: host key mismatch");
            // Neither the host nor a fingerprint: the product's own check says those.
            expect(r.out).not.toContain("SHA256:");
            expect(e.logged(bad)).toEqual([]);
        }, 5 * MIN);

        test("an ssh-rsa pin never connects to OpenSSH 9.2: only the SHA-1 ssh-rsa signature is offered, which the server refuses", () => {
            // HostKeyAlgorithms is the pin's type, "ssh-rsa"; OpenSSH 8.8 and later offer only
            // rsa-sha2-256/512 for an RSA key, whether or not the host has other keys.
            const s = e.stack("hostkey-rsa");
            e.setSpec(s, [
                { name: "rsa-among-others", kind: "remote", port: plain.port, hostKey: plain.hostKeys.rsa, dialErrorLimit: 1, create: e.note(s, "must not run") },
                { name: "rsa-only-host", kind: "remote", port: rsaOnly.port, hostKey: rsaOnly.hostKeys.rsa, dialErrorLimit: 1, create: e.note(s, "must not run") },
            ]);
            const r = e.up(s);
            expect(r.code).not.toBe(0);
            const refusals = r.out.match(/after 1 failed attempts: ssh: handshake failed: ssh: no common algorithm for host key; we offered: \[ssh-rsa\], peer offered: \[[^\]]*rsa-sha2-512[^\]]*\]/g) ?? [];
            expect(new Set(refusals).size).toBe(2); // one peer list with ecdsa and ed25519 in it, one without
            expect(refusals.some((x) => x.includes("ssh-ed25519") && x.includes("ecdsa-sha2-nistp256"))).toBe(true);
            expect(refusals.some((x) => !x.includes("ssh-ed25519"))).toBe(true);
            expect(e.logged(s)).toEqual([]);
        }, 5 * MIN);

        test("the product's host key check, as a local step, passes on the pinned key and fails `pulumi up` naming the host and both fingerprints", () => {
            const host = (pin: string | undefined, port: number) =>
                HostSchema.parse({ name: "lab1", ssh: { address: "127.0.0.1", port, hostKey: pin, dialRetries: 1 }, lan: { interface: "eth0", address: "127.0.0.1/8" } });
            const s = e.stack("hostkey-check");
            e.setSpec(s, [
                { name: "ed25519", kind: "local", ...hostKeyCheckStep(host(plain.hostKeys.ed25519, plain.port), 0) },
                { name: "ecdsa", kind: "local", ...hostKeyCheckStep(host(plain.hostKeys.ecdsa, plain.port), 0) },
            ]);
            const ok = e.up(s);
            must(ok);
            expect(ok.out).toContain(`host lab1 (127.0.0.1) presents the pinned ssh-ed25519 key ${fingerprint(plain.hostKeys.ed25519 as string)}`);
            expect(ok.out).toContain(`host lab1 (127.0.0.1) presents the pinned ecdsa-sha2-nistp256 key ${fingerprint(plain.hostKeys.ecdsa as string)}`);
            const bad = e.stack("hostkey-check-wrong");
            e.setSpec(bad, [{ name: "check", kind: "local", ...hostKeyCheckStep(host(accepting.hostKeys.ed25519, plain.port), 0) }]);
            const r = e.up(bad);
            expect(r.code).not.toBe(0);
            expect(r.out).toContain(`host lab1 (127.0.0.1) presented ${fingerprint(plain.hostKeys.ed25519 as string)} ; the stack pins ${fingerprint(accepting.hostKeys.ed25519 as string)}`);
            expect(r.out).toContain(`running "sh -s # compares the key lab1 presents with hosts[0].ssh.hostKey (the script is on stdin)":`);
            expect(r.out).toContain("Nothing was applied.");
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
                const s = e.stack("dial-limit");
                e.setSpec(s, [{ name: "unreachable", kind: "remote", port, dialErrorLimit: 2, perDialTimeout: 2, create: "true" }]);
                const r = e.up(s);
                expect(r.code).not.toBe(0);
                expect(r.out).toContain("after 2 failed attempts");
                expect(fs.readFileSync(counter, "utf8")).toBe("3");
            } finally {
                refuser.kill("SIGTERM");
            }
        }, 5 * MIN);
    });
});
