// HAProxy containers. The config lives in a host directory bind-mounted read-only, so a
// config change rewrites the file and reloads HAProxy (master-worker, SIGUSR2) instead
// of recreating the container and dropping every client connection.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Haproxy, Topology } from "../../infra/config/schema";
import { haproxyListeners } from "../../infra/config/derive";
import { HAPROXY_CFG_PATH, renderHaproxyCfg } from "../render/haproxy";
import { RenderedFile } from "../render/file";
import { HostBase } from "../host/host-base";
import { nodeContainer } from "../docker/node-container";
import { filesPayload } from "../remote/payload";
import { quote, WRITE_FILES } from "../remote/scripts";
import { remoteStep } from "../remote/step";
import { containerEntrypoint } from "./container-keepalived";
import * as path from "path";

export interface HaproxyGroupArgs {
    readonly topology: Topology;
    readonly hosts: Record<string, HostBase>;
    readonly network: pulumi.Input<string>;
    readonly secrets: pulumi.Output<Record<string, string>>;
    readonly vrrpInside: boolean;
    /** Placement macvlan: the macvlan network per host, for nodes with a lanIp. */
    readonly lanNetworks?: Record<string, pulumi.Input<string>>;
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export const HAPROXY_HOST_DIR = "/etc/ha-mysql/haproxy";

export class HaproxyGroup extends pulumi.ComponentResource {
    readonly containers: Record<string, docker.Container> = {};
    readonly configs: Record<string, pulumi.Resource> = {};

    constructor(name: string, args: HaproxyGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:proxy:HaproxyGroup", name, {}, opts);
        const t = args.topology;
        const ha = t.haproxy as Haproxy;
        const ports = [
            ...haproxyListeners(t).flatMap((l) => (l.publishPort ? [{ internal: l.port, external: l.publishPort }] : [])),
            ...(ha.stats.publishPort ? [{ internal: ha.stats.port, external: ha.stats.publishPort }] : []),
        ];
        for (const node of ha.nodes) {
            const host = args.hosts[node.host];
            const hostDir = `${HAPROXY_HOST_DIR}/${node.name}`;
            // The renderer names the path inside the container; on the host it lives under hostDir.
            const onHost = (f: RenderedFile): RenderedFile => ({ ...f, path: `${hostDir}/${path.basename(f.path)}` });
            const config = remoteStep(
                `${name}-${node.name}-config`,
                {
                    connection: host.connection,
                    create: `set -eu\n${WRITE_FILES}\nif [ "$(docker inspect -f '{{.State.Running}}' ${quote(node.name)} 2>/dev/null)" = true ]; then docker kill -s USR2 ${quote(node.name)} >/dev/null; echo "reloaded ${node.name}"; fi`,
                    // The parents go too when nothing else is left in them.
                    delete: `rm -rf ${quote(hostDir)}\nrmdir ${HAPROXY_HOST_DIR} 2>/dev/null || true\nrmdir ${path.dirname(HAPROXY_HOST_DIR)} 2>/dev/null || true\necho "removed ${hostDir}"`,
                    stdin: pulumi.secret(args.secrets.apply((s) => filesPayload([onHost(renderHaproxyCfg(t, node.name, s))]))),
                    secret: true,
                },
                { parent: this, dependsOn: args.dependsOn },
            );
            this.configs[node.name] = config;
            this.containers[node.name] = nodeContainer(
                `${name}-${node.name}`,
                {
                    node,
                    image: ha.image,
                    network: args.network,
                    lanNetwork: args.lanNetworks?.[node.host],
                    provider: host.docker,
                    ports,
                    volumes: [{ hostPath: hostDir, containerPath: path.dirname(HAPROXY_CFG_PATH), readOnly: true }],
                    vrrpCapabilities: args.vrrpInside,
                    // The explicit command is what both the Debian and the official image run in
                    // master-worker mode (the config reload relies on -W).
                    ...(args.vrrpInside ? { entrypoints: containerEntrypoint(), command: ["haproxy", "-W", "-db", "-f", HAPROXY_CFG_PATH] } : {}),
                },
                { parent: this, dependsOn: [config] },
            );
        }
        this.registerOutputs({ nodes: ha.nodes.map((n) => n.name) });
    }
}
