// The SSH trust of the product's own steps, with the machine's OpenSSH client against loopback
// sshd's:
// - the host key check (components/render/host-key-check.ts), run as the local step runs it;
// - the Docker provider's ssh (components/host/docker-ssh.ts): what the docker CLI's connection
//   helper runs for an ssh:// host is `ssh <sshOpts> -T -l <user> -p <port> -- <host> docker
//   system dial-stdio`; here the remote command is `echo`. ssh runs in a private mount namespace
//   where the user's home directory (ssh takes it from the passwd entry, not $HOME) is a hostile
//   one, and an agent holds the key the server trusts, to show that neither is ever used. The
//   machine's real home directory is not touched.
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { dockerSsh, writeDockerSsh } from "../../components/host/docker-ssh";
import { hostKeyCheckStep, SCAN_PAUSE_S } from "../../components/render/host-key-check";
import { fingerprint } from "../../model/host-key";
import { HostSchema } from "../../model/schema";
import { freePort, LoopbackSshd, startSshd } from "../support/loopback-sshd";

let work: string;
let home: string;
let server: LoopbackSshd;
let other: LoopbackSshd;
let rsaOnly: LoopbackSshd;

const host = (pin: string | undefined, port: number, dialRetries = 10) =>
    HostSchema.parse({ name: "lab1", ssh: { address: "127.0.0.1", port, hostKey: pin, dialRetries }, lan: { interface: "eth0", address: "127.0.0.1/8" } });

/** Runs the check as the local step does (sh -c, the operator's environment). */
function check(pin: string | undefined, port: number, dialRetries = 10): { code: number; stdout: string; stderr: string; ms: number } {
    const started = Date.now();
    const step = hostKeyCheckStep(host(pin, port, dialRetries), 3);
    const r = spawnSync("sh", ["-c", step.create], { input: step.stdin ?? "", encoding: "utf8", timeout: 120_000 });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

let agent: { pid: number; sock: string } | undefined;
const realHome = os.userInfo().homedir;

/**
 * Writes the files for a host as the program does, then runs ssh as the connection helper would,
 * with the hostile home mounted over the user's home directory and the agent's socket set.
 */
function dial(pin: string | undefined, privateKey: string, base: string): { code: number; out: string } {
    const d = dockerSsh(host(pin, server.port), privateKey, "ha-mysql", "conformance", base);
    if (!d) throw new Error("no ssh trust for an ssh:// host");
    writeDockerSsh(d, base);
    const ssh = ["ssh", ...d.sshOpts, "-T", "-l", "root", "-p", String(server.port), "--", "127.0.0.1", "echo dialled"];
    const r = spawnSync("unshare", ["--mount", "--propagation", "private", "sh", "-c", 'mount --bind "$0" "$1" && shift && exec "$@"', home, realHome, ...ssh], {
        encoding: "utf8",
        timeout: 30_000,
        env: { PATH: process.env.PATH, HOME: realHome, SSH_AUTH_SOCK: agent?.sock },
    });
    return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "docker-ssh-"));
    server = await startSshd(path.join(work, "sshd"));
    other = await startSshd(path.join(work, "sshd-other"));
    rsaOnly = await startSshd(path.join(work, "sshd-rsa-only"), { hostKeyTypes: ["rsa"] });
    // A hostile home: its config sends every connection nowhere, its known_hosts holds another
    // key for the server, and its default key is the one the server trusts.
    home = path.join(work, "home");
    fs.mkdirSync(path.join(home, ".ssh"), { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(home, ".ssh", "config"), "Host *\n  ProxyCommand false\n", { mode: 0o600 });
    fs.writeFileSync(path.join(home, ".ssh", "known_hosts"), `[127.0.0.1]:${server.port} ${other.hostKeys.ed25519}\n`, { mode: 0o600 });
    fs.writeFileSync(path.join(home, ".ssh", "id_ed25519"), server.privateKey, { mode: 0o600 });
    // An agent holding the key the server trusts, started and stopped by PID.
    const sock = path.join(work, "agent.sock");
    const started = execFileSync("ssh-agent", ["-s", "-a", sock], { encoding: "utf8" });
    agent = { pid: Number(/SSH_AGENT_PID=(\d+)/.exec(started)?.[1]), sock };
    execFileSync("ssh-add", ["-q", path.join(work, "sshd", "client")], { env: { PATH: process.env.PATH, SSH_AUTH_SOCK: sock }, stdio: "pipe" });
}, 60_000);

