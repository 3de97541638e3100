// The integration suite on the lab (npm run test:lab): bring the lab up and apply the dev
// stack with a real `pulumi up`, verify it, prove the update is idempotent, change one HAProxy
// setting while a client keeps querying through the VIP, destroy, and check that the hosts
// are clean. The lab is torn down afterwards whatever happened.
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { sqlEndpoints } from "../../infra/config/endpoints";
import { labChecks, runChecks } from "../../scripts/lab/lib/checks";
import { LAB_DIR, loadLabStack, REPO } from "../../scripts/lab/lib/lab-stack";
import { Prober } from "../../scripts/lab/lib/prober";
import { DRILLS, runDrill } from "../../scripts/lab/lib/drills";
import { drillTable, drillViolations } from "../../scripts/lab/lib/drill-report";

const MIN = 60_000;
const lab = (script: string) => path.join(REPO, "scripts/lab", script);

/** Runs a command with its output streamed to the CI log; resolves with the exit code. */
function stream(cmd: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv = {}): Promise<number> {
    return new Promise((resolve) => {
        const p = spawn(cmd, args, { stdio: "inherit", env: { ...process.env, ...env } });
        const timer = setTimeout(() => {
            process.stderr.write(`[test:lab] ${cmd} ${args.join(" ")} exceeded ${timeoutMs / 1000} s: killing it\n`);
            p.kill("SIGTERM");
        }, timeoutMs);
        p.on("exit", (code) => {
            clearTimeout(timer);
            resolve(code ?? -1);
        });
    });
}

