// The Galera cluster, as the tutorials build it: the bootstrap node first, wait until
// it is Synced, then each joiner in turn, so two state transfers never run at once.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Pxc, PxcNode } from "../../model/schema";
import { RenderedFile } from "../render/file";
import { GALERA_START_PATH } from "../render/galera-start";
import { galeraMarkerCreate, galeraMarkerDrop, galeraMembershipWait } from "../render/galera-steps";
import { StackContext } from "../stack-context";
import { dataVolume, nodeContainer } from "../docker/node-container";
import { remoteStep } from "../remote/step";
import { serverTls } from "./server-tls";

export interface PxcClusterArgs {
    /** Hosts, network and secrets: each node's container runs through its host's Docker provider on the network (Galera replicates over it), its Synced wait over its host's SSH connection; the passwords reach the nodes only in their uploaded files. */
    readonly context: StackContext;
    /** The validated `database.pxc` section: the nodes, their host and address, image, cluster name and the secret names. */
    readonly pxc: Pxc;
    /** The node that may start a new cluster: it starts first, with the one-shot new-cluster marker in its fresh volume. */
    readonly bootstrap: PxcNode;
    /** Per node, the files uploaded before it starts (my.cnf, the start wrapper, the recovery command, users SQL, clustercheck; a secret Output). */
    readonly nodeFiles: Record<string, pulumi.Output<RenderedFile[]>>;
    /** Per node, its TLS files for its host directory (server-tls.ts; a secret Output); absent without tls.enabled. */
    readonly tlsFiles?: Record<string, pulumi.Output<RenderedFile[]>>;
    /** What must exist before the first node starts (the network and what it needs); later nodes wait for the previous one to be Synced. */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

/** How long a node's membership must hold before its step reports it Synced. */
const HOLD_SECONDS = 3;

export class PxcCluster extends pulumi.ComponentResource {
    readonly containers: docker.Container[] = [];
    /** Per node, the step that saw it Synced in a Primary component with every node before it; the last one means the whole cluster is up. */
    readonly synced: pulumi.Resource[] = [];

    constructor(name: string, args: PxcClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:database:PxcCluster", name, {}, opts);
        const pxc = args.pxc;
        const boot = args.bootstrap;
        const ordered = [boot, ...pxc.nodes.filter((n) => n.name !== boot.name)];
        let previous: pulumi.Input<pulumi.Resource>[] = args.dependsOn;
        ordered.forEach((node, i) => {
            const host = args.context.hosts[node.host];
            const isBoot = node.name === boot.name;
            // The start wrapper initialises and bootstraps from its uploaded 0600 files: no password
            // is in the environment, whatever the flavor.
            const envs = [`CLUSTER_NAME=${pxc.clusterName}`];
            const volumeName = `${node.name}-data`;
            const volume = dataVolume(`${name}-${node.name}-data`, volumeName, host.docker, this);
            // The one-shot record that this volume belongs to a cluster being created: the start
            // wrapper bootstraps an empty datadir only with it, so a bootstrap node whose volume is
            // lost later joins instead of starting a second, empty cluster. ignoreChanges keeps a
            // later change of the script (the image) from writing it again.
            const marker = isBoot
                ? remoteStep(
                      `${name}-${node.name}-new-cluster-marker`,
                      { connection: host.connection, create: galeraMarkerCreate(volumeName, pxc.image), delete: "true" },
                      { parent: this, dependsOn: [...previous, volume], ignoreChanges: ["create", "update"] },
                  )
                : undefined;
            const tlsFiles = args.tlsFiles?.[node.name];
            const tls = tlsFiles ? serverTls(`${name}-${node.name}-tls`, host.connection, pxc.image, node.name, tlsFiles, { parent: this, dependsOn: args.dependsOn }) : undefined;
            const container = nodeContainer(
                `${name}-${node.name}`,
                {
                    node,
                    image: pxc.image,
                    network: args.context.network,
                    provider: host.docker,
                    files: pulumi.secret(args.nodeFiles[node.name]),
                    envs,
                    entrypoints: [GALERA_START_PATH],
                    // The Percona images run as their mysql user; the wrapper needs root to hand the
                    // uploaded files to mysql, and the server drops to mysql itself (--user=mysql).
                    user: pxc.flavor === "mariadb" ? undefined : "root",
                    volumes: [{ volumeName: volume.name, containerPath: "/var/lib/mysql" }, ...(tls ? [tls.volume] : [])],
                },
                { parent: this, dependsOn: [...previous, volume, ...(marker ? [marker] : []), ...(tls ? [tls.step] : [])] },
            );
            const before = ordered.slice(0, i + 1);
            const wait = galeraMembershipWait({
                node: node.name,
                members: before.map((n) => n.ip),
                minSize: before.length,
                holdSeconds: HOLD_SECONDS,
                timeoutSeconds: 600,
                what: `${node.name} Synced in a Primary component with ${before.map((n) => n.name).join(", ")}`,
            });
            const synced = remoteStep(
                `${name}-${node.name}-synced`,
                {
                    connection: host.connection,
                    create: isBoot ? `${wait}\n${galeraMarkerDrop(node.name)}` : wait,
                    delete: "true",
                    triggers: [container.id],
                },
                { parent: this, dependsOn: [container] },
            );
            this.containers.push(container);
            this.synced.push(synced);
            previous = [synced];
        });
        this.registerOutputs({ containers: this.containers, synced: this.synced });
    }
}
