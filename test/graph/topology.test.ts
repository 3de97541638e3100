// The resource graph of each example stack under mocks: what is declared, under which
// parent, and the dependency edges that encode the order the tutorials follow by hand.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { LoadedStack, loadTopology } from "../../model/load";
import { macvlanNodes, runsDocker, vrrpMembers } from "../../model/derive";
import { fingerprint } from "../../model/host-key";
import { Host } from "../../model/schema";
import { SWARM_TOKEN_READ } from "../../components/render/swarm";
import { shellQuote } from "../../components/render/escape";
import { byName, declareUnderMocks, dependsOn, mockKeyAndCertificate, MOCK_STDOUT_PREFIX, MOCK_SWARM_TOKEN, occurrences, Registered, SECRET_SIG, SIG_KEY } from "../support/graph";
import { allStackFiles, goodSecrets, loadStackFile, PROJECT, rawTopology, stackLabel, TEST_SSH_KEY } from "../support/stacks";
import { stepsOf } from "../support/steps";
import { renderHostBoot } from "../../components/render/host-boot";

const COMMAND = "command:remote:Command";
const CONTAINER = "docker:index/container:Container";
const PROVIDER = "pulumi:providers:docker";

/** The sshOpts a Docker provider was given (the SDK sends them JSON-encoded). */
function sshOptsOf(records: Registered[], host: string): string[] | undefined {
    const v = byName(records, `${host}-docker`).inputs.sshOpts;
    return typeof v === "string" ? (JSON.parse(v) as string[]) : undefined;
}

/** The Docker provider's ssh directory of a host (the graph project's HA_MYSQL_SSH_DIR, project ha-mysql, stack dev). */
const sshDir = (host: string) => path.join(process.env.HA_MYSQL_SSH_DIR as string, "ha-mysql", "dev", host);
const mode = (p: string) => fs.statSync(p).mode & 0o777;

/** What a host reached over ssh:// gives its Docker provider: the stack's key only, and the pin when there is one. */
function expectedSshOpts(h: Host): string[] {
    const dir = sshDir(h.name);
    const base = ["-F", "/dev/null", "-o", "BatchMode=yes", "-o", "ConnectTimeout=15", "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-i", `${dir}/id`];
    if (!h.ssh.hostKey) return [...base, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "GlobalKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"];
    return [
        ...base,
        "-o", "StrictHostKeyChecking=yes",
        "-o", `UserKnownHostsFile=${dir}/known_hosts`,
        "-o", "GlobalKnownHostsFile=/dev/null",
        "-o", `HostKeyAlgorithms=${h.ssh.hostKey.split(" ")[0]}`,
        "-o", "UpdateHostKeys=no",
    ];
}

function count(records: Registered[], type: string): number {
    return records.filter((r) => r.type === type).length;
}

const stacks = allStackFiles().filter((f) => fs.existsSync(f) || f.startsWith("Pulumi."));

