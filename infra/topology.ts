// Composes the components in dependency order from a validated topology, the order
// the tutorials follow by hand: hosts (preflight, install, prerequisites), firewall, swarm,
// network, databases, proxies, VIPs.
import * as pulumi from "@pulumi/pulumi";
import { LoadedStack } from "../model/load";
import { haproxyListeners, containersOn, hostByName, macvlanHosts, macvlanNodes, pxcBootstrapNode, runsDocker, vrrpMembers } from "../model/derive";
import { parseCidr } from "../model/net";
import { nodeAddresses, sqlEndpoints, statsEndpoints } from "../model/endpoints";
import { HostBase } from "../components/host/host-base";
import { HostTrust } from "../components/host/host-trust";
import { dockerSsh, writeDockerSsh } from "../components/host/docker-ssh";
import { VrrpFirewall } from "../components/host/vrrp-firewall";
import { HostKeepalived } from "../components/host/host-keepalived";
import { SwarmCluster } from "../components/docker/swarm";
import { OverlayNetwork } from "../components/docker/overlay-network";
import { NetworkAnchors } from "../components/docker/network-anchors";
import { MacvlanLan } from "../components/docker/macvlan-lan";
import { PxcCluster } from "../components/database/pxc-cluster";
import { DualMasterReplication } from "../components/database/dual-master";
import { GaleraWhole } from "../components/database/galera-whole";
import { HaproxyGroup } from "../components/proxy/haproxy-group";
import { MycatGroup } from "../components/proxy/mycat-group";
import { ContainerKeepalived } from "../components/proxy/container-keepalived";
import { StackContext } from "../components/stack-context";
import { renderSysctl } from "../components/render/sysctl";
import { renderFirewall } from "../components/render/firewall";
import { renderPreflight } from "../components/render/host-preflight";
import { renderInstall } from "../components/render/host-install";
import { renderHostBoot } from "../components/render/host-boot";
import { renderContainerStart } from "../components/render/container-start";
import { renderShimApply } from "../components/render/macvlan-shim";
import { renderDualMasterCnf, renderGaleraCnf, renderGaleraSecretCnf } from "../components/render/mysql-cnf";
import { GALERA_INIT_SQL_PATH, renderGaleraStart } from "../components/render/galera-start";
import { renderGaleraRecover } from "../components/render/galera-recover";
import { renderClientCnf } from "../components/render/client-cnf";
import { renderSecretFile, ROOT_PASSWORD_FILE } from "../components/render/secret-file";
import { renderGaleraUsersSql, renderReplicationFiles } from "../components/render/replication-sql";
import { renderHaproxyCfg } from "../components/render/haproxy";
import { renderMycatRuleXml, renderMycatSchemaXml, renderMycatServerXml } from "../components/render/mycat-xml";
import { renderClustercheck, renderMycatStatus } from "../components/render/health-services";
import { renderKeepalivedFiles } from "../components/render/keepalived";
import { renderDualMasterTlsCnf, renderGaleraTlsCnf, tlsFiles } from "../components/render/tls";
import { TlsCertificates } from "../components/database/tls-certificates";
import { serverTlsDir } from "../components/database/server-tls";
import { tlsSubjects } from "../model/tls";
import { RenderedFile } from "../components/render/file";

export interface TopologyOutputs {
    readonly sqlEndpoints: Record<string, string>;
    readonly statsUrls: string[];
    readonly vipHolders: Record<string, string[]>;
    readonly nodeAddresses: Record<string, string>;
    /** The CA certificate the database servers' certificates are signed with (PEM), for clients that verify them. */
    readonly tlsCaCertificate?: pulumi.Output<string>;
}

