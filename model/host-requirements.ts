// What each host needs before the stack's pieces can run there, derived from the topology alone:
// the software (the commands that show it is present, the packages that provide it, the service
// that must run), the kernel modules, the host ports its containers publish, and the traffic its
// firewall must admit from the LAN. The preflight, install, firewall and boot renderers read it.
import { Topology, VrrpInstance } from "./schema";
import { hostAddress, publishedPorts, PublishedPort, runsDocker, vrrpMembers } from "./derive";

export type PackageManager = "apt-get" | "dnf" | "yum";

/** In the order the install step looks for them. */
export const PACKAGE_MANAGERS: ReadonlyArray<PackageManager> = ["apt-get", "dnf", "yum"];

export type PieceName = "firewalld" | "iptables" | "docker" | "keepalived" | "ipvsadm";

export interface Piece {
    readonly name: PieceName;
    /** Why this host needs it, for messages: "keepalived holds VI_LAN on this host". */
    readonly why: string;
    /** Commands whose presence means the piece is installed (a running Docker engine counts as present). */
    readonly commands: ReadonlyArray<string>;
    /** The packages that provide it, per package manager. */
    readonly packages: Readonly<Record<PackageManager, ReadonlyArray<string>>>;
    /** The config key that chooses its packages, when the schema has one. */
    readonly packagesKey?: string;
    /** The systemd unit that must be enabled and running (Docker, firewalld); absent: nothing to run. */
    readonly service?: string;
}

export interface KernelModule {
    readonly name: string;
    readonly why: string;
    /**
     * Needed only where the Docker engine is not running yet: a running engine has its storage
     * driver and networking in place already.
     */
    readonly forDockerStart: boolean;
    /** Listed in /etc/modules-load.d so that it is loaded again at boot (dockerd loads its own). */
    readonly loadAtBoot: boolean;
}

/** Traffic the host firewall admits on the firewall interface, beyond VRRP. */
export interface Admission {
    readonly protocol: "tcp" | "udp";
    readonly port: number;
    /** Source address; absent: from anywhere. */
    readonly from?: string;
    readonly why: string;
}

export interface HostRequirements {
    readonly host: string;
    /** The host's place in hosts[], for the config keys messages name. */
    readonly index: number;
    /** hosts[].install.enabled: whether the stack may install and start what is missing. */
    readonly install: boolean;
    /** In install order: the firewall tool before Docker (Docker registers with a firewalld running when it starts). */
    readonly pieces: ReadonlyArray<Piece>;
    readonly modules: ReadonlyArray<KernelModule>;
    /** The host ports its containers publish: free, or held by Docker on a re-run. */
    readonly ports: ReadonlyArray<PublishedPort>;
}

/**
 * Default packages of the Docker engine: the distribution's own on apt, Docker's repository on
 * dnf and yum. apt installs without Recommends (git, perl, needrestart: minutes on a small VM),
 * so apparmor, which docker.io only recommends, is named: Debian's kernels enable AppArmor, and
 * dockerd then needs apparmor_parser to start a container.
 */
export const DEFAULT_DOCKER_PACKAGES: Readonly<Record<PackageManager, ReadonlyArray<string>>> = {
    "apt-get": ["docker.io", "apparmor"],
    dnf: ["docker-ce"],
    yum: ["docker-ce"],
};

const same = (pkgs: ReadonlyArray<string>): Record<PackageManager, ReadonlyArray<string>> => ({ "apt-get": pkgs, dnf: pkgs, yum: pkgs });

function hostIndex(t: Topology, hostName: string): number {
    const i = t.hosts.findIndex((h) => h.name === hostName);
    if (i < 0) throw new Error(`unknown host ${hostName}`);
    return i;
}

/** The host-level VRRP instances this host runs keepalived for. */
export function hostInstancesOn(t: Topology, hostName: string): VrrpInstance[] {
    return t.keepalived.instances.filter((i) => i.level === "host" && vrrpMembers(t, i).some((m) => m.host === hostName));
}

/** True when keepalived on this host speaks VRRP on its LAN (container adverts never reach the host's INPUT chain). */
export function speaksVrrp(t: Topology, hostName: string): boolean {
    return hostInstancesOn(t, hostName).length > 0;
}

/** The host-level instances for which this host is an LVS director. */
export function lvsInstancesOn(t: Topology, hostName: string): VrrpInstance[] {
    return hostInstancesOn(t, hostName).filter((i) => i.forwarding.kind !== "none");
}

export function publishedPortsOn(t: Topology, hostName: string): PublishedPort[] {
    return publishedPorts(t).filter((p) => p.host === hostName);
}

/** Swarm traffic between the hosts: control (2377/tcp, to the manager), gossip (7946), VXLAN data (4789/udp). */
export const SWARM_PORTS = { control: 2377, gossip: 7946, vxlan: 4789 } as const;

/**
 * What the firewall admits from the LAN besides VRRP: the ports listed in firewall.ports, the
 * host ports its containers publish and its LVS virtual services (so VIP traffic reaches them),
 * and on a swarm of several hosts the swarm's ports from the other members' LAN addresses. Each
 * protocol, port and source once, the first reason kept.
 */
