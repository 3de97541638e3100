// The common shape of every container the stack runs: a static address on the
// stack's network, a restart policy, and the files it needs uploaded before start.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { ContainerNode } from "../../model/schema";
import { RenderedFile } from "../render/file";

export interface NodeContainerArgs {
    /** The node the container runs: its name (container and host name) and its address on the network. */
    readonly node: ContainerNode;
    /** The image to run, as pinned in the topology. */
    readonly image: string;
    /** Name of the container network the container joins at node.ip. */
    readonly network: pulumi.Input<string>;
    /** Placement macvlan: the host's macvlan network, joined at node.lanIp. */
    readonly lanNetwork?: pulumi.Input<string>;
    /** The Docker provider of the host the container runs on. */
    readonly provider: docker.Provider;
    /** Files uploaded into the container before it starts (configuration, scripts); may be secret. */
    readonly files?: pulumi.Input<RenderedFile[]>;
    /** Environment variables, "NAME=value"; may be secret (passwords for the image's entrypoint). */
    readonly envs?: pulumi.Input<pulumi.Input<string>[]>;
    /** Replaces the image's entrypoint, for nodes that start through an uploaded script. */
    readonly entrypoints?: string[];
    /** The user the entrypoint runs as, where the image's own USER is not the one it needs. */
    readonly user?: string;
    /** Replaces the image's command. */
    readonly command?: string[];
    /** TCP ports published on the host: container port (internal) to host port (external). */
    readonly ports?: Array<{ internal: number; external: number }>;
    /** Bind mounts (hostPath) or named volumes (volumeName) at containerPath, for data that outlives the container. */
    readonly volumes?: Array<{ hostPath?: string; volumeName?: pulumi.Input<string>; containerPath: string; readOnly?: boolean }>;
    /** keepalived inside the container needs these to manage a VIP; never --privileged. */
    readonly vrrpCapabilities?: boolean;
}

export function nodeContainer(name: string, args: NodeContainerArgs, opts: pulumi.CustomResourceOptions): docker.Container {
    const uploads = args.files
        ? pulumi.output(args.files).apply((files) => files.map((f) => ({ file: f.path, content: f.content, permissions: f.mode })))
        : undefined;
    return new docker.Container(
        name,
        {
            name: args.node.name,
            hostname: args.node.name,
            image: args.image,
            restart: "unless-stopped",
            networksAdvanced: [
                { name: args.network, ipv4Address: args.node.ip },
                ...(args.lanNetwork && args.node.lanIp ? [{ name: args.lanNetwork, ipv4Address: args.node.lanIp }] : []),
            ],
            uploads,
            envs: args.envs,
            entrypoints: args.entrypoints,
            user: args.user,
            command: args.command,
            ports: args.ports?.map((p) => ({ internal: p.internal, external: p.external, protocol: "tcp" })),
            volumes: args.volumes,
            // Docker reports capabilities with their CAP_ prefix: declared so, a refresh finds no drift.
            capabilities: args.vrrpCapabilities ? { adds: ["CAP_NET_ADMIN", "CAP_NET_BROADCAST", "CAP_NET_RAW"] } : undefined,
            // keepalived, started with docker exec, is adopted by PID 1: HAProxy's master then
            // waited for it on `docker stop` until the 10 s SIGKILL (measured). Docker's init
            // reaps it and exits with the service.
            init: args.vrrpCapabilities ? true : undefined,
            destroyGraceSeconds: 30,
            mustRun: true,
        },
        // The provider "updates" init in place, which Docker cannot do (measured: Init stayed false).
        { ...opts, provider: args.provider, deleteBeforeReplace: true, replaceOnChanges: ["init"] },
    );
}

/** A named volume declared as a resource, so `pulumi destroy` removes the data with it. */
export function dataVolume(name: string, volumeName: string, provider: docker.Provider, parent: pulumi.Resource): docker.Volume {
    return new docker.Volume(name, { name: volumeName }, { parent, provider });
}
