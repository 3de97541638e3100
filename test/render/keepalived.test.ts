import { spawn, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { allStackFiles, loadStackFile, stackLabel } from "../support/stacks";
import { keepalivedCheck, keepalivedCheckInstalled, shellcheck, Verdict } from "../support/validators";
import { expectGolden } from "../support/golden";
import { RenderedFile } from "../../components/render/file";
import { KEEPALIVED_CONF, KeepalivedLevel, keepalivedHolders, renderKeepalivedConf, renderKeepalivedFiles } from "../../components/render/keepalived";
import { keepalivedScript, KeepalivedScript } from "../../components/render/keepalived-scripts";
import { resolveInterfaceTokens } from "../../model/derive";

interface Case {
    readonly label: string;
    readonly file: string;
    readonly level: KeepalivedLevel;
    readonly member: string;
}

const LEVELS: KeepalivedLevel[] = ["container", "host"];

function cases(): Case[] {
    return allStackFiles().flatMap((file) => {
        const { topology } = loadStackFile(file);
        return LEVELS.flatMap((level) => keepalivedHolders(topology, level).map((member) => ({ label: stackLabel(file), file, level, member })));
    });
}

const CASES = cases();
const render = (c: Case) => {
    const { topology, secrets } = loadStackFile(c.file);
    return renderKeepalivedFiles(topology, c.level, c.member, secrets);
};
const confOf = (files: RenderedFile[]) => files.find((f) => f.path === KEEPALIVED_CONF)?.content ?? "";

/** Interfaces a config names (vrrp_instance interface, VIP dev): the check needs each one present. */
function interfacesOf(conf: string): string[] {
    const names = [...conf.matchAll(/^\s*interface (\S+)$/gm), ...conf.matchAll(/ dev (\S+)/g)].map((m) => m[1]);
    return [...new Set(names)];
}

function run(cmd: string, args: string[], input?: string): Verdict {
    const r = spawnSync(cmd, args, { input, encoding: "utf8", timeout: 60_000 });
    if (r.error) throw r.error;
    return { code: r.status ?? -1, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

const complaints = (v: Verdict) => v.output.split("\n").filter((l) => /WARNING|Unknown|Disabling|deprecated|not found/i.test(l));

describe("stack fixtures of this renderer", () => {
    it.each(["test/fixtures/tutorial-000.yaml", "test/fixtures/tutorial-003.yaml", "test/fixtures/tutorial-004.yaml"])("%s loads and passes every rule", (file) => {
        const { topology } = loadStackFile(file);
        expect(topology.keepalived.instances.length).toBeGreaterThan(0);
    });

    it("hold only secret references, never values", () => {
        let refCount = 0;
        for (const f of ["tutorial-000", "tutorial-003", "tutorial-004"]) {
            const code = fs
                .readFileSync(path.join(__dirname, `../fixtures/${f}.yaml`), "utf8")
                .split("\n")
                .filter((l) => !/^\s*#/.test(l))
                .join("\n");
            // Every key that names a secret holds a bare config key name, nothing that looks like a value.
            const refs = [...code.matchAll(/(\w*(?:Secret|secret))\s*:\s*([^,}\n]*)/g)];
            refCount += refs.length;
            for (const r of refs) expect(r[2].trim()).toMatch(/^[a-zA-Z][a-zA-Z0-9]*$/);
            expect(code).not.toMatch(/password\s*:|auth_pass|123456|1111/i);
        }
        expect(refCount).toBeGreaterThan(0);
    });
});

describe("keepalived.conf", () => {
    it("has holders to render in both levels", () => {
        expect(CASES.length).toBeGreaterThan(0);
        expect(CASES.some((c) => c.level === "container")).toBe(true);
        expect(CASES.some((c) => c.level === "host" && /lb_kind DR/.test(confOf(render(c))))).toBe(true);
        expect(CASES.some((c) => /lb_kind NAT/.test(confOf(render(c))))).toBe(true);
        expect(CASES.some((c) => /auth_type PASS/.test(confOf(render(c))))).toBe(true);
    });

    it.each(CASES.map((c) => [`${c.label} ${c.level} ${c.member}`, c] as const))("%s matches its golden file", (_name, c) => {
        expectGolden(`${c.label}/keepalived-${c.level}-${c.member}.conf`, confOf(render(c)));
    });

    it.each(CASES.map((c) => [`${c.label} ${c.level} ${c.member}`, c] as const))("%s passes keepalived -t with its scripts installed, silently", (_name, c) => {
        // As the start script does in the container: an interface token becomes a real name.
        const files = render(c).map((f) => (f.path === KEEPALIVED_CONF ? { ...f, content: resolveInterfaceTokens(f.content, () => "eth1") } : f));
        const ifaces = interfacesOf(confOf(files));
        expect(ifaces.length).toBeGreaterThan(0);
        const v = keepalivedCheckInstalled(files, ifaces);
        expect(complaints(v)).toEqual([]);
        expect(v.code).toBe(0);
    });

    it("is flagged by plain keepalivedCheck only for the scripts it cannot see", () => {
        // Shows why the check above installs the scripts: without them keepalived -t
        // disables the track script; nothing else in the file draws a complaint.
        const c = CASES.find((x) => /track_script/.test(confOf(render(x))));
        if (!c) throw new Error("no rendered config with a track script");
        const conf = resolveInterfaceTokens(confOf(render(c)), () => "eth1");
        const v = keepalivedCheck(conf, interfacesOf(conf));
        const lines = v.output.split("\n").filter((l) => l.trim() !== "");
        expect(lines.length).toBeGreaterThan(0);
        for (const l of lines) expect(l).toMatch(/Disabling track script chk_\w+ since not found\/accessible/);
    });

    it("never contains vrrp_strict, for any stack and holder", () => {
        for (const c of CASES) {
            const code = confOf(render(c))
                .split("\n")
                .filter((l) => !/^\s*#/.test(l));
            expect(code.length).toBeGreaterThan(5);
            expect(code.filter((l) => /vrrp_strict/.test(l))).toEqual([]);
        }
    });

    it("gives every holder of an instance a distinct priority and at most one MASTER", () => {
        const seen = new Map<string, Array<{ member: string; state: string; priority: number }>>();
        for (const c of CASES) {
            for (const m of confOf(render(c)).matchAll(/^vrrp_instance (\w+) \{\n([\s\S]*?)\n\}/gm)) {
                const state = /^\s*state (\w+)$/m.exec(m[2])?.[1] ?? "";
                const priority = Number(/^\s*priority (\d+)$/m.exec(m[2])?.[1]);
                const key = `${c.label}/${m[1]}`;
                seen.set(key, [...(seen.get(key) ?? []), { member: c.member, state, priority }]);
            }
        }
        expect(seen.size).toBeGreaterThan(0);
        for (const [key, holders] of seen) {
            expect([key, new Set(holders.map((h) => h.priority)).size]).toEqual([key, holders.length]);
            expect([key, holders.filter((h) => h.state === "MASTER").length <= 1]).toEqual([key, true]);
            for (const h of holders) expect(h.state).toMatch(/^(MASTER|BACKUP)$/);
        }
    });

    it("keeps the auth password out of v3 instances and puts it in v2 ones", () => {
        const { topology, secrets } = loadStackFile("test/fixtures/tutorial-004.yaml");
        const conf = renderKeepalivedConf(topology, "host", "lb1", secrets).content;
        expect(conf).toContain(`auth_pass "${secrets.vrrpAuthPass}"`);
        expect(conf).toMatch(/version 2/);
        for (const c of CASES) {
            const text = confOf(render(c));
            if (/version 3/.test(text)) expect(text).not.toMatch(/authentication/);
        }
    });

    it("puts every real_server inside its virtual_server (seed 004's mistake)", () => {
        const { topology, secrets } = loadStackFile("test/fixtures/tutorial-004.yaml");
        const conf = renderKeepalivedConf(topology, "host", "lb2", secrets).content;
        const vs = /^virtual_server 192\.168\.100\.100 8066 \{\n([\s\S]*?)\n\}$/m.exec(conf);
        expect(vs).not.toBeNull();
        expect((vs?.[1].match(/real_server /g) ?? []).length).toBe(3);
        expect(conf.match(/real_server /g)?.length).toBe(3);
        expect(conf).not.toMatch(/nb_get_retry|persistence timeout/);
    });
});

describe("keepalived -t rejects what the tutorials shipped", () => {
    // Seed 000, the first host's keepalived.conf (verbatim but for the line numbers).
    const SEED_000_HOST = `vrrp_instance VI_1 {
state MASTER
interface enp0s8 # 宿主机的网卡
virtual_router_id 61
priority 100
advert_int 1
authentication {
auth_type PASS
auth_pass 1111
}
virtual_ipaddress {
192.168.56.200 # 局域网中一个没有被使用的 IP 作为虚拟 IP
}
}
virtual_server 192.168.56.105 8066{
delay_loop 3
lb_algo rr
lb_kind NAT
persistence timeout 50
protocol TCP
real_server 172.18.0.201 8066{
weight 1
}
}
`;
    // Seed 004's virtual_server as written: the first real_server's block closes
    // virtual_server, leaving the other two at top level (its comments removed; the
    // vrrp_instance cleaned of the document's line breaks).
    const seed004 = (retryKeyword: string) => `vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    virtual_ipaddress {
        192.168.100.100
    }
}

virtual_server 192.168.100.100 8066 {
    delay_loop 60
    lb_algo rr
    lb_kind DR
    persistence_timeout 50
    protocol TCP
    real_server 192.168.100.3 8066 {
        weight 3
        TCP_CHECK {
            connect_timeout 3
            ${retryKeyword} 3
            delay_before_retry 3
            connect_port 8066
        }
    }
}
real_server 192.168.100.4 8066{
    weight 3
    TCP_CHECK {
        connect_timeout 3
        ${retryKeyword} 3
        delay_before_retry 3
        connect_port 8066
    }
}
real_server 192.168.100.5 8066 {
    weight 3
    TCP_CHECK {
        connect_timeout 3
        ${retryKeyword} 3
        delay_before_retry 3
        connect_port 8066
    }
}
}
`;

    it("seed 000's host config: `persistence timeout` is an unknown keyword", () => {
        const v = keepalivedCheck(SEED_000_HOST, ["enp0s8"]);
        expect(v.code).not.toBe(0);
        expect(v.output).toMatch(/Unknown keyword 'persistence'/);
    });

    it("seed 004's config: real_server outside virtual_server (and nb_get_retry)", () => {
        const v = keepalivedCheck(seed004("nb_get_retry"), ["eth0"]);
        expect(v.code).not.toBe(0);
        expect(v.output).toMatch(/Unknown keyword 'nb_get_retry'/);
        // With the 2.x keyword the structure alone is still rejected.
        const fixedKeyword = keepalivedCheck(seed004("retry"), ["eth0"]);
        expect(fixedKeyword.code).not.toBe(0);
        expect(fixedKeyword.output).toMatch(/Unknown keyword 'real_server'/);
    });

    it("a corrupted render is rejected, and so is one missing its track script", () => {
        const c = CASES.find((x) => /TCP_CHECK/.test(confOf(render(x))));
        if (!c) throw new Error("no rendered config with TCP_CHECK");
        const files = render(c);
        const ifaces = interfacesOf(confOf(files));
        const corrupted = files.map((f) => (f.path === KEEPALIVED_CONF ? { ...f, content: f.content.replace(/\bretry 2\b/, "nb_get_retry 2") } : f));
        const bad = keepalivedCheckInstalled(corrupted, ifaces);
        expect(bad.code).not.toBe(0);
        expect(bad.output).toMatch(/Unknown keyword 'nb_get_retry'/);
        const missing = keepalivedCheckInstalled(
            files.filter((f) => !f.path.endsWith("check-tcp.sh")),
            ifaces,
        );
        expect(complaints(missing).length).toBeGreaterThan(0);
    });
});

describe("keepalived scripts", () => {
    const NAMES: KeepalivedScript[] = ["check-tcp.sh", "check-http.sh", "notify.sh"];

    it("every script a config names is rendered with it, mode 0755", () => {
        for (const c of CASES) {
            const files = render(c);
            const named = [...confOf(files).matchAll(/"(\/etc\/keepalived\/scripts\/[^ "]+)/g)].map((m) => m[1]);
            expect(named.length).toBeGreaterThan(0);
            for (const p of named) expect(files.find((f) => f.path === p)?.mode).toBe("0755");
        }
    });

    it.each(NAMES)("%s matches its golden file and is shellcheck clean", (name) => {
        const f = keepalivedScript(name);
        expectGolden(`keepalived-scripts/keepalived-${name}`, f.content);
        const shell = f.content.startsWith("#!/bin/bash") ? "bash" : "sh";
        const v = shellcheck(f.content, shell);
        expect(v.output).toBe("");
        expect(v.code).toBe(0);
    });

    it("shellcheck rejects a broken script (the check can fail)", () => {
        const broken = keepalivedScript("notify.sh").content.replace('"$dev" to', "$dev to");
        expect(shellcheck(broken, "sh").code).not.toBe(0);
    });

    async function withScript(name: KeepalivedScript, fn: (file: string) => void | Promise<void>): Promise<void> {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ka-script-"));
        const file = path.join(dir, name);
        fs.writeFileSync(file, keepalivedScript(name).content, { mode: 0o755 });
        try {
            await fn(file);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }

    /** Runs a script in a child process while this process serves the sockets it probes. */
    function runAsync(file: string, args: string[]): Promise<number> {
        return new Promise((resolve, reject) => {
            const p = spawn(file, args, { stdio: "ignore" });
            const timer = setTimeout(() => p.kill("SIGKILL"), 10_000);
            p.on("error", reject);
            p.on("exit", (code) => {
                clearTimeout(timer);
                resolve(code ?? -1);
            });
        });
    }

    function listen(server: net.Server): Promise<number> {
        return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));
    }

    it("check-tcp.sh: all/any over open and closed ports", async () => {
        const open = net.createServer((s) => s.end());
        const closedServer = net.createServer();
        const [up, closed] = [await listen(open), await listen(closedServer)];
        await new Promise((r) => closedServer.close(r));
        try {
            await withScript("check-tcp.sh", async (f) => {
                expect(await runAsync(f, ["all", `127.0.0.1:${up}`])).toBe(0);
                expect(await runAsync(f, ["all", `127.0.0.1:${up}`, `127.0.0.1:${closed}`])).toBe(1);
                expect(await runAsync(f, ["any", `127.0.0.1:${closed}`, `127.0.0.1:${up}`])).toBe(0);
                expect(await runAsync(f, ["any", `127.0.0.1:${closed}`])).toBe(1);
                expect(await runAsync(f, ["both", `127.0.0.1:${up}`])).toBe(2);
            });
        } finally {
            await new Promise((r) => open.close(r));
        }
    });

    it("check-http.sh: 200 passes, 503 and a closed port fail", async () => {
        let status = 200;
        const server = http.createServer((_req, res) => {
            res.writeHead(status);
            res.end("MyCat\n");
        });
        const port = await listen(server);
        try {
            await withScript("check-http.sh", async (f) => {
                expect(await runAsync(f, ["127.0.0.1", String(port)])).toBe(0);
                status = 503;
                expect(await runAsync(f, ["127.0.0.1", String(port)])).toBe(1);
            });
        } finally {
            await new Promise((r) => server.close(r));
        }
        await withScript("check-http.sh", async (f) => expect(await runAsync(f, ["127.0.0.1", String(port)])).toBe(1));
    });

    it("notify.sh removes a stale VIP on BACKUP/FAULT and leaves it on MASTER", async () => {
        const ns = `kn-${crypto.randomBytes(4).toString("hex")}`;
        expect(run("ip", ["netns", "add", ns]).code).toBe(0);
        try {
            run("ip", ["-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "knpeer"]);
            run("ip", ["-n", ns, "link", "set", "eth0", "up"]);
            run("ip", ["-n", ns, "addr", "add", "10.9.0.2/24", "dev", "eth0"]);
            const vipOn = () => run("ip", ["-n", ns, "-4", "-o", "addr", "show", "dev", "eth0"]).output.includes("10.9.0.100/24");
            await withScript("notify.sh", (f) => {
                const notify = (state: string) => run("ip", ["netns", "exec", ns, f, "10.9.0.100/24", "eth0", "INSTANCE", "VI_T", state, "150"]);
                run("ip", ["-n", ns, "addr", "add", "10.9.0.100/24", "dev", "eth0"]);
                const master = notify("MASTER");
                expect(master.code).toBe(0);
                expect(master.output).toContain("VI_T -> MASTER");
                expect(vipOn()).toBe(true);
                const backup = notify("BACKUP");
                expect(backup.code).toBe(0);
                expect(backup.output).toContain("removed stale VIP 10.9.0.100/24");
                expect(vipOn()).toBe(false);
                expect(run("ip", ["-n", ns, "-4", "-o", "addr", "show", "dev", "eth0"]).output).toContain("10.9.0.2/24");
                expect(notify("FAULT").code).toBe(0);
                expect(vipOn()).toBe(false);
            });
        } finally {
            run("ip", ["netns", "del", ns]);
        }
    });
});
