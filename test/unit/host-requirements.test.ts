// What each host needs (model/host-requirements.ts): the software, kernel modules and published
// ports the preflight checks and the install step delivers, and what the firewall admits.
import fc from "fast-check";
import { Topology } from "../../model/schema";
import { Admission, DEFAULT_DOCKER_PACKAGES, firewallHasRules, hostAdmissions, hostRequirements, SWARM_PORTS } from "../../model/host-requirements";
import { hostAddress, runsDocker } from "../../model/derive";
import { allStackFiles, loadStackFile } from "../support/stacks";

const load = (file: string) => loadStackFile(file).topology;
const names = (t: Topology, h: string) => hostRequirements(t, h).pieces.map((p) => p.name);
const modules = (t: Topology, h: string) => hostRequirements(t, h).modules.map((m) => `${m.name}${m.forDockerStart ? " (docker start)" : ""}${m.loadAtBoot ? " (boot)" : ""}`);

describe("hostRequirements", () => {
    it("the dev stack: Docker everywhere, keepalived on the host VIP's holders, iptables where there are rules", () => {
        const t = load("Pulumi.dev.yaml");
        expect(names(t, "lab1")).toEqual(["iptables", "docker", "keepalived"]);
        expect(names(t, "lab2")).toEqual(["iptables", "docker", "keepalived"]);
        // lab3 holds no VIP but admits the swarm from the other hosts.
        expect(names(t, "lab3")).toEqual(["iptables", "docker"]);
        expect(modules(t, "lab1")).toEqual(["overlay (docker start)", "vxlan (docker start)"]);
        expect(hostRequirements(t, "lab1").ports.map((p) => p.port)).toEqual([3306, 3308, 3307, 8888]);
        expect(hostRequirements(t, "lab3").ports).toEqual([]);
        expect(hostRequirements(t, "lab1").install).toBe(true);
    });

    it("Docker: the distribution's package on apt, Docker's on dnf and yum, or the configured ones on every manager; enabled and started as docker", () => {
        const t = load("Pulumi.tutorial.yaml");
        const docker = hostRequirements(t, "vm105").pieces.find((p) => p.name === "docker");
        expect(docker?.packages).toEqual(DEFAULT_DOCKER_PACKAGES);
        expect(DEFAULT_DOCKER_PACKAGES).toEqual({ "apt-get": ["docker.io", "apparmor"], dnf: ["docker-ce"], yum: ["docker-ce"] });
        expect([docker?.service, docker?.commands, docker?.packagesKey]).toEqual(["docker", ["docker", "dockerd"], "hosts[0].install.docker.packages"]);
        const own: Topology = { ...t, hosts: t.hosts.map((h, i) => (i === 1 ? { ...h, install: { enabled: true, docker: { packages: ["docker-ce", "docker-ce-cli"] } } } : h)) };
        const mine = hostRequirements(own, "vm107").pieces.find((p) => p.name === "docker");
        expect(mine?.packages).toEqual({ "apt-get": ["docker-ce", "docker-ce-cli"], dnf: ["docker-ce", "docker-ce-cli"], yum: ["docker-ce", "docker-ce-cli"] });
        expect(hostRequirements(own, "vm107").index).toBe(1);
    });

    it("firewalld hosts need firewalld running; kind none needs no firewall tool", () => {
        const t = load("Pulumi.tutorial.yaml");
        const fw = hostRequirements(t, "vm105").pieces[0];
        // VRRP goes in as direct rules, which firewalld runs through iptables.
        expect([fw.name, fw.service, fw.commands, fw.packages["apt-get"]]).toEqual(["firewalld", "firewalld", ["firewall-cmd", "iptables"], ["firewalld", "iptables"]]);
        const none: Topology = { ...t, hosts: t.hosts.map((h) => ({ ...h, firewall: { ...h.firewall, kind: "none" as const } })) };
        expect(names(none, "vm105")).toEqual(["docker", "keepalived"]);
        expect(firewallHasRules(none, "vm105")).toBe(false);
    });

    it("a host the stack places no container on and that is not the swarm manager runs no Docker engine: an LVS director runs keepalived and ipvsadm alone", () => {
        const t = load("Pulumi.vmlab.yaml");
        expect(names(t, "vm3")).toEqual(["firewalld", "keepalived", "ipvsadm"]);
        expect(modules(t, "vm3")).toEqual(["ip_vs (boot)", "ip_vs_rr (boot)"]);
        expect([runsDocker(t, "vm1"), runsDocker(t, "vm2"), runsDocker(t, "vm3")]).toEqual([true, true, false]);
        // Nor does it take part in the swarm: no swarm ports to or from it.
        const swarm = (h: string) => hostAdmissions(t, h).filter((a) => Object.values(SWARM_PORTS).includes(a.port as never) && a.from);
        expect(swarm("vm3")).toEqual([]);
        expect(swarm("vm1").map((a) => a.from)).not.toContain("10.78.0.13");
        // The manager runs Docker even with no container of its own.
        const bare: Topology = { ...t, hosts: t.hosts.map((h) => ({ ...h, swarmRole: h.name === "vm3" ? ("manager" as const) : ("worker" as const) })) };
        expect(names(bare, "vm3")).toContain("docker");
    });

    it("LVS directors need ipvsadm and the IPVS modules at boot; real servers do not", () => {
        const t4 = load("test/fixtures/tutorial-004.yaml");
        expect(names(t4, "lb1")).toEqual(["iptables", "docker", "keepalived", "ipvsadm"]);
        expect(modules(t4, "lb1")).toEqual(["ip_vs (boot)", "ip_vs_rr (boot)", "overlay (docker start)", "vxlan (docker start)"]);
        expect(names(t4, "mc3")).toEqual(["iptables", "docker"]);
        expect(modules(t4, "mc3")).toEqual(["overlay (docker start)", "vxlan (docker start)"]);
        expect(hostRequirements(t4, "mc3").ports.map((p) => `${p.port} ${p.path}`)).toEqual(["8066 mycat.ports.server", "9066 mycat.ports.manager"]);
        // LVS-NAT on a single bridge host: no swarm, so no vxlan.
        const t3 = load("test/fixtures/tutorial-003.yaml");
        expect(names(t3, "docker1")).toEqual(["iptables", "docker", "keepalived", "ipvsadm"]);
        expect(modules(t3, "docker1")).toEqual(["ip_vs (boot)", "ip_vs_rr (boot)", "overlay (docker start)"]);
    });

    it("one scheduler module per algorithm the host's LVS instances use", () => {
        const t4 = load("test/fixtures/tutorial-004.yaml");
        const inst = t4.keepalived.instances[0];
        const two: Topology = { ...t4, keepalived: { ...t4.keepalived, instances: [inst, { ...inst, name: "VI_2", virtualRouterId: 52, vip: "192.168.100.101", forwarding: { ...inst.forwarding, lbAlgo: "wlc" } }] } };
        expect(hostRequirements(two, "lb2").modules.filter((m) => m.loadAtBoot).map((m) => m.name)).toEqual(["ip_vs", "ip_vs_rr", "ip_vs_wlc"]);
    });

    it("refuses an unknown host", () => {
        expect(() => hostRequirements(load("Pulumi.dev.yaml"), "lab9")).toThrow(/unknown host lab9/);
    });
});

