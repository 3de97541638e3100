// The trust of the Docker provider's ssh, for a host whose engine is reached at ssh://: the
// stack's private key and, when the host key is pinned, a known_hosts file holding exactly that
// key. The docker CLI's connection helper runs the machine's `ssh` with these options only, so
// nothing comes from the operator's ~/.ssh (config, keys, agent, known_hosts).
//
// The files are written by the program on every run (preview included) into a private directory
// that outlives it: deletes run after the program has exited (`pulumi destroy` does not run it
// at all) and still need them. The host's `<host>-docker-ssh` step removes them when the host
// leaves the stack or the stack is destroyed.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Host } from "../../model/schema";

/** Where the files of every stack live unless HA_MYSQL_SSH_DIR says otherwise. */
export function sshBaseDir(env: NodeJS.ProcessEnv = process.env): string {
    return path.resolve(env.HA_MYSQL_SSH_DIR || path.join(os.homedir(), ".ha-mysql", "ssh"));
}

export interface DockerSsh {
    /** The host's private directory: <base>/<project>/<stack>/<host>, mode 0700. */
    readonly dir: string;
    /** The stack's private key (0600). */
    readonly identity: string;
    /** known_hosts with the pinned key only (0600); undefined without a pin. */
    readonly knownHosts?: string;
    /** The files and their content, written 0600. */
    readonly files: ReadonlyArray<{ readonly path: string; readonly content: string }>;
    /** Files that must not be there (the known_hosts of a pin since removed). */
    readonly absent: ReadonlyArray<string>;
    /** The provider's sshOpts. */
    readonly sshOpts: string[];
}

/** The host and port an ssh:// Docker URL dials (default port 22). */
export function sshEndpoint(url: string): { host: string; port: number } {
    const u = new URL(url);
    if (u.protocol !== "ssh:") throw new Error(`not an ssh:// Docker host: ${url}`);
    return { host: u.hostname.replace(/^\[|\]$/g, ""), port: u.port ? Number(u.port) : 22 };
}

/** The Docker URL of a host: its docker.host, else ssh://<user>@<address>:<port>. */
export function dockerUrl(h: Host): string {
    return h.docker.host ?? `ssh://${h.ssh.user}@${h.ssh.address}:${h.ssh.port}`;
}

/** The files and options of a host whose Docker URL is ssh://; undefined for unix:// and tcp://. */
export function dockerSsh(h: Host, privateKey: string, project: string, stack: string, base = sshBaseDir()): DockerSsh | undefined {
    const url = dockerUrl(h);
    if (!url.startsWith("ssh://")) return undefined;
    const dir = path.join(base, project, stack, h.name);
    // ssh reads UserKnownHostsFile as a list separated by spaces, and an -o value up to its end.
    if (/\s/.test(dir)) throw new Error(`the directory for ${h.name}'s Docker ssh files has a space in it (${dir}): set HA_MYSQL_SSH_DIR to a path without spaces`);
    const identity = path.join(dir, "id");
    const knownHostsPath = path.join(dir, "known_hosts");
    const key = privateKey.endsWith("\n") ? privateKey : `${privateKey}\n`;
    const files: Array<{ path: string; content: string }> = [{ path: identity, content: key }];
    const opts = [
        // No ssh_config (~/.ssh/config or /etc/ssh/ssh_config): these options are all there is.
        "-F", "/dev/null",
        "-o", "BatchMode=yes",
        "-o", "ConnectTimeout=15",
        // The stack's key only: no default key files, no agent.
        "-o", "IdentitiesOnly=yes",
        "-o", "IdentityAgent=none",
        "-i", identity,
    ];
    if (!h.ssh.hostKey) {
        // Without a pin the command provider accepts any host key; so does this (docs/security.md).
        opts.push("-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "GlobalKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR");
        return { dir, identity, files, absent: [knownHostsPath], sshOpts: opts };
    }
    const knownHosts = knownHostsPath;
    const { host, port } = sshEndpoint(url);
    const name = port === 22 ? host : `[${host}]:${port}`;
    const type = h.ssh.hostKey.split(" ")[0];
    files.push({ path: knownHosts, content: `${name} ${h.ssh.hostKey}\n` });
    opts.push(
        "-o", "StrictHostKeyChecking=yes",
        "-o", `UserKnownHostsFile=${knownHosts}`,
        "-o", "GlobalKnownHostsFile=/dev/null",
        // Exactly the pinned key: asked for by its type, and never a key the host offers later.
        "-o", `HostKeyAlgorithms=${type}`,
        "-o", "UpdateHostKeys=no",
    );
    return { dir, identity, knownHosts, files, absent: [], sshOpts: opts };
}

/**
 * Writes the files: every directory from the base down 0700, each file 0600, replaced atomically
 * and only when its content differs, so that repeated runs leave them untouched.
 */
export function writeDockerSsh(d: DockerSsh, base = sshBaseDir()): void {
    const dirs: string[] = [];
    for (let p = d.dir; p.startsWith(base) && p !== path.dirname(p); p = path.dirname(p)) {
        dirs.unshift(p);
        if (p === base) break;
    }
    for (const p of dirs) {
        fs.mkdirSync(p, { recursive: true, mode: 0o700 });
        fs.chmodSync(p, 0o700);
    }
    for (const f of d.files) {
        const same = fs.existsSync(f.path) && fs.readFileSync(f.path, "utf8") === f.content;
        if (!same) {
            const tmp = `${f.path}.${process.pid}.tmp`;
            fs.writeFileSync(tmp, f.content, { mode: 0o600 });
            fs.renameSync(tmp, f.path);
        }
        fs.chmodSync(f.path, 0o600);
    }
    for (const f of d.absent) fs.rmSync(f, { force: true });
}
