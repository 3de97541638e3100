// The last step of `up` for a Galera cluster: after every proxy and VIP is in place, the cluster
// is one Primary component holding every configured node, and stays so for a few seconds. A node
// that fell out right after its own Synced step (a failed IST) shows up here, not in production.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Pxc, PxcNode } from "../../model/schema";
import { galeraMembershipWait } from "../render/galera-steps";
import { HostBase } from "../host/host-base";
import { remoteStep } from "../remote/step";

export interface GaleraWholeArgs {
    /** The validated `database.pxc` section: every node must be a member. */
    readonly pxc: Pxc;
    /** The node asked (the bootstrap node). */
    readonly node: PxcNode;
    /** The node's prepared host, over whose SSH connection the check runs. */
    readonly host: HostBase;
    /** The Galera containers: a replaced one runs the check again. */
    readonly containers: docker.Container[];
    /** Everything else `up` creates, so the check runs last. */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class GaleraWhole extends pulumi.ComponentResource {
    readonly checked: pulumi.Resource;

    constructor(name: string, args: GaleraWholeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:database:GaleraWhole", name, {}, opts);
        const nodes = args.pxc.nodes;
        this.checked = remoteStep(
            `${name}-check`,
            {
                connection: args.host.connection,
                create: galeraMembershipWait({
                    node: args.node.name,
                    members: nodes.map((n) => n.ip),
                    minSize: nodes.length,
                    holdSeconds: 5,
                    timeoutSeconds: 300,
                    what: `one Primary component of ${nodes.map((n) => n.name).join(", ")}`,
                }),
                delete: "true",
                triggers: args.containers.map((c) => c.id),
            },
            { parent: this, dependsOn: [...args.containers, ...args.dependsOn] },
        );
        this.registerOutputs({ checked: this.checked });
    }
}
