// The daemons' own validators, run on rendered text. Each returns the exit code and
// output so a test can assert both acceptance and the reason for a rejection.
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RenderedFile } from "../../components/render/file";

export interface Verdict {
    readonly code: number;
    readonly output: string;
}

function run(cmd: string, args: string[], input?: string): Verdict {
    const r = spawnSync(cmd, args, { input, encoding: "utf8", timeout: 60_000 });
    if (r.error) throw r.error;
    return { code: r.status ?? -1, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

export function withTempFile<T>(name: string, text: string, fn: (file: string) => T): T {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    try {
        return fn(file);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

export function hasTool(cmd: string): boolean {
    return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

export function shellcheck(script: string, shell: "bash" | "sh" = "bash"): Verdict {
    return run("shellcheck", ["--shell", shell, "--severity", "style", "-"], script);
}

export function haproxyCheck(cfg: string): Verdict {
    return withTempFile("haproxy.cfg", cfg, (f) => run("haproxy", ["-c", "-f", f]));
}

export function xmllint(xml: string, opts: string[] = []): Verdict {
    return run("xmllint", ["--noout", ...opts, "-"], xml);
}

export function iptablesRestoreTest(rules: string): Verdict {
    return run("iptables-restore", ["--test"], rules);
}

/**
 * keepalived -t exits 0 for a missing file and fails when the configured interface is
 * absent, so the file is checked for existence and the test runs in a fresh network
 * namespace that has each named interface (a veth pair per name).
 */
export function keepalivedCheck(conf: string, interfaces: string[]): Verdict {
    const ns = `kt-${crypto.randomBytes(4).toString("hex")}`;
    const add = run("ip", ["netns", "add", ns]);
    if (add.code !== 0) throw new Error(`ip netns add failed: ${add.output}`);
    try {
        [...new Set(interfaces)].forEach((ifname, i) => {
            const made = run("ip", ["-n", ns, "link", "add", ifname, "type", "veth", "peer", "name", `ktpeer${i}`]);
            if (made.code !== 0) throw new Error(`cannot create ${ifname} in ${ns}: ${made.output}`);
            run("ip", ["-n", ns, "link", "set", ifname, "up"]);
        });
        return withTempFile("keepalived.conf", conf, (f) => {
            if (!fs.existsSync(f)) throw new Error("keepalived config file missing");
            return run("ip", ["netns", "exec", ns, "keepalived", "-t", "-f", f]);
        });
    } finally {
        run("ip", ["netns", "del", ns]);
    }
}

/**
 * keepalivedCheck on the files as installed. keepalived -t disables (and reports) a
 * track script it cannot find, and enable_script_security also checks the scripts'
 * ownership and modes, so the rendered files are put in place in a private mount
 * namespace (a tmpfs over /etc/keepalived, the machine's own directory untouched) and
 * keepalived -t runs there, in a fresh network namespace with every named interface.
 */
export function keepalivedCheckInstalled(files: RenderedFile[], interfaces: string[]): Verdict {
    const stage = fs.mkdtempSync(path.join(os.tmpdir(), "ka-stage-"));
    fs.chmodSync(stage, 0o755);
    const ns = `kt-${crypto.randomBytes(4).toString("hex")}`;
    try {
        for (const f of files) {
            const rel = path.relative("/etc/keepalived", f.path);
            if (rel.startsWith("..")) throw new Error(`${f.path} is outside /etc/keepalived`);
            const dest = path.join(stage, rel);
            fs.mkdirSync(path.dirname(dest), { recursive: true, mode: 0o755 });
            fs.writeFileSync(dest, f.content, { mode: parseInt(f.mode, 8) });
            fs.chmodSync(dest, parseInt(f.mode, 8));
        }
        const add = run("ip", ["netns", "add", ns]);
        if (add.code !== 0) throw new Error(`ip netns add failed: ${add.output}`);
        interfaces.forEach((ifname, i) => {
            const made = run("ip", ["-n", ns, "link", "add", ifname, "type", "veth", "peer", "name", `kipeer${i}`]);
            if (made.code !== 0) throw new Error(`cannot create ${ifname}: ${made.output}`);
            run("ip", ["-n", ns, "link", "set", ifname, "up"]);
        });
        const inner = 'mount -t tmpfs -o mode=0755 tmpfs /etc/keepalived && cp -a "$0"/. /etc/keepalived/ && test -f /etc/keepalived/keepalived.conf && exec ip netns exec "$1" keepalived -t -f /etc/keepalived/keepalived.conf';
        return run("unshare", ["--mount", "--propagation", "private", "sh", "-c", inner, stage, ns]);
    } finally {
        run("ip", ["netns", "del", ns]);
        fs.rmSync(stage, { recursive: true, force: true });
    }
}
