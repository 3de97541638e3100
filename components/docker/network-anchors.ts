// network.anchors: before any container attaches to the overlay network on a host, a one-task
// swarm service runs there on that network, so the host already holds the network when the
// stack's containers attach. A standalone container's attach must complete within dockerd's
// fixed 20 s deadline, and the first attach on a host also builds the network's sandbox and
// load-balancer endpoint there: under software emulation that took 19-27 s and failed
// "attaching to network failed ... context deadline exceeded"; a service task has no such
// deadline. The services are declared on the manager and removed on destroy.
import * as pulumi from "@pulumi/pulumi";
import { Host } from "../../model/schema";
import { hostAddress } from "../../model/derive";
import { HostBase } from "../host/host-base";
import { anchorCreate, anchorDelete } from "../render/swarm";
import { remoteStep } from "../remote/step";

export interface NetworkAnchorsArgs {
    /** The overlay network's name (network.name). */
    readonly network: string;
    /** The swarm manager, where the services are declared. */
    readonly manager: Host;
    /** Each host that runs containers on the network, with the image its anchor runs (one the host has or can pull). */
    readonly placements: Array<{ host: Host; image: string }>;
    /** The prepared hosts by name: the steps run over the manager's SSH connection. */
    readonly hosts: Record<string, HostBase>;
    /** The network and the swarm membership each anchor needs first. */
    readonly dependsOn: pulumi.Resource[];
}

export class NetworkAnchors extends pulumi.ComponentResource {
    /** One step per host, done once the host's anchor task runs. */
    readonly anchors: pulumi.Resource[];

    constructor(name: string, args: NetworkAnchorsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:docker:NetworkAnchors", name, {}, opts);
        const connection = args.hosts[args.manager.name].connection;
        this.anchors = args.placements.map(({ host, image }) =>
            remoteStep(
                `${name}-${host.name}`,
                { connection, create: anchorCreate(args.network, host.name, hostAddress(host), image), delete: anchorDelete(args.network, host.name) },
                { parent: this, dependsOn: args.dependsOn },
            ),
        );
        this.registerOutputs({ anchors: this.anchors });
    }
}
