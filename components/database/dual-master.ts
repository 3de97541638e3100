// MySQL dual-master: two servers, least-privilege users on each, replication both
// ways once both are up, and a final check that both IO and SQL threads run.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { DualMaster } from "../../model/schema";
import { RenderedFile } from "../render/file";
import { ROOT_PASSWORD_FILE_ENV } from "../render/secret-file";
import { StackContext } from "../stack-context";
import { dualMasterReplicationApply, dualMasterReplicationRemove, dualMasterUsersApply } from "../render/dual-master-steps";
import { dataVolume, nodeContainer } from "../docker/node-container";
import { filesPayload, sha256 } from "../remote/payload";
import { remoteStep } from "../remote/step";

export interface DualMasterArgs {
    /** Hosts, network and secrets: each server's container runs through its host's Docker provider on the network (they replicate over it), its SQL steps over its host's SSH connection; the root password reaches the image's entrypoint in an uploaded file. */
    readonly context: StackContext;
    /** The validated `database.dualMaster` section: the two servers, their host and address, image, flavor and the root password's secret name. */
    readonly dualMaster: DualMaster;
    /** Per server, the files uploaded before it starts: my.cnf, the root client options and the root password file the entrypoint reads (a secret Output). */
    readonly serverFiles: Record<string, pulumi.Output<RenderedFile[]>>;
    /** Per server, its users SQL, replication SQL and apply script (a secret Output), sent on stdin only; their hash re-points replication when they change. */
    readonly replicationFiles: Record<string, pulumi.Output<RenderedFile[]>>;
    /** What must exist before the servers' containers start (the network and what it needs). */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class DualMasterReplication extends pulumi.ComponentResource {
    readonly containers: docker.Container[] = [];
    readonly replicating: pulumi.Resource[] = [];

    constructor(name: string, args: DualMasterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:database:DualMasterReplication", name, {}, opts);
        const dm = args.dualMaster;
        const users = dm.servers.map((server) => {
            const host = args.context.hosts[server.host];
            const volume = dataVolume(`${name}-${server.name}-data`, `${server.name}-data`, host.docker, this);
            const container = nodeContainer(
                `${name}-${server.name}`,
                {
                    node: server,
                    image: dm.image,
                    network: args.context.network,
                    provider: host.docker,
                    files: pulumi.secret(args.serverFiles[server.name]),
                    // The entrypoint reads the root password from its uploaded 0600 file.
                    envs: [ROOT_PASSWORD_FILE_ENV],
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
                    stdin: pulumi.secret(args.replicationFiles[server.name].apply(filesPayload)),
                    secret: true,
                    triggers: [container.id],
                },
                { parent: this, dependsOn: [container] },
            );
        });
        for (const server of dm.servers) {
            const host = args.context.hosts[server.host];
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
                        stdin: pulumi.secret(args.replicationFiles[server.name].apply((files) => `${sha256(filesPayload(files))}\n`)),
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
