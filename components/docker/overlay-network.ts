// The network every container joins: an attachable swarm overlay declared on the
// manager (workers see it when a container attaches), or a bridge on a single host.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Network } from "../../model/schema";
import { dynamicRangeOf } from "../../model/derive";

export interface OverlayNetworkArgs {
    /** The validated `network` section: the network's name, driver, subnet, gateway and whether it is attachable. */
    readonly network: Network;
    /** The Docker provider of the host that creates the network (the swarm manager for an overlay). */
    readonly provider: docker.Provider;
    /** What must exist before the network is created (the swarm for an overlay, the firewall rules). */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class OverlayNetwork extends pulumi.ComponentResource {
    readonly network: docker.Network;
    readonly name: pulumi.Output<string>;

    constructor(name: string, args: OverlayNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:docker:OverlayNetwork", name, {}, opts);
        const n = args.network;
        this.network = new docker.Network(
            name,
            {
                name: n.name,
                driver: n.driver,
                attachable: n.driver === "overlay" ? n.attachable : undefined,
                ipamConfigs: [{ subnet: n.subnet, gateway: n.gateway, ipRange: dynamicRangeOf(n) }],
            },
            { parent: this, provider: args.provider, dependsOn: args.dependsOn },
        );
        this.name = this.network.name;
        this.registerOutputs({ network: this.network, name: this.name });
    }
}
