// MyCat containers with their server/schema/rule XML and the HTTP status service
// (xinetd on the status port) that HAProxy and keepalived check.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Mycat, Topology } from "../../model/schema";
import { renderMycatRuleXml, renderMycatSchemaXml, renderMycatServerXml } from "../render/mycat-xml";
import { renderMycatStatus } from "../render/health-services";
import { HostBase } from "../host/host-base";
import { nodeContainer } from "../docker/node-container";

export interface MycatGroupArgs {
    /** The validated topology: the MyCat nodes, their host and address, image, and the schema and backends it renders into server.xml and schema.xml. */
    readonly topology: Topology;
    /** The prepared hosts by name: each node's container runs through its host's Docker provider. */
    readonly hosts: Record<string, HostBase>;
    /** Name of the container network the nodes join; they reach the databases over it. */
    readonly network: pulumi.Input<string>;
    /** The stack secrets by name (a secret Output): the MyCat user and backend passwords in its XML files. */
    readonly secrets: pulumi.Output<Record<string, string>>;
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
        const t = args.topology;
        const m = t.mycat as Mycat;
        const files = args.secrets.apply((s) => [renderMycatServerXml(t, s), renderMycatSchemaXml(t, s), renderMycatRuleXml(t), ...renderMycatStatus(t)]);
        for (const node of m.nodes) {
            this.containers[node.name] = nodeContainer(
                `${name}-${node.name}`,
                {
                    node,
                    image: m.image,
                    network: args.network,
                    lanNetwork: args.lanNetworks?.[node.host],
                    provider: args.hosts[node.host].docker,
                    files: pulumi.secret(files),
                    ports: m.publish ? [m.ports.server, m.ports.manager].map((p) => ({ internal: p, external: p })) : undefined,
                    vrrpCapabilities: args.vrrpInside,
                },
                { parent: this, dependsOn: args.dependsOn },
            );
        }
        this.registerOutputs({ containers: this.containers });
    }
}
