// The swarm join token read as `pulumi up` reads it (command:local:run): the rendered command run
// with the real ssh client against a throwaway sshd on 127.0.0.1 whose sessions find a stub
// `docker` first on PATH. Pins the ssh options: the connection's key from stdin, no user
// configuration or agent, the pinned host key (ed25519 and RSA) accepted and no other.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { swarmTokenRead } from "../../components/render/swarm";
import { LoopbackSshd, startSshd } from "../support/loopback-sshd";

const TOKEN = "SWMTKN-1-loopbacktoken0000000000000000000000000000000-loopbacksecret00";

let dir: string;
let sshd: LoopbackSshd;

beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "swarm-token-"));
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(
        path.join(bin, "docker"),
        `#!/bin/sh\nif [ "$*" = "swarm join-token -q worker" ]; then echo ${TOKEN}; elif [ "$1" = info ]; then echo true; else echo "stub docker: $*" >&2; exit 1; fi\n`,
        { mode: 0o755 },
    );
    sshd = await startSshd(path.join(dir, "sshd"), { extraConfig: [`SetEnv PATH=${bin}:/usr/bin:/bin`] });
}, 60_000);

afterAll(async () => {
    await sshd?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
});

function read(hostKey: string | undefined, key = sshd.privateKey) {
    const script = swarmTokenRead({ address: "127.0.0.1", port: sshd.port, user: "root", dialRetries: 1, hostKey });
    // As command:local:run runs it: /bin/sh -c, the key on stdin; an empty HOME proves no user configuration is read.
    const home = fs.mkdtempSync(path.join(dir, "home-"));
    const r = spawnSync("/bin/sh", ["-c", script], { input: key, encoding: "utf8", timeout: 60_000, env: { PATH: "/usr/bin:/bin", HOME: home, TMPDIR: home } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, left: fs.readdirSync(home) };
}

describe("the swarm join token read over the manager's SSH connection", () => {
    it("parses with sh -n and passes shellcheck, with and without a pinned key", () => {
        for (const hostKey of [undefined, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPinned"]) {
            const script = swarmTokenRead({ address: "10.0.0.1", port: 22, user: "root", dialRetries: 10, hostKey });
            for (const [tool, args] of [["sh", ["-n"]], ["shellcheck", ["-s", "sh", "-S", "warning", "-"]]] as const) {
                const r = spawnSync(tool, [...args], { input: script, encoding: "utf8" });
                expect([tool, r.status, `${r.stdout}${r.stderr}`]).toEqual([tool, 0, ""]);
            }
        }
    });

    it("prints the token and nothing else, and leaves no key behind", () => {
        const r = read(undefined);
        expect([r.code, r.stdout, r.stderr]).toEqual([0, `${TOKEN}\n`, ""]);
        expect(r.left).toEqual([]);
    });

    it("accepts the pinned host key, ed25519 or ECDSA", () => {
        for (const k of [sshd.hostKeys.ed25519 as string, sshd.hostKeys.ecdsa as string]) {
            const r = read(k);
            expect([k.split(" ")[0], r.code, r.stdout]).toEqual([k.split(" ")[0], 0, `${TOKEN}\n`]);
        }
    });

    it("refuses a host that presents another key than the pinned one", () => {
        const other = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherHostKeyOtherHostKeyOtherHostKey00";
        const r = read(other);
        expect(r.code).not.toBe(0);
        expect(r.stdout).toBe("");
        expect(r.left).toEqual([]);
    });

    it("fails with another key than the connection's, printing no key", () => {
        const keyDir = fs.mkdtempSync(path.join(dir, "key-"));
        spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(keyDir, "k")]);
        const wrong = fs.readFileSync(path.join(keyDir, "k"), "utf8");
        const r = read(undefined, wrong);
        expect(r.code).not.toBe(0);
        expect(r.stdout).toBe("");
        for (const line of wrong.split("\n").filter((l) => l.length > 16 && !l.startsWith("-----"))) expect(r.stderr).not.toContain(line);
    });
});