export function hostAdmissions(t: Topology, hostName: string): Admission[] {
    const index = hostIndex(t, hostName);
    const h = t.hosts[index];
    const out: Admission[] = [];
    for (const port of h.firewall.ports) out.push({ protocol: "tcp", port, why: `hosts[${index}].firewall.ports` });
    for (const p of publishedPortsOn(t, hostName)) out.push({ protocol: "tcp", port: p.port, why: `${p.what} (${p.path})` });
    for (const inst of lvsInstancesOn(t, hostName)) {
        for (const s of inst.forwarding.services) out.push({ protocol: "tcp", port: s.port, why: `LVS service ${inst.vip}:${s.port} of ${inst.name}` });
    }
    if (t.network.driver === "overlay" && runsDocker(t, hostName)) {
        const manager = t.hosts.find((x) => x.swarmRole === "manager");
        for (const other of t.hosts.filter((x) => x !== h && runsDocker(t, x.name))) {
            const from = hostAddress(other);
            if (h === manager) out.push({ protocol: "tcp", port: SWARM_PORTS.control, from, why: `swarm control from ${other.name}` });
            out.push({ protocol: "tcp", port: SWARM_PORTS.gossip, from, why: `swarm gossip from ${other.name}` });
            out.push({ protocol: "udp", port: SWARM_PORTS.gossip, from, why: `swarm gossip from ${other.name}` });
            out.push({ protocol: "udp", port: SWARM_PORTS.vxlan, from, why: `overlay traffic (VXLAN) from ${other.name}` });
        }
    }
    const seen = new Set<string>();
    return out.filter((a) => {
        const key = `${a.protocol}/${a.port}/${a.from ?? ""}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
    });
}

/** True when the host's firewall has anything to admit, so its tool must be there. */
export function firewallHasRules(t: Topology, hostName: string): boolean {
    const h = t.hosts[hostIndex(t, hostName)];
    if (h.firewall.kind === "none") return false;
    return (h.firewall.admitVrrp && speaksVrrp(t, hostName)) || hostAdmissions(t, hostName).length > 0;
}

export function hostRequirements(t: Topology, hostName: string): HostRequirements {
    const index = hostIndex(t, hostName);
    const h = t.hosts[index];
    const pieces: Piece[] = [];
    if (firewallHasRules(t, hostName)) {
        if (h.firewall.kind === "firewalld") {
            // VRRP goes in as direct rules, which firewalld runs through iptables (its ipv4 backend):
            // a host without Docker, which pulls iptables in, may not have it.
            const direct = h.firewall.admitVrrp && speaksVrrp(t, hostName);
            pieces.push({
                name: "firewalld",
                why: `hosts[${index}].firewall.kind is firewalld${direct ? "; its VRRP direct rules run through iptables" : ""}`,
                commands: direct ? ["firewall-cmd", "iptables"] : ["firewall-cmd"],
                packages: same(direct ? ["firewalld", "iptables"] : ["firewalld"]),
                service: "firewalld",
            });
        } else {
            pieces.push({ name: "iptables", why: `hosts[${index}].firewall.kind is iptables`, commands: ["iptables"], packages: same(["iptables"]) });
        }
    }
    const own = h.install.docker.packages;
    const docker = runsDocker(t, hostName);
    if (docker) pieces.push({
        name: "docker",
        why: "this host runs the stack's Docker engine",
        commands: ["docker", "dockerd"],
        packages: own ? same(own) : DEFAULT_DOCKER_PACKAGES,
        packagesKey: `hosts[${index}].install.docker.packages`,
        service: "docker",
    });
    const vrrp = hostInstancesOn(t, hostName);
    if (vrrp.length > 0) {
        pieces.push({ name: "keepalived", why: `keepalived holds ${vrrp.map((i) => i.name).join(", ")} on this host`, commands: ["keepalived"], packages: same(["keepalived"]) });
    }
    const lvs = lvsInstancesOn(t, hostName);
    const directs = lvs.map((i) => i.name).join(", ");
    if (lvs.length > 0) pieces.push({ name: "ipvsadm", why: `LVS director of ${directs}`, commands: ["ipvsadm"], packages: same(["ipvsadm"]) });

    const modules: KernelModule[] = [];
    if (lvs.length > 0) {
        modules.push({ name: "ip_vs", why: `LVS director of ${directs}`, forDockerStart: false, loadAtBoot: true });
        for (const algo of [...new Set(lvs.map((i) => i.forwarding.lbAlgo))]) {
            const users = lvs.filter((i) => i.forwarding.lbAlgo === algo).map((i) => i.name).join(", ");
            modules.push({ name: `ip_vs_${algo}`, why: `the ${algo} scheduler of ${users}`, forDockerStart: false, loadAtBoot: true });
        }
    }
    if (docker) modules.push({ name: "overlay", why: "Docker's overlay2 storage driver", forDockerStart: true, loadAtBoot: false });
    if (docker && t.network.driver === "overlay") modules.push({ name: "vxlan", why: `the swarm overlay network ${t.network.name}`, forDockerStart: true, loadAtBoot: false });

    return { host: h.name, index, install: h.install.enabled, pieces, modules, ports: publishedPortsOn(t, hostName) };
}

export function pieceNamed(r: HostRequirements, name: PieceName): Piece | undefined {
    return r.pieces.find((p) => p.name === name);
}
