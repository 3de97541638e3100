// The stack program itself (infra/index.ts) through the real engine against two loopback sshd's
// standing in for the tutorial stack's hosts, one of which presents another key than the stack
// pins: `pulumi up` stops before anything is applied, naming the host and both fingerprints.
// Both servers run a ForceCommand that only logs and fails, so no step can change this machine
// even when it gets through; the Docker providers point at a socket that does not exist.
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { fingerprint } from "../../model/host-key";
import { isWarning } from "../../model/issues";
import { parseTopology } from "../../model/load";
import { secretUses } from "../../model/rules/secrets";
import { LoopbackSshd, startSshd } from "../support/loopback-sshd";
import { rawTopology } from "../support/stacks";

const REPO = path.resolve(__dirname, "../..");
const MIN = 60_000;
const STACK = "hostkey-e2e";

type Raw = any; // eslint-disable-line @typescript-eslint/no-explicit-any

let work: string;
let env: NodeJS.ProcessEnv;
let vm105: LoopbackSshd;
let vm107: LoopbackSshd;
let impostor: LoopbackSshd;
let stepLog: string;
let config: string;

function pulumiEnv(): NodeJS.ProcessEnv {
    const r = spawnSync("bash", ["-c", `. "${REPO}/tools/pulumi-env.sh" >/dev/null && env -0`], { encoding: "utf8", maxBuffer: 16 << 20 });
    if (r.status !== 0) throw new Error(`pulumi-env.sh failed: ${r.stderr}`);
    const e: NodeJS.ProcessEnv = {};
    for (const kv of r.stdout.split("\0").filter(Boolean)) {
        const i = kv.indexOf("=");
        e[kv.slice(0, i)] = kv.slice(i + 1);
    }
    delete e.PULUMI_CONFIG_PASSPHRASE_FILE;
    return { ...e, PULUMI_BACKEND_URL: `file://${work}/state`, PULUMI_CONFIG_PASSPHRASE: "conformance-only", HA_MYSQL_SSH_DIR: path.join(work, "ssh") };
}

function pulumi(args: string[], cwd: string, input?: string): { code: number; out: string } {
    const r = spawnSync("pulumi", [...args, "--stack", STACK, "--non-interactive"], { cwd, env, input, encoding: "utf8", timeout: 8 * MIN, maxBuffer: 64 << 20 });
    return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

function must(r: { code: number; out: string }): string {
    if (r.code !== 0) throw new Error(r.out);
    return r.out;
}

/** The tutorial stack's topology with its two hosts' SSH endpoints on the loopback servers and the given pins. */
function topology(pins: [string, string]): Raw {
    const t = structuredClone(rawTopology("Pulumi.tutorial.yaml")) as Raw;
    t.hosts[0].ssh = { address: "127.0.0.1", port: vm105.port, hostKey: pins[0], dialRetries: 1 };
    t.hosts[1].ssh = { address: "127.0.0.1", port: vm107.port, hostKey: pins[1], dialRetries: 1 };
    for (const h of t.hosts) h.docker = { host: `unix://${work}/no-docker.sock` };
    return t;
}

/** Writes the stack's config file (salt, topology) and sets every secret it names. */
function configure(t: Raw): void {
    const salt = fs.readFileSync(path.join(work, "salt"), "utf8");
    fs.writeFileSync(config, `${salt}${stringify({ config: { "ha-mysql:topology": t } })}`);
    const parsed = parseTopology(t);
    // Two hosts stand in for three: the warning about the Galera majority is expected.
    const errors = parsed.issues.filter((i) => !isWarning(i));
    if (!parsed.topology || errors.length > 0) throw new Error(JSON.stringify(errors));
    for (const use of secretUses(parsed.topology)) {
        const value = use.kind === "sshKey" ? vm105.privateKey : use.kind === "vrrpAuth" ? crypto.randomBytes(4).toString("hex") : `Pw-${crypto.randomBytes(9).toString("hex")}`;
        must(pulumi(["config", "set", "--secret", "--config-file", config, use.key], path.join(work, "scratch"), value));
    }
}

const steps = () => (fs.existsSync(stepLog) ? fs.readFileSync(stepLog, "utf8").trim().split("\n") : []);

beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "stack-host-key-"));
    stepLog = path.join(work, "steps.log");
    config = path.join(work, `Pulumi.${STACK}.yaml`);
    const standIn = { extraConfig: [`ForceCommand echo "step on port $(echo $SSH_CONNECTION | cut -d' ' -f4)" >> ${stepLog}; exit 3`] };
    vm105 = await startSshd(path.join(work, "vm105"), standIn);
    vm107 = await startSshd(path.join(work, "vm107"), standIn);
    impostor = await startSshd(path.join(work, "impostor"));
    fs.copyFileSync(path.join(work, "vm105", "client.pub"), path.join(work, "vm107", "authorized_keys"));
    env = pulumiEnv();
    // The stack is created in a scratch copy of the project, as lab/stack.sh does: Pulumi then
    // reads the config file given with --config-file, and nothing is written into the repository.
    fs.mkdirSync(path.join(work, "scratch"));
    fs.mkdirSync(path.join(work, "state"));
    fs.copyFileSync(path.join(REPO, "Pulumi.yaml"), path.join(work, "scratch", "Pulumi.yaml"));
    must(pulumi(["stack", "init", "--secrets-provider", "passphrase"], path.join(work, "scratch")));
    const created = fs.readFileSync(path.join(work, "scratch", `Pulumi.${STACK}.yaml`), "utf8");
    fs.writeFileSync(path.join(work, "salt"), `${/^encryptionsalt: .*$/m.exec(created)?.[0]}\n`);
}, 10 * MIN);