describe("hostAdmissions", () => {
    const key = (a: Admission) => `${a.protocol}/${a.port}/${a.from ?? "any"}`;

    it.each(allStackFiles())("%s: each protocol, port and source once; the swarm's ports from exactly the other members (hosts with Docker)", (file) => {
        const t = load(file);
        const manager = t.hosts.find((h) => h.swarmRole === "manager");
        for (const h of t.hosts) {
            const all = hostAdmissions(t, h.name);
            expect(new Set(all.map(key)).size).toBe(all.length);
            const from = (port: number, protocol: string) => all.filter((a) => a.port === port && a.protocol === protocol && a.from).map((a) => a.from).sort();
            const member = (x: Topology["hosts"][number]) => runsDocker(t, x.name);
            const others = t.network.driver === "overlay" && member(h) ? t.hosts.filter((o) => o !== h && member(o)).map(hostAddress).sort() : [];
            expect([h.name, from(SWARM_PORTS.gossip, "tcp"), from(SWARM_PORTS.gossip, "udp"), from(SWARM_PORTS.vxlan, "udp")]).toEqual([h.name, others, others, others]);
            expect([h.name, from(SWARM_PORTS.control, "tcp")]).toEqual([h.name, h === manager ? others : []]);
        }
    });

    it("admits the user's ports, the published ports and the LVS services from anywhere, the user's first", () => {
        const t3 = load("test/fixtures/tutorial-003.yaml");
        // firewall.ports [3306, 8888] and the LVS services 3306 and 8888: once each, as the user's.
        expect(hostAdmissions(t3, "docker1").map((a) => `${key(a)} ${a.why}`)).toEqual(["tcp/3306/any hosts[0].firewall.ports", "tcp/8888/any hosts[0].firewall.ports"]);
        const t4 = load("test/fixtures/tutorial-004.yaml");
        expect(hostAdmissions(t4, "lb2").filter((a) => !a.from).map((a) => `${key(a)} ${a.why}`)).toEqual(["tcp/8066/any hosts[1].firewall.ports"]);
        const bare: Topology = { ...t4, hosts: t4.hosts.map((h) => ({ ...h, firewall: { ...h.firewall, ports: [] } })) };
        expect(hostAdmissions(bare, "lb2").filter((a) => !a.from).map((a) => `${key(a)} ${a.why}`)).toEqual(["tcp/8066/any LVS service 192.168.100.100:8066 of VI_1"]);
    });

    it("a published port is admitted on the host that publishes it and nowhere else", () => {
        const t = load("Pulumi.dev.yaml");
        const port = fc.integer({ min: 20000, max: 29999 });
        fc.assert(
            fc.property(port, (p) => {
                const ha = t.haproxy!;
                const withStats: Topology = { ...t, haproxy: { ...ha, stats: { ...ha.stats, publishPort: p } } };
                const on = (h: string) => hostAdmissions(withStats, h).some((a) => a.port === p && !a.from);
                return on("lab1") && on("lab2") && !on("lab3");
            }),
            { numRuns: 25 },
        );
    });
});
