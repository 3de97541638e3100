// The Galera cluster, as the tutorials build it: the bootstrap node first, wait until
// it is Synced, then each joiner in turn, so two state transfers never run at once.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Pxc, Topology } from "../../model/schema";
import { pxcBootstrapNode } from "../../model/derive";
import { renderClientCnf, ROOT_CLIENT_CNF } from "../render/client-cnf";
import { GALERA_DATADIR, GALERA_INIT_SQL_PATH, GALERA_NEW_CLUSTER_MARKER, GALERA_START_PATH, renderGaleraStart } from "../render/galera-start";
import { renderGaleraRecover } from "../render/galera-recover";
import { renderClustercheck } from "../render/health-services";
import { renderGaleraCnf, renderGaleraSecretCnf } from "../render/mysql-cnf";
import { renderGaleraUsersSql } from "../render/replication-sql";
import { HostBase } from "../host/host-base";
import { dataVolume, nodeContainer } from "../docker/node-container";
import { quote, waitFor } from "../render/step-scripts";
import { remoteStep } from "../remote/step";

export interface PxcClusterArgs {
    /** The validated topology: the PXC nodes, their host and address, image and the secret names; it renders each node's my.cnf and Galera start script. */
    readonly topology: Topology;
    /** The prepared hosts by name: each node's container runs through its host's Docker provider, and its Synced wait runs over its host's SSH connection. */
    readonly hosts: Record<string, HostBase>;
    /** Name of the container network the nodes join at their fixed addresses; Galera replicates over it. */
    readonly network: pulumi.Input<string>;
    /** The stack secrets by name (a secret Output): the root and SST passwords go into the node files and environment, never in plaintext. */
    readonly secrets: pulumi.Output<Record<string, string>>;
    /** What must exist before the first node starts (the network and what it needs); later nodes wait for the previous one to be Synced. */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class PxcCluster extends pulumi.ComponentResource {
    readonly containers: docker.Container[] = [];
    /** Per node, the step that saw it Synced; the last one means the whole cluster is up. */
    readonly synced: pulumi.Resource[] = [];

    constructor(name: string, args: PxcClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:database:PxcCluster", name, {}, opts);
        const t = args.topology;
        const pxc = t.database.pxc as Pxc;
        const boot = pxcBootstrapNode(t);
        const ordered = [boot, ...pxc.nodes.filter((n) => n !== boot)];
        let previous: pulumi.Input<pulumi.Resource>[] = args.dependsOn;
        for (const node of ordered) {
            const host = args.hosts[node.host];
            const files = args.secrets.apply((s) => [
                renderGaleraCnf(t, node.name),
                ...renderGaleraSecretCnf(t, node.name, s),
                renderGaleraStart(t, node.name),
                renderGaleraRecover(t, node.name),
                { path: GALERA_INIT_SQL_PATH, mode: "0600", content: renderGaleraUsersSql(t, s) },
                renderClientCnf("root", s[pxc.rootPasswordSecret]),
                ...renderClustercheck(t, node.name, s),
            ]);
            const envs = args.secrets.apply((s) => [
                `MYSQL_ROOT_PASSWORD=${s[pxc.rootPasswordSecret]}`,
                `XTRABACKUP_PASSWORD=${s[pxc.sstPasswordSecret]}`,
                `CLUSTERCHECK_PASSWORD=${s[pxc.clustercheck.passwordSecret]}`,
                `CLUSTER_NAME=${pxc.clusterName}`,
            ]);
            const volumeName = `${node.name}-data`;
            const volume = dataVolume(`${name}-${node.name}-data`, volumeName, host.docker, this);
            // The one-shot record that this volume belongs to a cluster being created: the start
            // wrapper bootstraps an empty datadir only with it, so a bootstrap node whose volume is
            // lost later joins instead of starting a second, empty cluster. Written once, before
            // the first start, into a volume without Galera state; ignoreChanges keeps a later
            // change of the script (the image) from writing it again.
            const marker =
                node === boot
                    ? remoteStep(
                          `${name}-${node.name}-new-cluster-marker`,
                          {
                              connection: host.connection,
                              create: `set -eu\ndocker run --rm --network none --user 0 -v ${quote(`${volumeName}:${GALERA_DATADIR}`)} --entrypoint sh ${quote(pxc.image)} -c ${quote(
                                  `if [ -e ${GALERA_DATADIR}/grastate.dat ]; then echo "${volumeName} has Galera state: no new-cluster marker"; else touch ${GALERA_NEW_CLUSTER_MARKER}; echo "${volumeName}: wrote ${GALERA_NEW_CLUSTER_MARKER}"; fi`,
                              )}`,
                              delete: "true",
                          },
                          { parent: this, dependsOn: [...previous, volume], ignoreChanges: ["create", "update"] },
                      )
                    : undefined;
            const container = nodeContainer(
                `${name}-${node.name}`,
                {
                    node,
                    image: pxc.image,
                    network: args.network,
                    provider: host.docker,
                    files: pulumi.secret(files),
                    envs: pulumi.secret(envs),
                    entrypoints: [GALERA_START_PATH],
                    volumes: [{ volumeName: volume.name, containerPath: "/var/lib/mysql" }],
                },
                { parent: this, dependsOn: [...previous, volume, ...(marker ? [marker] : [])] },
            );
            // Synced, the bootstrap node has made its cluster: the marker has done its one job.
            const dropMarker = node === boot ? `\ndocker exec ${node.name} rm -f ${GALERA_NEW_CLUSTER_MARKER}\necho "removed ${GALERA_NEW_CLUSTER_MARKER}"` : "";
            const synced = remoteStep(
                `${name}-${node.name}-synced`,
                {
                    connection: host.connection,
                    create: `set -eu\n${waitFor(`${node.name} Synced`, `docker exec ${node.name} mysql --defaults-extra-file=${ROOT_CLIENT_CNF} -Nse "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | grep -q Synced`, 600)}${dropMarker}`,
                    delete: "true",
                    triggers: [container.id],
                },
                { parent: this, dependsOn: [container] },
            );
            this.containers.push(container);
            this.synced.push(synced);
            previous = [synced];
        }
        this.registerOutputs({ containers: this.containers, synced: this.synced });
    }
}
