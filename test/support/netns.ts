// A scratch network namespace for a test: what runs in it (iptables rules, per-namespace sysctl
// keys) never touches the machine's own network, and it is deleted whatever the test does.
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import { Verdict } from "./validators";

export function run(cmd: string, args: string[], input?: string): Verdict {
    const r = spawnSync(cmd, args, { input, encoding: "utf8", timeout: 60_000 });
    if (r.error) throw r.error;
    return { code: r.status ?? -1, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** Runs `fn` with the name of a new namespace (`<prefix>-<random>`), deleted afterwards. */
export function withNetns<T>(prefix: string, fn: (ns: string) => T): T {
    const ns = `${prefix}-${crypto.randomBytes(4).toString("hex")}`;
    const add = run("ip", ["netns", "add", ns]);
    if (add.code !== 0) throw new Error(`ip netns add failed: ${add.output}`);
    try {
        return fn(ns);
    } finally {
        run("ip", ["netns", "del", ns]);
    }
}
