// Composes the components in dependency order from a validated topology, the order
// the tutorials follow by hand: firewall, swarm, network, databases, proxies, VIPs.
import * as pulumi from "@pulumi/pulumi";
import { LoadedStack } from "../model/load";
import { hostByName, macvlanHosts, vrrpMembers } from "../model/derive";
import { parseCidr } from "../model/net";
import { nodeAddresses, sqlEndpoints, statsEndpoints } from "../model/endpoints";
import { HostBase } from "../components/host/host-base";
import { VrrpFirewall } from "../components/host/vrrp-firewall";
import { HostKeepalived } from "../components/host/host-keepalived";
import { SwarmCluster } from "../components/docker/swarm";
import { OverlayNetwork } from "../components/docker/overlay-network";
import { MacvlanLan } from "../components/docker/macvlan-lan";
import { PxcCluster } from "../components/database/pxc-cluster";
import { DualMasterReplication } from "../components/database/dual-master";
import { HaproxyGroup } from "../components/proxy/haproxy-group";
import { MycatGroup } from "../components/proxy/mycat-group";
import { ContainerKeepalived } from "../components/proxy/container-keepalived";

export interface TopologyOutputs {
    readonly sqlEndpoints: Record<string, string>;
    readonly statsUrls: string[];
    readonly vipHolders: Record<string, string[]>;
    readonly nodeAddresses: Record<string, string>;
}

export function declareTopology(stack: LoadedStack): TopologyOutputs {
    const t = stack.topology;
    const secrets = pulumi.secret(stack.secrets);

    const hosts: Record<string, HostBase> = {};
    const firewalls: Record<string, pulumi.Resource[]> = {};
    for (const h of t.hosts) {
        hosts[h.name] = new HostBase(h.name, { topology: t, host: h, privateKey: secrets.apply((s) => s[h.ssh.privateKeySecret]) });
        firewalls[h.name] = new VrrpFirewall(`${h.name}-firewall`, { topology: t, host: h, connection: hosts[h.name].connection }, { dependsOn: [hosts[h.name].ready] }).done;
    }

    const manager = t.hosts.find((h) => h.swarmRole === "manager") ?? t.hosts[0];
    let networkDeps: pulumi.Resource[] = [...Object.values(firewalls).flat(), ...Object.values(hosts).map((h) => h.ready)];
    if (t.network.driver === "overlay") {
        const swarm = new SwarmCluster("swarm", { topology: t, hosts, after: firewalls });
        networkDeps = Object.values(swarm.members);
    }
    const network = new OverlayNetwork(t.network.name, { topology: t, provider: hosts[manager.name].docker, dependsOn: networkDeps });
    const netDeps: pulumi.Resource[] = [network.network];
    let lanNetworks: Record<string, pulumi.Output<string>> | undefined;
    if (macvlanHosts(t).length > 0) {
        const lan = new MacvlanLan("macvlan", { topology: t, hosts, dependsOn: networkDeps });
        lanNetworks = lan.networks;
        netDeps.push(...lan.ready);
    }

    const databases: pulumi.Resource[] = [];
    if (t.database.pxc) {
        const pxc = new PxcCluster("pxc", { topology: t, hosts, network: network.name, secrets, dependsOn: netDeps });
        databases.push(pxc.synced[pxc.synced.length - 1]);
    }
    if (t.database.dualMaster) {
        const dm = new DualMasterReplication("dualmaster", { topology: t, hosts, network: network.name, secrets, dependsOn: netDeps });
        databases.push(...dm.replicating);
    }

    const containerInstances = t.keepalived.instances.filter((i) => i.level === "container");
    const vrrpInside = (group: string) => containerInstances.some((i) => i.fronts === group);
    const proxies: Record<string, { containers: Record<string, import("@pulumi/docker").Container> }> = {};
    if (t.mycat) proxies.mycat = new MycatGroup("mycat", { topology: t, hosts, network: network.name, secrets, vrrpInside: vrrpInside("mycat"), lanNetworks, dependsOn: [...netDeps, ...databases] });
    if (t.haproxy) {
        const after = proxies.mycat ? Object.values(proxies.mycat.containers) : [];
        proxies.haproxy = new HaproxyGroup("haproxy", { topology: t, hosts, network: network.name, secrets, vrrpInside: vrrpInside("haproxy"), lanNetworks, dependsOn: [...netDeps, ...databases, ...after] });
    }

    const containerVrrp: pulumi.Resource[] = [];
    const seen = new Set<string>();
    for (const inst of containerInstances) {
        for (const m of vrrpMembers(t, inst)) {
            if (seen.has(m.name)) continue;
            seen.add(m.name);
            const container = proxies[inst.fronts]?.containers[m.name];
            if (!container) continue;
            containerVrrp.push(new ContainerKeepalived(`${m.name}-keepalived`, { topology: t, host: hosts[m.host], container, member: m.name, secrets, dependsOn: [] }).applied);
        }
    }

    const allContainers = Object.values(proxies).flatMap((p) => Object.values(p.containers));
    const hostInstances = t.keepalived.instances.filter((i) => i.level === "host");
    const holders = [...new Set(hostInstances.flatMap((i) => vrrpMembers(t, i).map((m) => m.name)))];
    for (const holder of holders) {
        const h = hostByName(t, holder);
        if (!h) continue;
        const vips = hostInstances
            .filter((i) => vrrpMembers(t, i).some((m) => m.name === holder))
            .map((i) => `${i.vip}/${parseCidr(h.lan.address).prefix} dev ${i.interface ?? h.lan.interface}`);
        new HostKeepalived(`${holder}-keepalived`, { topology: t, host: hosts[holder], member: holder, vips, secrets, dependsOn: [...allContainers, ...containerVrrp, ...databases] });
    }

    return outputsOf(stack);
}

function outputsOf(stack: LoadedStack): TopologyOutputs {
    const t = stack.topology;
    const vipHolders: Record<string, string[]> = {};
    for (const inst of t.keepalived.instances) vipHolders[`${inst.name} ${inst.vip}`] = vrrpMembers(t, inst).map((m) => m.name);
    return {
        sqlEndpoints: Object.fromEntries(sqlEndpoints(t).map((e) => [e.label, `${e.address}:${e.port}`])),
        statsUrls: statsEndpoints(t).map((e) => e.url),
        vipHolders,
        nodeAddresses: nodeAddresses(t),
    };
}