afterAll(async () => {
    await vm105?.stop();
    await vm107?.stop();
    await impostor?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe("pulumi up of the stack program", () => {
    it("stops before anything is applied when a host presents another key than the stack pins", () => {
        // vm107 is pinned to a key it does not have (the impostor's).
        configure(topology([vm105.hostKeys.ed25519 as string, impostor.hostKeys.ed25519 as string]));
        // A preview runs no step: it plans the checks and, waiting for them, everything else.
        const plan = pulumi(["preview", "--config-file", config], REPO);
        if (plan.code !== 0) process.stderr.write(plan.out);
        expect([plan.code, plan.out]).toEqual([0, expect.stringContaining("+ ")]);
        expect(plan.out).toMatch(/command:local:Command\s+vm107-host-key\s+create/);
        // Even with --continue-on-error, which goes on with everything that does not wait for the failed step.
        const r = pulumi(["up", "--yes", "--skip-preview", "--continue-on-error", "--config-file", config], REPO);
        expect(r.code).not.toBe(0);
        expect(r.out).toContain(`host vm107 (127.0.0.1) presented ${fingerprint(vm107.hostKeys.ed25519 as string)} ; the stack pins ${fingerprint(impostor.hostKeys.ed25519 as string)}`);
        expect(r.out).toContain('running "sh -s # compares the key vm107 presents with hosts[1].ssh.hostKey (the script is on stdin)":');
        expect(steps()).toEqual([]);
        const state = JSON.parse(must(pulumi(["stack", "export"], REPO))) as { deployment: { resources?: Array<{ type: string; urn: string }> } };
        const custom = (state.deployment.resources ?? []).filter((x) => !x.type.startsWith("ha-mysql:") && !x.type.startsWith("pulumi:"));
        // Only vm105's check got through, besides the stack's CA and certificates, which are made on
        // this machine and dial no host; no remote step, no Docker provider, nothing else.
        const made = custom.map((x) => `${x.type} ${x.urn.split("::").pop()}`).filter((x) => !/^command:local:Command tls-/.test(x));
        expect(made).toEqual(["command:local:Command vm105-host-key"]);
        expect((state.deployment.resources ?? []).some((x) => x.type === "pulumi:providers:docker")).toBe(false);
    }, 10 * MIN);

    it("with the right pins the checks pass and the steps reach the hosts (whose stand-in refuses them)", () => {
        configure(topology([vm105.hostKeys.ed25519 as string, vm107.hostKeys.ed25519 as string]));
        // --continue-on-error: the first refused step does not keep the other host's from starting.
        const r = pulumi(["up", "--yes", "--skip-preview", "--continue-on-error", "--config-file", config], REPO);
        expect(r.code).not.toBe(0);
        expect(r.out).toContain(`host vm107 (127.0.0.1) presents the pinned ssh-ed25519 key ${fingerprint(vm107.hostKeys.ed25519 as string)}`);
        expect(r.out).toContain("Process exited with status 3");
        // Both hosts were reached with the pinned keys and the stack's private key.
        expect(new Set(steps())).toEqual(new Set([`step on port ${vm105.port}`, `step on port ${vm107.port}`]));
    }, 10 * MIN);
});