function capture(cmd: string, args: string[], timeoutMs: number): { code: number; out: string; stdout: string } {
    const r = spawnSync(cmd, args, { encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return { code: r.status ?? -1, out: `${r.stdout ?? ""}${r.stderr ?? ""}`, stdout: r.stdout ?? "" };
}

const pulumi = (args: string[], timeoutMs: number) => capture("bash", [lab("stack.sh"), "pulumi", ...args], timeoutMs);

function secretValues(): string[] {
    const dir = path.join(LAB_DIR, "pulumi", "secrets");
    return fs.readdirSync(dir).map((f) => {
        const v = fs.readFileSync(path.join(dir, f), "utf8");
        // A key file: its base64 body lines are what would leak.
        return v.includes("PRIVATE KEY") ? v.split("\n")[1] : v;
    });
}

/** Resource names whose step is not "same" in a `pulumi preview --json`. */
function changedResources(previewJson: string): string[] {
    const doc = JSON.parse(previewJson) as { steps?: Array<{ op: string; urn: string }> };
    return (doc.steps ?? []).filter((s) => s.op !== "same").map((s) => `${s.op} ${s.urn.split("::").pop()}`);
}

function inHost(host: string, script: string): { code: number; out: string } {
    return capture("bash", [lab("hosts.sh"), "exec", host, "--", "sh", "-c", script], 30_000);
}

let failed = false;
const step = (name: string, fn: () => Promise<void> | void, timeoutMs: number) =>
    test(
        name,
        async () => {
            if (failed) throw new Error("skipped: an earlier step failed");
            try {
                await fn();
            } catch (err) {
                failed = true;
                throw err;
            }
        },
        timeoutMs,
    );

afterAll(async () => {
    const code = await stream("bash", [lab("down.sh")], 20 * MIN);
    expect(code).toBe(0);
    const netns = capture("ip", ["netns", "list"], 10_000).out;
    expect(netns).not.toMatch(/ha-lab/);
    expect(capture("ip", ["link", "show", "halab0"], 10_000).code).not.toBe(0);
}, 25 * MIN);

describe("lab", () => {
    step("lab:up provisions the dev stack and verifies it (preview first)", async () => {
        expect(await stream("bash", [lab("up.sh")], 60 * MIN, { HA_LAB_PREVIEW: "1" })).toBe(0);
    }, 65 * MIN);

    step("no secret value appears in the state or in a diff preview", () => {
        const state = pulumi(["stack", "export", "--show-secrets=false"], 2 * MIN);
        expect(state.code).toBe(0);
        const diff = pulumi(["preview", "--diff"], 5 * MIN);
        expect(diff.code).toBe(0);
        for (const v of secretValues()) {
            expect(v.length).toBeGreaterThan(7);
            expect(state.out.includes(v)).toBe(false);
            expect(diff.out.includes(v)).toBe(false);
        }
    }, 10 * MIN);

    step("a second preview proposes no change", () => {
        const r = pulumi(["preview", "--expect-no-changes"], 5 * MIN);
        if (r.code !== 0) process.stderr.write(r.out);
        expect(r.code).toBe(0);
    }, 6 * MIN);

    step("one HAProxy setting changes only the HAProxy config steps, and the VIP keeps answering", async () => {
        const before = loadLabStack().topology.haproxy?.check.interMs ?? 0;
        expect(capture("bash", [lab("stack.sh"), "set-path", "haproxy.check.interMs", String(before + 250)], MIN).code).toBe(0);
        const plan = pulumi(["preview", "--json"], 5 * MIN);
        expect(plan.code).toBe(0);
        const changed = changedResources(plan.stdout);
        expect(changed.sort()).toEqual(["update haproxy-h1-config", "update haproxy-h2-config"]);

        const stack = loadLabStack();
        const endpoint = sqlEndpoints(stack.topology).find((e) => e.backend === "pxc");
        if (!endpoint) throw new Error("the dev stack has no pxc endpoint");
        const prober = new Prober(stack, endpoint, { everyMs: 100, maxMs: 10 * MIN });
        const code = await stream("bash", [lab("stack.sh"), "pulumi", "up", "--yes"], 10 * MIN);
        const report = await prober.stop();
        process.stderr.write(`[test:lab] during the update: ${report.attempts} queries, ${report.failures} failed, longest outage ${report.longestOutageMs} ms ${report.errors.join("; ")}\n`);
        expect(code).toBe(0);
        expect(report.attempts).toBeGreaterThan(10);
        expect(report.failures).toBe(0);
        const cfg = inHost(stack.topology.haproxy!.nodes[0].host, `grep -h 'inter ' /etc/ha-mysql/haproxy/*/haproxy.cfg | head -1`);
        expect(cfg.out).toContain(`inter ${before + 250}`);
    }, 15 * MIN);

    step("the lab still verifies after the change", async () => {
        const results = await runChecks(labChecks(loadLabStack()), (l) => process.stderr.write(`[verify] ${l}\n`));
        expect(results.filter((r) => !r.ok)).toEqual([]);
    }, 5 * MIN);

    // One run per placement the dev stack uses (host keepalived, keepalived in macvlan containers).
    // VRRP declares the master dead after 3 adverts plus a skew below one advert; the slack
    // covers the poll (host) or the log timestamp (container).
    const detectionMs = (advertInt: number) => 4 * advertInt * 1000 + 250;
    for (const name of ["VI_HAPROXY", "VI_HAPROXY_LAN"]) {
        step(`${name}: the holder crashes, the VIP moves within the detection window, once, and stays put when the old holder returns`, async () => {
            const stack = loadLabStack();
            const inst = stack.topology.keepalived.instances.find((i) => i.name === name);
            if (!inst) throw new Error(`the dev stack has no instance ${name}`);
            const drill = DRILLS.find((d) => d.name === "vip-holder-crash");
            if (!drill) throw new Error("no vip-holder-crash drill");
            const r = await runDrill(stack, inst, drill, (l) => process.stderr.write(`[drill] ${l}\n`));
            process.stderr.write(`${drillTable([r])}\n`);
            expect(drillViolations(r)).toEqual([]);
            expect(r.failedWrites).toBeLessThan(r.writes);
            const moved = inst.level === "container" ? r.takeoverMs ?? -1 : r.vipMovedMs;
            expect(moved).toBeGreaterThanOrEqual(0);
            expect(moved).toBeLessThanOrEqual(detectionMs(inst.advertInt));
            // Only the container died (the databases did not): clients wait for the takeover plus
            // at most one TCP SYN retry (1 s). A host crash also stalls Galera (evs.suspect_timeout).
            if (inst.level === "container") expect(r.stallMs ?? Infinity).toBeLessThanOrEqual(detectionMs(inst.advertInt) + 1000);
        }, 6 * MIN);
    }

    step("pulumi destroy leaves the hosts clean", async () => {
        expect(await stream("bash", [lab("stack.sh"), "pulumi", "destroy", "--yes"], 20 * MIN)).toBe(0);
        const t = loadLabStack().topology;
        for (const h of t.hosts) {
            const docker = inHost(h.name, "docker ps -aq | wc -l; docker volume ls -q | wc -l; docker network ls --format '{{.Name}}' | sort | tr '\\n' ' '; echo; docker info -f '{{.Swarm.LocalNodeState}}'");
            expect(docker.code).toBe(0);
            expect(docker.out.trim().split("\n")).toEqual(["0", "0", "bridge host none ", "inactive"]);
            // What the stack writes on a host; the lab's hosts keep /etc/ha-mysql and /var/lib/ha-mysql
            // as (empty) mount points, so those must be empty or gone.
            const files = inHost(h.name, "ls -d /etc/keepalived/keepalived.conf /etc/keepalived/scripts /etc/sysctl.d/90-ha-mysql* /etc/ha-mysql/* /var/lib/ha-mysql/* 2>/dev/null || true");
            expect(files.out.trim()).toBe("");
            const vips = capture("ip", ["-n", `ha-${h.name}`, "-4", "-o", "addr", "show"], 10_000).out;
            for (const inst of t.keepalived.instances) expect(vips).not.toContain(` ${inst.vip}/`);
            expect(capture("ip", ["-n", `ha-${h.name}`, "link", "show", "ha-shim"], 10_000).code).not.toBe(0);
            const rules = inHost(h.name, "iptables-save | grep -c ha-mysql || true");
            expect(rules.out.trim()).toBe("0");
        }
    }, 25 * MIN);
});