export function declareTopology(stack: LoadedStack): TopologyOutputs {
    const t = stack.topology;
    const secrets = pulumi.secret(stack.secrets);

    // First the SSH trust: each host's key compared with its pin, and the Docker provider's ssh
    // files, written now so that they exist for every later operation, deletes included.
    const sshFiles = t.hosts.map((h) => (runsDocker(t, h.name) ? dockerSsh(h, stack.secrets[h.ssh.privateKeySecret], pulumi.getProject(), pulumi.getStack()) : undefined));
    for (const d of sshFiles) if (d) writeDockerSsh(d);
    const trust = t.hosts.map((h, i) => new HostTrust(`${h.name}-trust`, { host: h, index: i, dockerSsh: sshFiles[i] }));
    const checked = pulumi.all(trust.map((x) => x.checked));
    const trustSteps = trust.flatMap((x) => x.steps);

    const hosts: Record<string, HostBase> = {};
    const firewalls: Record<string, pulumi.Resource[]> = {};
    for (const [i, h] of t.hosts.entries()) {
        const dockerEngine = runsDocker(t, h.name);
        hosts[h.name] = new HostBase(h.name, {
            host: h,
            privateKey: secrets.apply((s) => s[h.ssh.privateKeySecret]),
            sysctl: renderSysctl(t, h.name),
            checked,
            trust: trustSteps,
            dockerEngine,
            dockerSsh: sshFiles[i],
            preflight: renderPreflight(t, h.name),
            install: renderInstall(t, h.name),
            boot: renderHostBoot(t, h.name),
            containerStart: renderContainerStart(t, h.name),
        });
        firewalls[h.name] = new VrrpFirewall(
            `${h.name}-firewall`,
            { host: h, connection: hosts[h.name].connection, firewall: renderFirewall(t, h.name), dockerEngine, dependsOn: [hosts[h.name].ready] },
            { dependsOn: [hosts[h.name].ready] },
        ).done;
    }

    const manager = t.hosts.find((h) => h.swarmRole === "manager") ?? t.hosts.find((h) => runsDocker(t, h.name)) ?? t.hosts[0];
    let networkDeps: pulumi.Resource[] = [...Object.values(firewalls).flat(), ...Object.values(hosts).map((h) => h.ready)];
    if (t.network.driver === "overlay") {
        // A host that runs no container (an LVS director, a VIP holder) stays out of the swarm.
        const workers = t.hosts.filter((h) => h !== manager && runsDocker(t, h.name));
        const swarm = new SwarmCluster("swarm", { hosts, manager, workers, gwbridgeSubnet: t.network.gwbridgeSubnet, after: firewalls });
        networkDeps = Object.values(swarm.members);
    }
    const network = new OverlayNetwork(t.network.name, { network: t.network, provider: hosts[manager.name].docker, dependsOn: networkDeps });
    const context: StackContext = { hosts, network: network.name, secrets };
    const netDeps: pulumi.Resource[] = [network.network];
    if (t.network.anchors) {
        // Each anchor runs the image of the host's first container (a database where it has one).
        const placements = t.hosts.flatMap((h) => containersOn(t, h.name).slice(0, 1).map((c) => ({ host: h, image: c.image })));
        const anchors = new NetworkAnchors(`${t.network.name}-anchor`, { network: t.network.name, manager, placements, hosts, dependsOn: [network.network, ...networkDeps] });
        netDeps.push(...anchors.anchors);
    }
    let lanNetworks: Record<string, pulumi.Output<string>> | undefined;
    if (macvlanHosts(t).length > 0) {
        const holderHosts = new Set(macvlanNodes(t).map((n) => n.host));
        const lans = macvlanHosts(t).map((h) => ({ host: h, holder: holderHosts.has(h.name), shimApply: h.lan.macvlanShim ? renderShimApply(t, h) : undefined }));
        const lan = new MacvlanLan("macvlan", { hosts, networkName: t.macvlan.name, lans, dependsOn: networkDeps });
        lanNetworks = lan.networks;
        netDeps.push(...lan.ready);
    }

    // The CA and a certificate per database server, then each server's files for its host directory.
    const subjects = tlsSubjects(t);
    const certs = t.tls.enabled && subjects.length > 0 ? new TlsCertificates("tls", { caName: `ha-mysql ${pulumi.getProject()}/${pulumi.getStack()} CA`, days: t.tls.certificateDays, subjects }) : undefined;
    const serverTlsFiles: Record<string, pulumi.Output<RenderedFile[]>> | undefined = certs
        ? Object.fromEntries(subjects.map((sub) => [sub.name, pulumi.secret(pulumi.all([certs.caCertificate, certs.servers[sub.name]]).apply(([ca, server]) => tlsFiles(serverTlsDir(sub.name), ca, server)))]))
        : undefined;

    const databases: pulumi.Resource[] = [];
    let galera: PxcCluster | undefined;
    if (t.database.pxc) {
        const pc = t.database.pxc;
        const nodeFiles = Object.fromEntries(
            pc.nodes.map((n) => [
                n.name,
                secrets.apply((s) => [
                    renderGaleraCnf(t, n.name),
                    ...renderGaleraTlsCnf(t),
                    ...renderGaleraSecretCnf(t, n.name, s),
                    renderGaleraStart(t, n.name),
                    renderGaleraRecover(t, n.name),
                    { path: GALERA_INIT_SQL_PATH, mode: "0600", content: renderGaleraUsersSql(t, s) },
                    renderClientCnf("root", s[pc.rootPasswordSecret]),
                    ...renderClustercheck(t, n.name, s),
                ]),
            ]),
        );
        galera = new PxcCluster("pxc", { context, pxc: pc, bootstrap: pxcBootstrapNode(t), nodeFiles, tlsFiles: serverTlsFiles, dependsOn: netDeps });
        databases.push(galera.synced[galera.synced.length - 1]);
    }
    if (t.database.dualMaster) {
        const dmc = t.database.dualMaster;
        const perServer = <T>(f: (server: string, s: Record<string, string>) => T) => Object.fromEntries(dmc.servers.map((x) => [x.name, secrets.apply((s) => f(x.name, s))]));
        const dm = new DualMasterReplication("dualmaster", {
            context,
            dualMaster: dmc,
            serverFiles: perServer((server, s) => [
                renderDualMasterCnf(t, server),
                ...renderDualMasterTlsCnf(t),
                renderClientCnf("root", s[dmc.rootPasswordSecret]),
                renderSecretFile(ROOT_PASSWORD_FILE, s[dmc.rootPasswordSecret]),
            ]),
            replicationFiles: perServer((server, s) => renderReplicationFiles(t, server, s)),
            tlsFiles: serverTlsFiles,
            dependsOn: netDeps,
        });
        databases.push(...dm.replicating);
    }

    const containerInstances = t.keepalived.instances.filter((i) => i.level === "container");
    const vrrpInside = (group: string) => containerInstances.some((i) => i.fronts === group);
    const proxies: Record<string, { containers: Record<string, import("@pulumi/docker").Container> }> = {};
    if (t.mycat) {
        const files = secrets.apply((s) => [renderMycatServerXml(t, s), renderMycatSchemaXml(t, s), renderMycatRuleXml(t), ...renderMycatStatus(t)]);
        proxies.mycat = new MycatGroup("mycat", { context, mycat: t.mycat, files, vrrpInside: vrrpInside("mycat"), lanNetworks, dependsOn: [...netDeps, ...databases] });
    }
    if (t.haproxy) {
        const after = proxies.mycat ? Object.values(proxies.mycat.containers) : [];
        const configs = Object.fromEntries(t.haproxy.nodes.map((n) => [n.name, secrets.apply((s) => renderHaproxyCfg(t, n.name, s))]));
        proxies.haproxy = new HaproxyGroup("haproxy", {
            context,
            haproxy: t.haproxy,
            listeners: haproxyListeners(t),
            configs,
            vrrpInside: vrrpInside("haproxy"),
            lanNetworks,
            dependsOn: [...netDeps, ...databases, ...after],
        });
    }

    const containerVrrp: pulumi.Resource[] = [];
    const seen = new Set<string>();
    for (const inst of containerInstances) {
        for (const m of vrrpMembers(t, inst)) {
            if (seen.has(m.name)) continue;
            seen.add(m.name);
            const container = proxies[inst.fronts]?.containers[m.name];
            if (!container) continue;
            const files = secrets.apply((s) => renderKeepalivedFiles(t, "container", m.name, s));
            containerVrrp.push(
                new ContainerKeepalived(`${m.name}-keepalived`, { host: hosts[m.host], container, member: m.name, packagesDir: t.keepalived.packagesDir, files, dependsOn: [] }).applied,
            );
        }
    }

    const allContainers = Object.values(proxies).flatMap((p) => Object.values(p.containers));
    const hostInstances = t.keepalived.instances.filter((i) => i.level === "host");
    const hostVrrp: pulumi.Resource[] = [];
    const holders = [...new Set(hostInstances.flatMap((i) => vrrpMembers(t, i).map((m) => m.name)))];
    for (const holder of holders) {
        const h = hostByName(t, holder);
        if (!h) continue;
        const vips = hostInstances
            .filter((i) => vrrpMembers(t, i).some((m) => m.name === holder))
            .map((i) => `${i.vip}/${parseCidr(h.lan.address).prefix} dev ${i.interface ?? h.lan.interface}`);
        const files = secrets.apply((s) => renderKeepalivedFiles(t, "host", holder, s));
        hostVrrp.push(new HostKeepalived(`${holder}-keepalived`, { host: hosts[holder], vips, files, dependsOn: [...allContainers, ...containerVrrp, ...databases] }).applied);
    }

    if (galera && t.database.pxc) {
        const boot = pxcBootstrapNode(t);
        new GaleraWhole("pxc-whole", { pxc: t.database.pxc, node: boot, host: hosts[boot.host], containers: galera.containers, dependsOn: [...databases, ...allContainers, ...containerVrrp, ...hostVrrp] });
    }

    return { ...outputsOf(stack), ...(certs ? { tlsCaCertificate: certs.caCertificate } : {}) };
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
