// A throwaway sshd on 127.0.0.1 with its own host keys (by default RSA, ECDSA P-256 and ed25519)
// and client key, for tests of the command provider and of the host key checks. Started by PID and
// stopped by PID.
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";

export interface LoopbackSshd {
    readonly port: number;
    readonly privateKey: string;
    /** authorized_keys lines ("<type> <base64>") of the host keys it has, by type. */
    readonly hostKeys: Partial<Record<HostKeyType, string>>;
    stop(): Promise<void>;
}

function keygen(type: string, file: string): void {
    const r = spawnSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-f", file], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`ssh-keygen -t ${type}: ${r.stderr}`);
}

export type HostKeyType = "ed25519" | "ecdsa" | "rsa";

export interface SshdOptions {
    /** AcceptEnv patterns; none: the OpenSSH default. */
    readonly acceptEnv?: string[];
    /** The host keys the server has (default all three). */
    readonly hostKeyTypes?: HostKeyType[];
    /** Further sshd_config lines, e.g. a ForceCommand that stands in for every command. */
    readonly extraConfig?: string[];
}

export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
    });
}

async function waitForGreeting(port: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        const ok = await new Promise<boolean>((resolve) => {
            const c = net.connect(port, "127.0.0.1");
            c.setTimeout(500);
            c.once("data", (d) => { c.destroy(); resolve(d.toString().startsWith("SSH-")); });
            c.once("error", () => resolve(false));
            c.once("timeout", () => { c.destroy(); resolve(false); });
        });
        if (ok) return;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`sshd on 127.0.0.1:${port} did not greet within ${timeoutMs} ms`);
}

/** Starts sshd in dir with the given host keys and AcceptEnv patterns. */
export async function startSshd(dir: string, options: SshdOptions = {}): Promise<LoopbackSshd> {
    const acceptEnv = options.acceptEnv ?? [];
    const types = options.hostKeyTypes ?? ["rsa", "ecdsa", "ed25519"];
    fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync("/run/sshd", { recursive: true });
    const f = (n: string) => path.join(dir, n);
    for (const t of types) keygen(t, f(`host_${t}`));
    keygen("ed25519", f("client"));
    fs.copyFileSync(f("client.pub"), f("authorized_keys"));
    const port = await freePort();
    fs.writeFileSync(
        f("sshd_config"),
        [
            `Port ${port}`,
            "ListenAddress 127.0.0.1",
            ...types.map((t) => `HostKey ${f(`host_${t}`)}`),
            `AuthorizedKeysFile ${f("authorized_keys")}`,
            `PidFile ${f("sshd.pid")}`,
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            "Subsystem sftp internal-sftp",
            ...(acceptEnv.length ? [`AcceptEnv ${acceptEnv.join(" ")}`] : []),
            ...(options.extraConfig ?? []),
            "",
        ].join("\n"),
    );
    const sshd: ChildProcess = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", f("sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    sshd.stderr?.on("data", (d) => (log += d.toString()));
    try {
        await waitForGreeting(port, 10_000);
    } catch (e) {
        sshd.kill("SIGKILL");
        throw new Error(`${(e as Error).message}\n${log}`);
    }
    const pub = (t: string) => fs.readFileSync(f(`host_${t}.pub`), "utf8").trim().split(" ").slice(0, 2).join(" ");
    return {
        port,
        privateKey: fs.readFileSync(f("client"), "utf8"),
        hostKeys: Object.fromEntries(types.map((t) => [t, pub(t)])),
        stop: () =>
            new Promise((resolve) => {
                if (sshd.exitCode !== null) return resolve();
                sshd.once("exit", () => resolve());
                sshd.kill("SIGTERM");
            }),
    };
}
