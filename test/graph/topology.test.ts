// The resource graph of each example stack under mocks: what is declared, under which
// parent, and the dependency edges that encode the order the tutorials follow by hand.
import * as fs from "fs";
import { LoadedStack } from "../../model/load";
import { SWARM_TOKEN_READ } from "../../components/render/swarm";
import { shellQuote } from "../../components/render/escape";
import { macvlanNodes, vrrpMembers } from "../../model/derive";
import * as pulumi from "@pulumi/pulumi";
import { declareUnderMocks, dependsOn, mockKeyAndCertificate, MOCK_STDOUT_PREFIX, MOCK_SWARM_TOKEN, occurrences, Registered, SECRET_SIG, SIG_KEY } from "../support/graph";
import { allStackFiles, loadStackFile, stackLabel } from "../support/stacks";

const COMMAND = "command:remote:Command";
const CONTAINER = "docker:index/container:Container";

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
        expect(count(records, "pulumi:providers:docker")).toBe(t.hosts.length);
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

    it("keeps every password out of the containers' environment (the Percona image's entrypoint excepted)", () => {
        const percona = stack.topology.database.pxc && stack.topology.database.pxc.flavor !== "mariadb" ? stack.topology.database.pxc.nodes.map((n) => n.name) : [];
        const containers = records.filter((r) => r.type === CONTAINER && !percona.includes(String(r.inputs.name)));
        expect(containers.length).toBeGreaterThan(0);
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
        for (const h of t.hosts.filter((x) => x !== manager)) {
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
