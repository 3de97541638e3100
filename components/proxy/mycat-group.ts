// MyCat containers with their server/schema/rule XML and the HTTP status service
// (xinetd on the status port) that HAProxy and keepalived check.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Mycat } from "../../model/schema";
import { StackContext } from "../stack-context";
import { RenderedFile } from "../render/file";
import { nodeContainer } from "../docker/node-container";

export interface MycatGroupArgs {
    /** Hosts and network: each node's container runs through its host's Docker provider and reaches the databases over the network. */
    readonly context: StackContext;
    /** The validated `mycat` section: the nodes, their host and address, image and ports. */
    readonly mycat: Mycat;
    /** server.xml, schema.xml, rule.xml and the status service (a secret Output: the MyCat user and backend passwords), uploaded into every node. */
    readonly files: pulumi.Output<RenderedFile[]>;
    /** True when a keepalived instance runs inside these containers: they then get the VRRP capabilities. */
    readonly vrrpInside: boolean;
    /** Placement macvlan: the macvlan network per host, for nodes with a lanIp. */
    readonly lanNetworks?: Record<string, pulumi.Input<string>>;
    /** What must be up before MyCat starts: the network and the databases it proxies. */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class MycatGroup extends pulumi.ComponentResource {
    readonly containers: Record<string, docker.Container> = {};

    constructor(name: string, args: MycatGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:proxy:MycatGroup", name, {}, opts);
        const m = args.mycat;
        for (const node of m.nodes) {
            this.containers[node.name] = nodeContainer(
                `${name}-${node.name}`,
                {
                    node,
                    image: m.image,
                    network: args.context.network,
                    lanNetwork: args.lanNetworks?.[node.host],
                    provider: args.context.hosts[node.host].docker,
                    files: pulumi.secret(args.files),
                    ports: m.publish ? [m.ports.server, m.ports.manager].map((p) => ({ internal: p, external: p })) : undefined,
                    vrrpCapabilities: args.vrrpInside,
                },
                { parent: this, dependsOn: args.dependsOn },
            );
        }
        this.registerOutputs({ containers: this.containers });
    }
}
