// Placement macvlan: on every host with a macvlan VIP holder, a local macvlan network on
// the LAN interface (so the holder's container gets a LAN address and can carry the VIP),
// and on every host with a shim address, the shim through which the host reaches them.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Topology } from "../../model/schema";
import { macvlanHosts, macvlanNodes } from "../../model/derive";
import { canonicalCidr } from "../../model/net";
import { HostBase } from "../host/host-base";
import { renderShimApply, renderShimRemove } from "../render/macvlan-shim";
import { remoteStep } from "../remote/step";

export interface MacvlanLanArgs {
    /** The validated topology: which hosts run a macvlan VIP holder or need a shim, their LAN interface, subnet and shim address. */
    readonly topology: Topology;
    /** The prepared hosts by name: the macvlan network is created through a host's Docker provider, its shim over its SSH connection. */
    readonly hosts: Record<string, HostBase>;
    /** What must be in place before the host's networking changes (firewall rules, Docker restart). */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class MacvlanLan extends pulumi.ComponentResource {
    /** The macvlan network's name per host that runs a holder. */
    readonly networks: Record<string, pulumi.Output<string>> = {};
    readonly ready: pulumi.Resource[] = [];

    constructor(name: string, args: MacvlanLanArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:docker:MacvlanLan", name, {}, opts);
        const t = args.topology;
        const holderHosts = new Set(macvlanNodes(t).map((n) => n.host));
        for (const h of macvlanHosts(t)) {
            const host = args.hosts[h.name];
            if (holderHosts.has(h.name)) {
                // A local network per host: macvlan has no cross-host control plane, the LAN is the fabric.
                const net = new docker.Network(
                    `${name}-${h.name}`,
                    {
                        name: t.macvlan.name,
                        driver: "macvlan",
                        options: { parent: h.lan.interface },
                        // Internal keeps the real parent but gives containers no gateway on it. Without
                        // it the macvlan endpoint becomes the default gateway, Docker drops the
                        // docker_gwbridge endpoint, and ports published on the host stop answering
                        // (measured: host keepalived's track script then failed on both hosts).
                        internal: true,
                        ipamConfigs: [{ subnet: canonicalCidr(h.lan.address) }],
                    },
                    { parent: this, provider: host.docker, dependsOn: args.dependsOn },
                );
                this.networks[h.name] = net.name;
                this.ready.push(net);
            }
            if (h.lan.macvlanShim) {
                this.ready.push(
                    remoteStep(
                        `${name}-${h.name}-shim`,
                        { connection: host.connection, create: renderShimApply(t, h), delete: renderShimRemove() },
                        { parent: this, dependsOn: args.dependsOn },
                    ),
                );
            }
        }
        this.registerOutputs({ networks: this.networks, ready: this.ready });
    }
}