afterAll(async () => {
    await server?.stop();
    await other?.stop();
    await rsaOnly?.stop();
    if (agent?.pid) process.kill(agent.pid, "SIGTERM");
    if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe("the host key check", () => {
    const fp = (k: string | undefined) => fingerprint(k as string);

    it.each(["ed25519", "ecdsa"] as const)("passes when the host presents the pinned %s key", (type) => {
        const r = check(server.hostKeys[type], server.port);
        expect(r).toMatchObject({ code: 0, stderr: "" });
        expect(r.stdout).toBe(`host lab1 (127.0.0.1) presents the pinned ${type === "ed25519" ? "ssh-ed25519" : "ecdsa-sha2-nistp256"} key ${fp(server.hostKeys[type])}\n`);
    });

    it("fails naming the host, the key it presented and the pinned one", () => {
        const r = check(other.hostKeys.ed25519, server.port);
        expect(r.code).toBe(1);
        const [first, second] = r.stderr.split("\n");
        expect(first).toBe(`host lab1 (127.0.0.1) presented ${fp(server.hostKeys.ed25519)} ; the stack pins ${fp(other.hostKeys.ed25519)}`);
        expect(second).toContain(`Nothing was applied. If the host was reinstalled, confirm its new key out of band (ssh-keyscan -t ed25519 -p ${server.port} 127.0.0.1`);
        expect(second).toContain("hosts[3].ssh.hostKey");
    });

    it("fails naming the keys a host has when it has none of the pinned type", () => {
        const r = check(other.hostKeys.ed25519, rsaOnly.port);
        expect(r.code).toBe(1);
        expect(r.stderr.split("\n")[0]).toBe(`host lab1 (127.0.0.1) presented no ssh-ed25519 key, only ${fp(rsaOnly.hostKeys.rsa)} (ssh-rsa) ; the stack pins ${fp(other.hostKeys.ed25519)}`);
    });

    it("scans dialRetries times a host that does not answer, then fails saying so", async () => {
        const port = await freePort();
        const r = check(server.hostKeys.ed25519, port, 2);
        expect(r.code).toBe(1);
        expect(r.stderr).toBe(`host lab1 (127.0.0.1) did not answer ssh-keyscan on port ${port} (2 attempts): its host key cannot be compared with the pin ${fp(server.hostKeys.ed25519)}\n`);
        expect(r.ms).toBeGreaterThanOrEqual(SCAN_PAUSE_S * 1000);
    });

    it("without a pin, says that nothing is checked", () => {
        expect(check(undefined, server.port)).toMatchObject({ code: 0, stdout: "host lab1 (127.0.0.1) has no pinned host key (hosts[3].ssh.hostKey): its key is not checked, any key is accepted\n" });
    });
});

describe("the Docker provider's ssh", () => {
    it.each(["ed25519", "ecdsa"] as const)("logs in with the stack's key when the host presents its pinned %s key, whatever ~/.ssh and the agent hold", (type) => {
        const r = dial(server.hostKeys[type], server.privateKey, path.join(work, `ok-${type}`));
        expect(r).toEqual({ code: 0, out: "dialled\n" });
    });

    it("refuses a host presenting another key than the pin", () => {
        const r = dial(other.hostKeys.ed25519, server.privateKey, path.join(work, "wrong-pin"));
        expect(r.code).not.toBe(0);
        expect(r.out).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
        expect(r.out).not.toContain("dialled");
    });

    it("offers the stack's key only, never the operator's default key or the agent's", () => {
        const r = dial(server.hostKeys.ed25519, other.privateKey, path.join(work, "other-key"));
        expect(r.code).not.toBe(0);
        expect(r.out).toMatch(/Permission denied \(publickey\)/);
    });

    it("without a pin, accepts any host key with the stack's key, and keeps no known_hosts", () => {
        const base = path.join(work, "unpinned");
        const r = dial(undefined, server.privateKey, base);
        expect(r).toEqual({ code: 0, out: "dialled\n" });
        expect(fs.readdirSync(path.join(base, "ha-mysql", "conformance", "lab1"))).toEqual(["id"]);
    });
});