describe.each(stacks.map((f) => [stackLabel(f), f]))("graph of %s", (_label, file) => {
    let stack: LoadedStack;
    let records: Registered[];
    const invokes: pulumi.runtime.MockCallArgs[] = [];

    beforeAll(async () => {
        stack = loadStackFile(file);
        records = await declareUnderMocks(stack, { invokes });
    }, 60_000);

    it("declares one component per piece and one container per node", () => {
        const t = stack.topology;
        expect(count(records, "ha-mysql:host:HostBase")).toBe(t.hosts.length);
        expect(count(records, "ha-mysql:host:VrrpFirewall")).toBe(t.hosts.length);
        expect(count(records, "ha-mysql:docker:SwarmCluster")).toBe(t.network.driver === "overlay" ? 1 : 0);
        // The overlay, plus one local macvlan network per host that runs a macvlan VIP holder.
        expect(count(records, "docker:index/network:Network")).toBe(1 + new Set(macvlanNodes(t).map((n) => n.host)).size);
        // One Docker provider per host that runs Docker; a host with no container and no swarm role has none.
        expect(count(records, "pulumi:providers:docker")).toBe(t.hosts.filter((h) => runsDocker(t, h.name)).length);
        const containers = (t.database.pxc?.nodes.length ?? 0) + (t.database.dualMaster?.servers.length ?? 0) + (t.haproxy?.nodes.length ?? 0) + (t.mycat?.nodes.length ?? 0);
        expect(count(records, CONTAINER)).toBe(containers);
        const hostHolders = new Set(t.keepalived.instances.filter((i) => i.level === "host").flatMap((i) => vrrpMembers(t, i).map((m) => m.name)));
        expect(count(records, "ha-mysql:host:HostKeepalived")).toBe(hostHolders.size);
        const containerHolders = new Set(t.keepalived.instances.filter((i) => i.level === "container").flatMap((i) => vrrpMembers(t, i).map((m) => m.name)));
        expect(count(records, "ha-mysql:proxy:ContainerKeepalived")).toBe(containerHolders.size);
        expect(count(records, COMMAND)).toBeGreaterThan(t.hosts.length);
    });

    it("puts every resource under a component of this project", () => {
        const byUrn = new Map(records.map((r) => [r.urn, r]));
        for (const r of records.filter((x) => x.custom)) {
            const parent = byUrn.get(r.parent);
            expect([r.name, parent?.type.startsWith("ha-mysql:")]).toEqual([r.name, true]);
        }
    });

    it("gives every remote command a delete step, an update path, and its old delete first on a replacement", () => {
        for (const r of records.filter((x) => x.type === COMMAND)) {
            expect([r.name, typeof r.inputs.delete, r.inputs.update === r.inputs.create, r.deleteBeforeReplace]).toEqual([r.name, "string", true, true]);
            // Triggers replace a step: absent, or a non-empty list of ids (see test/graph/updates.test.ts).
            const triggers = r.inputs.triggers;
            expect([r.name, triggers === undefined || (Array.isArray(triggers) && triggers.length > 0)]).toEqual([r.name, true]);
        }
    });

    it("applies firewall rules before Docker networking, the swarm before the network, the network before containers", () => {
        const t = stack.topology;
        for (const h of t.hosts) {
            const fw = records.filter((r) => r.name.startsWith(`${h.name}-firewall-`) && r.type === COMMAND);
            if (!runsDocker(t, h.name)) {
                // No engine, no swarm membership, nothing of Docker's to restart after a firewalld reload.
                expect(records.filter((r) => r.name.startsWith(`swarm-${h.name}-`) || r.name === `${h.name}-docker` || r.name === `${h.name}-docker-ssh`).map((r) => r.name)).toEqual([]);
                expect(fw.map((f) => f.name).filter((n) => n.endsWith("-docker-restart"))).toEqual([]);
                continue;
            }
            if (t.network.driver === "overlay") {
                const gw = `swarm-${h.name}-gwbridge`;
                for (const f of fw) expect([gw, f.name, dependsOn(records, gw, f.name)]).toEqual([gw, f.name, true]);
                expect(dependsOn(records, t.network.name, h.swarmRole === "manager" ? "swarm-init" : `swarm-${h.name}-join`)).toBe(true);
            } else {
                for (const f of fw) expect(dependsOn(records, t.network.name, f.name)).toBe(true);
            }
            const restart = fw.find((f) => f.name.endsWith("-docker-restart"));
            if (h.firewall.kind === "firewalld") expect(restart && dependsOn(records, restart.name, `${h.name}-firewall-rules`)).toBe(true);
        }
        for (const c of records.filter((r) => r.type === CONTAINER)) expect([c.name, dependsOn(records, c.name, t.network.name)]).toEqual([c.name, true]);
    });

    it("bootstraps Galera first and adds joiners one at a time", () => {
        const nodes = stack.topology.database.pxc?.nodes ?? [];
        const boot = nodes.find((n) => n.bootstrap);
        const order = boot ? [boot, ...nodes.filter((n) => n !== boot)] : [];
        for (let i = 1; i < order.length; i++) {
            expect(dependsOn(records, `pxc-${order[i].name}`, `pxc-${order[i - 1].name}-synced`)).toBe(true);
            expect(dependsOn(records, `pxc-${order[i - 1].name}`, `pxc-${order[i].name}`)).toBe(false);
        }
    });

    it("starts replication only after both servers have their users", () => {
        const servers = stack.topology.database.dualMaster?.servers ?? [];
        for (const s of servers) for (const other of servers) expect(dependsOn(records, `dualmaster-${s.name}-replication`, `dualmaster-${other.name}-users`)).toBe(true);
    });

    it("starts proxies after the databases and VIPs after the proxies", () => {
        const t = stack.topology;
        const dbDone = [
            ...(t.database.pxc ? [`pxc-${t.database.pxc.nodes[t.database.pxc.nodes.length - 1].bootstrap ? t.database.pxc.nodes[t.database.pxc.nodes.length - 2].name : t.database.pxc.nodes[t.database.pxc.nodes.length - 1].name}-synced`] : []),
            ...(t.database.dualMaster?.servers.map((s) => `dualmaster-${s.name}-replication`) ?? []),
        ];
        const proxies = [...(t.haproxy?.nodes.map((n) => `haproxy-${n.name}`) ?? []), ...(t.mycat?.nodes.map((n) => `mycat-${n.name}`) ?? [])];
        for (const p of proxies) for (const d of dbDone) expect([p, d, dependsOn(records, p, d)]).toEqual([p, d, true]);
        for (const k of records.filter((r) => r.type === "ha-mysql:host:HostKeepalived")) {
            for (const p of proxies) expect([k.name, p, dependsOn(records, `${k.name}-apply`, p)]).toEqual([k.name, p, true]);
        }
        for (const k of records.filter((r) => r.type === "ha-mysql:proxy:ContainerKeepalived")) {
            const own = proxies.find((p) => p.endsWith(`-${k.name.replace(/-keepalived$/, "")}`));
            expect([k.name, own !== undefined && dependsOn(records, `${k.name}-apply`, own)]).toEqual([k.name, true]);
        }
        const containerKa = records.filter((r) => r.type === "ha-mysql:proxy:ContainerKeepalived");
        const hostKa = records.filter((r) => r.type === "ha-mysql:host:HostKeepalived");
        for (const h of hostKa) for (const c of containerKa) expect(dependsOn(records, `${h.name}-apply`, `${c.name}-apply`)).toBe(true);
    });

    it("attaches macvlan holders to their own host's macvlan network, after the shims", () => {
        const t = stack.topology;
        const holders = macvlanNodes(t);
        const shims = records.filter((r) => r.type === COMMAND && /^macvlan-.*-shim$/.test(r.name));
        expect(shims.map((r) => r.name).sort()).toEqual(t.hosts.filter((h) => holders.length > 0 && h.lan.macvlanShim).map((h) => `macvlan-${h.name}-shim`).sort());
        for (const n of holders) {
            const c = records.find((r) => r.type === CONTAINER && r.inputs.name === n.name && r.name.endsWith(`-${n.name}`));
            if (!c) throw new Error(`no container for ${n.name}`);
            const nets = (c.inputs.networksAdvanced as Array<{ name: string; ipv4Address: string }>).map((x) => x.ipv4Address);
            expect(nets).toEqual([n.ip, n.lanIp]);
            expect(c.inputs.init).toBe(true);
            expect(dependsOn(records, c.name, `macvlan-${n.host}`)).toBe(true);
            for (const s of shims) expect(dependsOn(records, c.name, s.name)).toBe(true);
        }
    });

    it("on every host runs the preflight first, then the install, then everything else; the Docker provider waits for the install", () => {
        const t = stack.topology;
        const steps = stepsOf(records);
        const remote = records.filter((r) => r.type === COMMAND);
        for (const h of t.hosts) {
            const [preflight, install, prereq] = [`${h.name}-preflight`, `${h.name}-install`, `${h.name}-prereq`];
            // The preflight depends on no remote step at all, and reads nothing.
            for (const r of remote.filter((x) => x.name !== preflight)) expect([preflight, r.name, dependsOn(records, preflight, r.name)]).toEqual([preflight, r.name, false]);
            expect(byName(records, preflight).inputs.stdin).toBeUndefined();
            expect(dependsOn(records, install, preflight)).toBe(true);
            for (const r of remote.filter((x) => x.name !== install)) expect([install, r.name, dependsOn(records, install, r.name)]).toEqual([install, r.name, r.name === preflight]);
            // Every other step on the host, and the host's Docker provider, comes after the install.
            const mine = steps.filter((s) => s.host === h.ssh.address && s.name !== preflight && s.name !== install);
            expect(mine.map((s) => s.name)).toContain(prereq);
            for (const s of mine) expect([s.name, dependsOn(records, s.name, install)]).toEqual([s.name, true]);
            const docker = runsDocker(t, h.name);
            if (docker) expect(dependsOn(records, `${h.name}-docker`, install)).toBe(true);
            if (docker) expect(byName(records, `${h.name}-docker`).deps).toContain(byName(records, install).urn);
            for (const f of records.filter((r) => r.type === COMMAND && r.name.startsWith(`${h.name}-firewall-`))) expect(dependsOn(records, f.name, prereq)).toBe(true);
            if (docker && t.network.driver === "overlay") expect(dependsOn(records, h.swarmRole === "manager" ? "swarm-init" : `swarm-${h.name}-join`, install)).toBe(true);
            // The boot unit where the host keeps runtime state, after the prerequisites (the state directory).
            const boot = records.find((r) => r.name === `${h.name}-boot`);
            expect([h.name, boot !== undefined]).toEqual([h.name, renderHostBoot(t, h.name) !== undefined]);
            if (boot) expect(dependsOn(records, boot.name, prereq)).toBe(true);
        }
        const nodes = [...(t.database.pxc?.nodes ?? []), ...(t.database.dualMaster?.servers ?? []), ...(t.haproxy?.nodes ?? []), ...(t.mycat?.nodes ?? [])];
        for (const c of records.filter((r) => r.type === CONTAINER)) {
            const node = nodes.find((n) => n.name === c.inputs.name);
            expect([c.name, node && dependsOn(records, c.name, `${node.host}-install`)]).toEqual([c.name, true]);
        }
    });

    it("checks every host's SSH key first: every remote step and Docker provider waits for every host's check", () => {
        const t = stack.topology;
        const checks = t.hosts.map((h) => byName(records, `${h.name}-host-key`));
        for (const [i, h] of t.hosts.entries()) {
            const c = checks[i];
            expect([c.name, c.type, c.inputs.update === c.inputs.create, c.inputs.triggers, typeof c.inputs.delete, c.deleteBeforeReplace]).toEqual([c.name, "command:local:Command", true, undefined, "string", true]);
            expect(c.parent).toBe(byName(records, `${h.name}-trust`).urn);
            // The check (on stdin when there is a pin) names the host and the pin's fingerprint in its messages.
            const script = String(c.inputs.stdin ?? c.inputs.create);
            expect(script).toContain(`host ${h.name} (${h.ssh.address})`);
            expect(script).toContain(h.ssh.hostKey ? fingerprint(h.ssh.hostKey) : "has no pinned host key");
            if (h.ssh.hostKey) expect(c.inputs.create).toMatch(/^sh -s # /);
            expect(c.deps).toEqual([]);
        }
        const gated = records.filter((r) => r.type === COMMAND || r.type === PROVIDER);
        expect(gated.length).toBeGreaterThan(t.hosts.length);
        for (const r of gated) for (const c of checks) expect([r.name, c.name, dependsOn(records, r.name, c.name)]).toEqual([r.name, c.name, true]);
    });

    it("gives a Docker provider reached at ssh:// the pinned host key and the stack's key only, in private files", () => {
        for (const h of stack.topology.hosts.filter((x) => runsDocker(stack.topology, x.name))) {
            const dir = sshDir(h.name);
            if (h.docker.host && !h.docker.host.startsWith("ssh://")) {
                expect([h.name, sshOptsOf(records, h.name), records.some((r) => r.name === `${h.name}-docker-ssh`)]).toEqual([h.name, undefined, false]);
                continue;
            }
            expect([h.name, sshOptsOf(records, h.name)]).toEqual([h.name, expectedSshOpts(h)]);
            expect(byName(records, `${h.name}-docker`).inputs.host).toBe(`ssh://root@${h.ssh.address}:22`);
            expect(fs.readFileSync(`${dir}/id`, "utf8")).toBe(TEST_SSH_KEY);
            expect(fs.readFileSync(`${dir}/known_hosts`, "utf8")).toBe(`${h.ssh.address} ${h.ssh.hostKey}\n`);
            for (let d = dir; d !== path.dirname(process.env.HA_MYSQL_SSH_DIR as string); d = path.dirname(d)) expect([d, mode(d)]).toEqual([d, 0o700]);
            for (const f of ["id", "known_hosts"]) expect([f, mode(`${dir}/${f}`)]).toEqual([f, 0o600]);
            // The step that removes the files is deleted after the provider, hence after every Docker resource.
            expect(dependsOn(records, `${h.name}-docker`, `${h.name}-docker-ssh`)).toBe(true);
        }
    });

    it("keeps every password out of the containers' environment, whatever the Galera flavor", () => {
        const containers = records.filter((r) => r.type === CONTAINER);
        expect(containers.length).toBeGreaterThan(0);
        // The Percona flavors' nodes run their start wrapper as root (the images' USER is mysql).
        const pxc = stack.topology.database.pxc;
        if (pxc && pxc.flavor !== "mariadb") for (const n of pxc.nodes) expect([n.name, byName(records, `pxc-${n.name}`).inputs.user]).toEqual([n.name, "root"]);
        for (const [key, value] of Object.entries(stack.secrets)) {
            const inEnv = containers.filter((c) => occurrences(c.inputs.envs, value).length > 0).map((c) => c.name);
            expect([key, inEnv]).toEqual([key, []]);
        }
    });

    it("feeds no command's stdout into any input: a step's output carries no data, so no secret", () => {
        // A stdout comes back to the step's next run as PULUMI_COMMAND_STDOUT and lands in the error of a failed run.
        for (const r of records) expect([r.name, occurrences(r.inputs, MOCK_STDOUT_PREFIX)]).toEqual([r.name, []]);
    });

    it("joins the workers with the token read on the manager over its SSH connection, never with a step's output", () => {
        const t = stack.topology;
        const reads = invokes.filter((i) => i.token === "command:local:run");
        if (t.network.driver !== "overlay") {
            expect(reads).toEqual([]);
            return;
        }
        const manager = t.hosts.find((h) => h.swarmRole === "manager") ?? t.hosts[0];
        const init = records.find((r) => r.name === "swarm-init");
        // swarm init prints no token: an ordinary step, logged.
        expect(init?.inputs.logging).toBe("stdoutAndStderr");
        expect(reads).toHaveLength(1);
        const read = reads[0].inputs as Record<string, unknown>;
        expect(read.command).toContain(`-p ${manager.ssh.port} -l '${manager.ssh.user}' ${manager.ssh.address} ${shellQuote(SWARM_TOKEN_READ)}`);
        expect([read.stdin, read.logging, read.addPreviousOutputInEnv]).toEqual([stack.secrets[manager.ssh.privateKeySecret], "none", false]);
        for (const value of Object.values(stack.secrets)) expect(String(read.command)).not.toContain(value);
        for (const h of t.hosts.filter((x) => x !== manager && runsDocker(t, x.name))) {
            const join = records.find((r) => r.name === `swarm-${h.name}-join`);
            const stdin = join?.inputs.stdin as Record<string, unknown> | undefined;
            expect([h.name, stdin?.[SIG_KEY], stdin?.value, join?.inputs.logging]).toEqual([h.name, SECRET_SIG, MOCK_SWARM_TOKEN, "none"]);
            expect(dependsOn(records, `swarm-${h.name}-join`, "swarm-init")).toBe(true);
        }
    });

    it("makes the CA and one certificate per database server on the operator's machine, their keys never logged, in an environment or in plaintext", () => {
        const t = stack.topology;
        const servers = [...(t.database.pxc?.nodes ?? []).map((n) => ({ name: n.name, step: `pxc-${n.name}-tls` })), ...(t.database.dualMaster?.servers ?? []).map((s) => ({ name: s.name, step: `dualmaster-${s.name}-tls` }))];
        const keySteps = records.filter((r) => r.type === "command:local:Command" && String(r.inputs.create).includes("openssl req"));
        if (!t.tls.enabled || servers.length === 0) {
            expect(keySteps).toEqual([]);
            return;
        }
        expect(keySteps.map((r) => r.name).sort()).toEqual(["tls-ca", ...servers.map((s) => `tls-${s.name}`)].sort());
        for (const k of keySteps) {
            expect([k.name, k.inputs.logging, k.inputs.addPreviousOutputInEnv, k.inputs.update === k.inputs.create]).toEqual([k.name, "none", false, true]);
            // Each key (the mocks print a recognisable one) is only ever inside a secret.
            const keyBody = mockKeyAndCertificate(k.name).split("\n")[1];
            const plain = records.flatMap((r) => occurrences(r.inputs, keyBody).filter((o) => !o.secret).map(() => r.name));
            expect([k.name, plain]).toEqual([k.name, []]);
        }
        for (const s of servers) {
            const certStep = records.find((r) => r.name === `tls-${s.name}`);
            expect([s.name, (certStep?.inputs.stdin as Record<string, unknown> | undefined)?.[SIG_KEY]]).toEqual([s.name, SECRET_SIG]);
            const step = records.find((r) => r.name === s.step);
            expect([s.step, step?.type, (step?.inputs.stdin as Record<string, unknown> | undefined)?.[SIG_KEY], step?.inputs.logging]).toEqual([s.step, COMMAND, SECRET_SIG, "none"]);
            const container = records.find((r) => r.type === CONTAINER && r.inputs.name === s.name);
            expect(container?.inputs.volumes).toEqual(expect.arrayContaining([{ hostPath: `/etc/ha-mysql/tls/${s.name}`, containerPath: "/etc/mysql/ha-tls", readOnly: true }]));
            expect([s.name, container && dependsOn(records, container.name, s.step)]).toEqual([s.name, true]);
        }
    });

    it("never puts a secret value in plaintext into a resource input", () => {
        for (const [key, value] of Object.entries(stack.secrets)) {
            const found = records.flatMap((r) => occurrences(r.inputs, value).map((o) => ({ ...o, at: r.name })));
            expect([key, found.filter((o) => !o.secret)]).toEqual([key, []]);
        }
    });
});

describe("the Docker provider's ssh files", () => {
    let own: string;
    let saved: string | undefined;
    beforeAll(() => {
        own = fs.mkdtempSync(path.join(os.tmpdir(), "ha-mysql-ssh-files-"));
        saved = process.env.HA_MYSQL_SSH_DIR;
        process.env.HA_MYSQL_SSH_DIR = own;
    });
    afterAll(() => {
        process.env.HA_MYSQL_SSH_DIR = saved;
        fs.rmSync(own, { recursive: true, force: true });
    });

    it("are the same files, untouched, on the next run, and the step's delete removes them", async () => {
        const stack = loadStackFile("Pulumi.tutorial.yaml");
        const first = await declareUnderMocks(stack);
        const dir = sshDir("vm105");
        const stamp = () => ["id", "known_hosts"].map((f) => fs.statSync(`${dir}/${f}`).mtimeMs);
        const before = stamp();
        await new Promise((r) => setTimeout(r, 20));
        const second = await declareUnderMocks(stack);
        expect(stamp()).toEqual(before);
        expect(sshOptsOf(second, "vm105")).toEqual(sshOptsOf(first, "vm105"));
        const step = byName(second, "vm105-docker-ssh");
        execFileSync("sh", ["-c", step.inputs.create as string]);
        execFileSync("sh", ["-c", step.inputs.delete as string]);
        expect(fs.existsSync(dir)).toBe(false);
        // The other host's files stay until its own step is deleted.
        expect(fs.readdirSync(sshDir("vm107")).sort()).toEqual(["id", "known_hosts"]);
        expect(() => execFileSync("sh", ["-c", step.inputs.create as string], { stdio: "pipe" })).toThrow(/is missing/);
    }, 60_000);

    it("without a pin: no known_hosts (a removed pin's goes), and ssh accepts any host key, as the command provider does", async () => {
        await declareUnderMocks(loadStackFile("Pulumi.tutorial.yaml"));
        expect(fs.readdirSync(sshDir("vm107")).sort()).toEqual(["id", "known_hosts"]);
        const raw = structuredClone(rawTopology("Pulumi.tutorial.yaml")) as { hosts: Array<{ ssh: { hostKey?: string } }> };
        delete raw.hosts[1].ssh.hostKey;
        const stack = loadTopology(PROJECT, raw, goodSecrets());
        const records = await declareUnderMocks(stack);
        const [pinned, unpinned] = stack.topology.hosts;
        expect(sshOptsOf(records, unpinned.name)).toEqual(expectedSshOpts(unpinned));
        expect(sshOptsOf(records, unpinned.name)).toContain("StrictHostKeyChecking=no");
        expect(fs.readdirSync(sshDir(unpinned.name))).toEqual(["id"]);
        expect(byName(records, `${unpinned.name}-host-key`).inputs.create).toContain("has no pinned host key");
        expect(sshOptsOf(records, pinned.name)).toContain("StrictHostKeyChecking=yes");
    }, 60_000);
});
