// HAProxy containers. The config lives in a host directory bind-mounted read-only, so a
// config change rewrites the file and reloads HAProxy (master-worker, SIGUSR2) instead
// of recreating the container and dropping every client connection.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Haproxy } from "../../model/schema";
import { Listener } from "../../model/derive";
import { HAPROXY_CFG_PATH } from "../render/haproxy";
import { RenderedFile } from "../render/file";
import { StackContext } from "../stack-context";
import { nodeContainer } from "../docker/node-container";
import { filesPayload } from "../remote/payload";
import { remoteStep } from "../remote/step";
import { containerEntrypoint } from "../render/container-keepalived-service";
import { HAPROXY_HOST_DIR, HAPROXY_PID_PATH, haproxyConfigApply, haproxyConfigRemove } from "../render/haproxy-steps";
import * as path from "path";

export interface HaproxyGroupArgs {
    /** Hosts, network and secrets: each node's config is written over its host's SSH connection, its container runs through the host's Docker provider on the network. */
    readonly context: StackContext;
    /** The validated `haproxy` section: the nodes, their host and address, image and stats page. */
    readonly haproxy: Haproxy;
    /** The listeners in force (configured or derived): their published ports are opened on the host. */
    readonly listeners: Listener[];
    /** Each node's haproxy.cfg by node name (a secret Output: the stats and health-check passwords), sent on stdin only. */
    readonly configs: Record<string, pulumi.Output<RenderedFile>>;
    /** True when a keepalived instance runs inside these containers: they then get the VRRP capabilities and an entrypoint that starts it. */
    readonly vrrpInside: boolean;
    /** Placement macvlan: the macvlan network per host, for nodes with a lanIp. */
    readonly lanNetworks?: Record<string, pulumi.Input<string>>;
    /** What must be up before HAProxy starts: the network and the databases it fronts. */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class HaproxyGroup extends pulumi.ComponentResource {
    readonly containers: Record<string, docker.Container> = {};
    readonly configs: Record<string, pulumi.Resource> = {};

    constructor(name: string, args: HaproxyGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:proxy:HaproxyGroup", name, {}, opts);
        const ha = args.haproxy;
        const ports = [
            ...args.listeners.flatMap((l) => (l.publishPort ? [{ internal: l.port, external: l.publishPort }] : [])),
            ...(ha.stats.publishPort ? [{ internal: ha.stats.port, external: ha.stats.publishPort }] : []),
        ];
        for (const node of ha.nodes) {
            const host = args.context.hosts[node.host];
            const hostDir = `${HAPROXY_HOST_DIR}/${node.name}`;
            // The renderer names the path inside the container; on the host it lives under hostDir.
            const onHost = (f: RenderedFile): RenderedFile => ({ ...f, path: `${hostDir}/${path.basename(f.path)}` });
            const config = remoteStep(
                `${name}-${node.name}-config`,
                {
                    connection: host.connection,
                    create: haproxyConfigApply(node.name, ha.image, `${hostDir}/${path.basename(HAPROXY_CFG_PATH)}`),
                    delete: haproxyConfigRemove(hostDir),
                    stdin: pulumi.secret(args.configs[node.name].apply((cfg) => filesPayload([onHost(cfg)]))),
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
                    network: args.context.network,
                    lanNetwork: args.lanNetworks?.[node.host],
                    provider: host.docker,
                    ports,
                    volumes: [{ hostPath: hostDir, containerPath: path.dirname(HAPROXY_CFG_PATH), readOnly: true }],
                    vrrpCapabilities: args.vrrpInside,
                    // The explicit command is what both the Debian and the official image run in
                    // master-worker mode (the config reload relies on -W);
                    // -p: the reload signals the master by its pidfile (see reloadScript).
                    command: ["haproxy", "-W", "-db", "-f", HAPROXY_CFG_PATH, "-p", HAPROXY_PID_PATH],
                    ...(args.vrrpInside ? { entrypoints: containerEntrypoint() } : {}),
                },
                { parent: this, dependsOn: [config] },
            );
        }
        this.registerOutputs({ containers: this.containers, configs: this.configs });
    }
}
