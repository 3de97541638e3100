// MySQL dual-master: two servers, least-privilege users on each, replication both
// ways once both are up, and a final check that both IO and SQL threads run.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { DualMaster, Topology } from "../../model/schema";
import { renderClientCnf } from "../render/client-cnf";
import { renderDualMasterCnf } from "../render/mysql-cnf";
import { renderReplicationFiles } from "../render/replication-sql";
import { dualMasterReplicationApply, dualMasterReplicationRemove, dualMasterUsersApply } from "../render/dual-master-steps";
import { HostBase } from "../host/host-base";
import { dataVolume, nodeContainer } from "../docker/node-container";
import { filesPayload, sha256 } from "../remote/payload";
import { remoteStep } from "../remote/step";

export interface DualMasterArgs {
    /** The validated topology: the two servers, their host and address, image and the secret names; it renders their my.cnf and replication SQL. */
    readonly topology: Topology;
    /** The prepared hosts by name: each server's container runs through its host's Docker provider, its SQL steps over its host's SSH connection. */
    readonly hosts: Record<string, HostBase>;
    /** Name of the container network the servers join at their fixed addresses; they replicate from each other over it. */
    readonly network: pulumi.Input<string>;
    /** The stack secrets by name (a secret Output): root and replication passwords go into files, environment and stdin, never in plaintext. */
    readonly secrets: pulumi.Output<Record<string, string>>;
    /** What must exist before the servers' containers start (the network and what it needs). */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class DualMasterReplication extends pulumi.ComponentResource {
    readonly containers: docker.Container[] = [];
    readonly replicating: pulumi.Resource[] = [];

    constructor(name: string, args: DualMasterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:database:DualMasterReplication", name, {}, opts);
        const t = args.topology;
        const dm = t.database.dualMaster as DualMaster;
        const users = dm.servers.map((server) => {
            const host = args.hosts[server.host];
            const volume = dataVolume(`${name}-${server.name}-data`, `${server.name}-data`, host.docker, this);
            const container = nodeContainer(
                `${name}-${server.name}`,
                {
                    node: server,
                    image: dm.image,
                    network: args.network,
                    provider: host.docker,
                    files: pulumi.secret(args.secrets.apply((s) => [renderDualMasterCnf(t, server.name), renderClientCnf("root", s[dm.rootPasswordSecret])])),
                    envs: pulumi.secret(args.secrets.apply((s) => [`MYSQL_ROOT_PASSWORD=${s[dm.rootPasswordSecret]}`])),
                    ports: dm.publishPort ? [{ internal: dm.port, external: dm.publishPort }] : undefined,
                    volumes: [{ volumeName: volume.name, containerPath: "/var/lib/mysql" }],
                },
                { parent: this, dependsOn: [...args.dependsOn, volume] },
            );
            this.containers.push(container);
            return remoteStep(
                `${name}-${server.name}-users`,
                {
                    connection: host.connection,
                    create: dualMasterUsersApply(server.name),
                    delete: "true",
                    stdin: pulumi.secret(args.secrets.apply((s) => filesPayload(renderReplicationFiles(t, server.name, s)))),
                    secret: true,
                    triggers: [container.id],
                },
                { parent: this, dependsOn: [container] },
            );
        });
        for (const server of dm.servers) {
            const host = args.hosts[server.host];
            this.replicating.push(
                remoteStep(
                    `${name}-${server.name}-replication`,
                    {
                        connection: host.connection,
                        // stdin is only read and dropped: see below.
                        create: dualMasterReplicationApply(dm.flavor, server.name),
                        delete: dualMasterReplicationRemove(dm.flavor, server.name),
                        // The hash of the files the users step wrote (a new password, a new peer): its
                        // change re-runs the apply script as an update, which re-points the replica in
                        // place. A secret: a hash of a file with a weak password would let one guess it.
                        stdin: pulumi.secret(args.secrets.apply((s) => `${sha256(filesPayload(renderReplicationFiles(t, server.name, s)))}\n`)),
                        secret: true,
                        // A replaced container (so a replaced users step) starts replication over.
                        triggers: users.map((u) => u.id),
                    },
                    { parent: this, dependsOn: users },
                ),
            );
        }
        this.registerOutputs({ containers: this.containers, replicating: this.replicating });
    }
}
