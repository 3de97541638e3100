// Remote steps run as updates: when a step's content changes, the provider runs its create
// script again (the old delete does not run), so the script itself must take away what the
// previous version put in place and the new one no longer wants. Each test runs the create
// scripts the real components declare, generation after generation, on a scratch network
// namespace with private mounts over the state directories, and checks what is left.
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadTopology, LoadedStack } from "../../model/load";
import { writeFilesOwning } from "../../components/render/step-scripts";
import { filesPayload } from "../../components/remote/payload";
import { firewallRules } from "../../components/render/firewall";
import { declareUnderMocks, Registered } from "../support/graph";
import { goodSecrets, PROJECT, rawTopology } from "../support/stacks";
import { Verdict } from "../support/validators";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = any;

function run(cmd: string, args: string[], input?: string): Verdict {
    const r = spawnSync(cmd, args, { input, encoding: "utf8", timeout: 60_000 });
    if (r.error) throw r.error;
    return { code: r.status ?? -1, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

function stackOf(file: string, edit?: (raw: Raw) => void): LoadedStack {
    const raw = rawTopology(file) as Raw;
    edit?.(raw);
    return loadTopology(PROJECT, raw, goodSecrets());
}

/** The create script, stdin and delete script of one command the components declare. */
async function stepOf(stack: LoadedStack, name: string): Promise<{ create: string; stdin: string; delete: string }> {
    const records: Registered[] = await declareUnderMocks(stack);
    const r = records.find((x) => x.name === name && x.type === "command:remote:Command");
    if (!r) throw new Error(`no command ${name}`);
    const stdin = r.inputs.stdin;
    if (stdin !== undefined && typeof stdin !== "string") throw new Error(`${name}: stdin is not plain text`);
    return { create: r.inputs.create as string, stdin: stdin ?? "", delete: r.inputs.delete as string };
}

/** One generation after the other: the mocks record one declaration at a time. */
async function stepsOf(stacks: LoadedStack[], name: string): Promise<Array<{ create: string; stdin: string; delete: string }>> {
    const out = [];
    for (const st of stacks) out.push(await stepOf(st, name));
    return out;
}

/**
 * A scratch "host": its own network namespace, and per run a private mount namespace in which
 * /var/lib/ha-mysql and /etc/sysctl.d are directories of this test (kept between runs, like a
 * host's disk), and `docker` is a stub that answers.
 */
class Scratch {
    readonly ns = `us-${crypto.randomBytes(4).toString("hex")}`;
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "update-scripts-"));
    readonly state = path.join(this.dir, "state");
    readonly sysctlDir = path.join(this.dir, "sysctl.d");
    private readonly bin = path.join(this.dir, "bin");

    constructor() {
        for (const d of [this.state, this.sysctlDir, this.bin]) fs.mkdirSync(d);
        fs.writeFileSync(path.join(this.bin, "docker"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
        const add = run("ip", ["netns", "add", this.ns]);
        if (add.code !== 0) throw new Error(`ip netns add failed: ${add.output}`);
        run("ip", ["-n", this.ns, "link", "set", "lo", "up"]);
    }

    run(script: string, input = ""): Verdict {
        const wrapper = [
            "set -e",
            "mount -t tmpfs tmpfs /var/lib",
            "mkdir -p /var/lib/ha-mysql",
            'mount --bind "$1" /var/lib/ha-mysql',
            'mount --bind "$2" /etc/sysctl.d',
            'PATH="$3:$PATH"',
            "export PATH",
            'exec sh -c "$4"',
        ].join("\n");
        return run("ip", ["netns", "exec", this.ns, "unshare", "--mount", "--propagation", "private", "sh", "-c", wrapper, "sh", this.state, this.sysctlDir, this.bin, script], input);
    }

    /** Runs a step's create (first run or update), failing the test on a non-zero exit. */
    apply(step: { create: string; stdin: string }): string {
        const r = this.run(step.create, step.stdin);
        if (r.code !== 0) throw new Error(`create failed (${r.code}):\n${r.output}`);
        return r.output;
    }

    exec(args: string[]): string {
        return run("ip", ["netns", "exec", this.ns, ...args]).output;
    }

    close(): void {
        run("ip", ["netns", "del", this.ns]);
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

function withScratch<T>(fn: (s: Scratch) => Promise<T>): Promise<T> {
    const s = new Scratch();
    return fn(s).finally(() => s.close());
}

describe("remote steps run as updates remove what the previous version applied", () => {
    it("firewall rules: a port that was dropped loses its rule, the rules both versions want stay", () =>
        withScratch(async (s) => {
            const DEV = "Pulumi.dev.yaml";
            const withPorts = (ports: number[]) => stackOf(DEV, (t) => (t.hosts[0].firewall = { ports }));
            const gens = [stackOf(DEV), withPorts([15999]), withPorts([15998]), stackOf(DEV)];
            const steps = await stepsOf(gens, "lab1-firewall-rules");
            const rules = () => s.exec(["iptables", "-S"]).split("\n").filter((l) => l.includes("ha-mysql"));
            // The ports lab1 admits whatever firewall.ports says: its published ports and the swarm's.
            const own = new Set(firewallRules(gens[0].topology, "lab1").flatMap((r) => (r.args.includes("--dport") ? [r.args[r.args.indexOf("--dport") + 1]] : [])));
            const dports = () => rules().flatMap((l) => /--dport (\d+)/.exec(l)?.[1] ?? []).filter((p) => !own.has(p));

            s.apply(steps[0]);
            expect(rules().length).toBe(firewallRules(gens[0].topology, "lab1").length);
            expect(own.size).toBeGreaterThan(0);
            expect(dports()).toEqual([]);

            expect(s.apply(steps[1])).not.toMatch(/removed:/);
            expect(dports()).toEqual(["15999"]);

            const moved = s.apply(steps[2]);
            expect(dports()).toEqual(["15998"]);
            // Only the dropped port's rule was taken out: VRRP was admitted throughout.
            expect(moved.split("\n").filter((l) => l.startsWith("removed:"))).toEqual(["removed: INPUT -i eth0 -p tcp -m tcp --dport 15999 -m comment --comment ha-mysql -j ACCEPT"]);
            expect(rules().length).toBe(firewallRules(gens[2].topology, "lab1").length);

            s.apply(steps[3]);
            expect(dports()).toEqual([]);
            expect(rules().length).toBe(firewallRules(gens[3].topology, "lab1").length);
            // Running it again changes nothing.
            expect(s.apply(steps[3])).not.toMatch(/removed:|added:/);

            expect(s.run(steps[3].delete).code).toBe(0);
            expect(rules()).toEqual([]);
            expect(fs.readdirSync(s.state)).toEqual([]);
        }), 120_000);

    it("sysctl: a key the host no longer needs gets its saved value back, and a drop-in no longer rendered goes", () =>
        withScratch(async (s) => {
            const DEV = "Pulumi.dev.yaml";
            // lab3 runs a Galera node (ip_forward); as a holder of the host VIP it also needs ip_nonlocal_bind.
            const holder = stackOf(DEV, (t) => {
                t.keepalived.instances[0].holders = ["lab1", "lab2", "lab3"];
                t.keepalived.instances[0].track.isolation.push({ address: "10.77.0.1", port: 22 });
            });
            const [plain, asHolder] = await stepsOf([stackOf(DEV), holder], "lab3-prereq");
            // The same script on every host; a host that needs no setting at all gets no drop-in.
            const none = { create: plain.create, stdin: filesPayload([]) };
            const KEYS = ["net.ipv4.ip_forward", "net.ipv4.ip_nonlocal_bind"];
            const values = () => KEYS.map((k) => s.exec(["sysctl", "-n", k]).trim());
            const before = () => (fs.existsSync(path.join(s.state, "sysctl.before")) ? fs.readFileSync(path.join(s.state, "sysctl.before"), "utf8") : "");
            const dropIn = () => (fs.existsSync(path.join(s.sysctlDir, "90-ha-mysql.conf")) ? fs.readFileSync(path.join(s.sysctlDir, "90-ha-mysql.conf"), "utf8") : undefined);
            const original = values();
            expect(original).toEqual(["0", "0"]);

            s.apply(plain);
            expect(values()).toEqual(["1", "0"]);
            expect(before()).toBe("net.ipv4.ip_forward = 0\n");

            s.apply(asHolder);
            expect(values()).toEqual(["1", "1"]);
            // The value before the stack first set the key, saved when the key first appears.
            expect(before()).toBe("net.ipv4.ip_forward = 0\nnet.ipv4.ip_nonlocal_bind = 0\n");

            expect(s.apply(plain)).toMatch(/^restored net\.ipv4\.ip_nonlocal_bind = 0$/m);
            expect(values()).toEqual(["1", "0"]);
            expect(before()).toBe("net.ipv4.ip_forward = 0\n");
            expect(dropIn()).not.toContain("nonlocal");

            expect(s.apply(none)).toMatch(/^removed .*90-ha-mysql\.conf \(no longer rendered\)$/m);
            expect(values()).toEqual(original);
            expect(dropIn()).toBeUndefined();

            s.apply(asHolder);
            expect(values()).toEqual(["1", "1"]);
            expect(s.run(plain.delete).code).toBe(0);
            expect(values()).toEqual(original);
            expect(fs.readdirSync(s.state)).toEqual([]);
            expect(fs.readdirSync(s.sysctlDir)).toEqual([]);
        }), 120_000);

    it("LVS-DR VIP on lo: a VIP that changed comes off lo", () =>
        withScratch(async (s) => {
            const FILE = "test/fixtures/tutorial-004.yaml";
            const moved = stackOf(FILE, (t) => (t.keepalived.instances[0].vip = "192.168.100.101"));
            const records = await declareUnderMocks(stackOf(FILE));
            const name = records.find((r) => r.name.endsWith("-lo-vip"))?.name;
            if (!name) throw new Error("tutorial-004 has no LVS-DR real server");
            const [first, second] = await stepsOf([stackOf(FILE), moved], name);
            const onLo = () => s.exec(["ip", "-4", "-o", "addr", "show", "dev", "lo"]).match(/\d+\.\d+\.\d+\.\d+\/\d+/g) ?? [];

            s.apply(first);
            expect(onLo()).toEqual(["127.0.0.1/8", "192.168.100.100/32"]);
            expect(s.apply(second)).toMatch(/^removed 192\.168\.100\.100\/32 from lo$/m);
            expect(onLo()).toEqual(["127.0.0.1/8", "192.168.100.101/32"]);
            expect(s.run(second.delete).code).toBe(0);
            expect(onLo()).toEqual(["127.0.0.1/8"]);
        }), 120_000);

    it("macvlan shim: a new parent interface moves the shim, a second run changes nothing", () =>
        withScratch(async (s) => {
            const DEV = "Pulumi.dev.yaml";
            for (const [dev, peer] of [["eth0", "p0"], ["eth1", "p1"]]) {
                expect(run("ip", ["-n", s.ns, "link", "add", dev, "type", "veth", "peer", "name", peer]).code).toBe(0);
                run("ip", ["-n", s.ns, "link", "set", dev, "up"]);
            }
            const onEth1 = stackOf(DEV, (t) => (t.hosts[0].lan.interface = "eth1"));
            const [first, second] = await stepsOf([stackOf(DEV), onEth1], "macvlan-lab1-shim");
            const link = () => s.exec(["ip", "-o", "link", "show", "ha-shim"]).split(": ")[1];
            const routes = () => s.exec(["ip", "-4", "route", "show", "dev", "ha-shim"]).trim().split("\n").map((l) => l.split(" ")[0]).sort();

            s.apply(first);
            expect(link()).toBe("ha-shim@eth0");
            expect(routes()).toEqual(["10.77.0.101", "10.77.0.31", "10.77.0.32"]);
            expect(s.apply(first)).not.toMatch(/moving it/);
            expect(s.apply(second)).toMatch(/ha-shim was on another interface: moving it to eth1/);
            expect(link()).toBe("ha-shim@eth1");
            expect(routes()).toEqual(["10.77.0.101", "10.77.0.31", "10.77.0.32"]);
            expect(s.exec(["ip", "-4", "-o", "addr", "show", "dev", "ha-shim"])).toContain(" 10.77.0.41/32 ");
            expect(s.apply(second)).not.toMatch(/moving it/);
            // The apply script stays on the host for the boot unit, and goes with the shim.
            expect(fs.readdirSync(s.state)).toEqual(["shim-apply.sh"]);
            expect(s.run(second.delete).code).toBe(0);
            expect(s.exec(["ip", "link", "show", "ha-shim"])).toMatch(/does not exist/);
            expect(fs.readdirSync(s.state)).toEqual([]);
        }), 120_000);

    it("keepalived files: a script the config no longer names is removed from the scripts directory, nothing else", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "owning-"));
        try {
            const scripts = path.join(dir, "scripts");
            const f = (name: string, content = `${name}\n`) => ({ path: name.startsWith("/") ? name : path.join(scripts, name), mode: "0755", content });
            const write = (files: ReturnType<typeof f>[]) => {
                const r = run("sh", ["-c", writeFilesOwning(scripts)], filesPayload(files));
                if (r.code !== 0) throw new Error(r.output);
                return r.output;
            };
            const conf = f(path.join(dir, "keepalived.conf"));
            write([conf, f("check-tcp.sh"), f("check-http.sh"), f("notify.sh")]);
            expect(fs.readdirSync(scripts).sort()).toEqual(["check-http.sh", "check-tcp.sh", "notify.sh"]);
            const out = write([conf, f("check-tcp.sh", "changed\n"), f("notify.sh")]);
            expect(out).toContain(`removed ${path.join(scripts, "check-http.sh")} (no longer rendered)`);
            expect(fs.readdirSync(scripts).sort()).toEqual(["check-tcp.sh", "notify.sh"]);
            expect(fs.readFileSync(path.join(scripts, "check-tcp.sh"), "utf8")).toBe("changed\n");
            expect(fs.existsSync(conf.path)).toBe(true);
            expect(write([conf, f("check-tcp.sh", "changed\n"), f("notify.sh")])).not.toContain("removed");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
