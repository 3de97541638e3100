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
    readonly topology: Topology;
    readonly hosts: Record<string, HostBase>;
    readonly network: pulumi.Input<string>;
    readonly secrets: pulumi.Output<Record<string, string>>;
    readonly vrrpInside: boolean;
    /** Placement macvlan: the macvlan network per host, for nodes with a lanIp. */
    readonly lanNetworks?: Record<string, pulumi.Input<string>>;
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
        this.registerOutputs({ nodes: m.nodes.map((n) => n.name) });
    }
}
