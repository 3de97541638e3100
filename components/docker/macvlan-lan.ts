// Placement macvlan: on every host with a macvlan VIP holder, a local macvlan network on
// the LAN interface (so the holder's container gets a LAN address and can carry the VIP),
// and on every host with a shim address, the shim through which the host reaches them.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Host } from "../../model/schema";
import { canonicalCidr } from "../../model/net";
import { HostBase } from "../host/host-base";
import { RenderedFile } from "../render/file";
import { SHIM_STEP_CREATE, shimStepDelete } from "../render/macvlan-shim";
import { filesPayload } from "../remote/payload";
import { remoteStep } from "../remote/step";

export interface MacvlanLanArgs {
    /** macvlan.name: the name of the macvlan network on every holder host. */
    readonly networkName: string;
    /** Every host with a macvlan VIP holder or a shim: the host (its LAN interface and subnet), whether a holder runs there, and the rendered shim apply script (kept on the host for the boot unit) when it has lan.macvlanShim. */
    readonly lans: Array<{ readonly host: Host; readonly holder: boolean; readonly shimApply?: RenderedFile }>;
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
        for (const { host: h, holder, shimApply } of args.lans) {
            const host = args.hosts[h.name];
            if (holder) {
                // A local network per host: macvlan has no cross-host control plane, the LAN is the fabric.
                const net = new docker.Network(
                    `${name}-${h.name}`,
                    {
                        name: args.networkName,
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
            if (shimApply) {
                this.ready.push(
                    remoteStep(
                        `${name}-${h.name}-shim`,
                        { connection: host.connection, create: SHIM_STEP_CREATE, delete: shimStepDelete(), stdin: filesPayload([shimApply]) },
                        { parent: this, dependsOn: args.dependsOn },
                    ),
                );
            }
        }
        this.registerOutputs({ networks: this.networks, ready: this.ready });
    }
}
