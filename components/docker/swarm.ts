// The swarm: docker_gwbridge pre-created on its own subnet on every host, `swarm init`
// on the manager, then every worker joins with a token that stays a secret. The token is no
// step's stdout (a command's stdout comes back to its next run as PULUMI_COMMAND_STDOUT and
// lands in the error of a failed run): after init, the machine running Pulumi reads it on the
// manager over the manager's SSH connection (command:local:run, which keeps nothing in state),
// and each worker's join step gets it on stdin, as a secret. A manager that is no swarm manager
// yet prints no token.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { Host } from "../../model/schema";
import { hostAddress } from "../../model/derive";
import { HostBase } from "../host/host-base";
import { GWBRIDGE_DELETE, gwbridgeCreate, SWARM_LEAVE, swarmInit, swarmJoin, swarmTokenRead } from "../render/swarm";
import { remoteStep } from "../remote/step";

export interface SwarmClusterArgs {
    /** The host that runs `swarm init` and that the workers join. */
    readonly manager: Host;
    /** The hosts that join as workers. */
    readonly workers: Host[];
    /** network.gwbridgeSubnet: docker_gwbridge is created on it on every member before the swarm would pick a default. */
    readonly gwbridgeSubnet: string;
    /** The prepared hosts by name: each swarm step runs over its host's SSH connection, after the host is ready. */
    readonly hosts: Record<string, HostBase>;
    /** Per host, what must be in place before Docker networking changes (firewall, restart). */
    readonly after: Record<string, pulumi.Resource[]>;
}

export class SwarmCluster extends pulumi.ComponentResource {
    /** Per host, the step after which the host is a swarm member. */
    readonly members: Record<string, pulumi.Resource>;

    constructor(name: string, args: SwarmClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:docker:SwarmCluster", name, {}, opts);
        const manager = args.manager;
        this.members = {};
        const gwbridge = (host: string) =>
            remoteStep(
                `${name}-${host}-gwbridge`,
                { connection: args.hosts[host].connection, create: gwbridgeCreate(args.gwbridgeSubnet), delete: GWBRIDGE_DELETE },
                { parent: this, dependsOn: [args.hosts[host].ready, ...(args.after[host] ?? [])] },
            );
        const managerAddr = hostAddress(manager);
        const init = remoteStep(
            `${name}-init`,
            { connection: args.hosts[manager.name].connection, create: swarmInit(managerAddr), delete: SWARM_LEAVE },
            { parent: this, dependsOn: [gwbridge(manager.name)] },
        );
        this.members[manager.name] = init;
        const privateKey = pulumi.output(args.hosts[manager.name].connection).apply((c) => c.privateKey ?? "");
        // The read waits for init through an input, not only dependsOn (an invoke runs at preview
        // time whatever it depends on): while init is yet to run, as in a preview of a fresh stack,
        // its stdout is unknown, so no read is made and the manager is not dialled before its
        // host key check has run. Only the fact of the output is used, never its text.
        const read = init.stdout.apply(() => swarmTokenRead(manager.ssh));
        const token = pulumi.secret(
            command.local
                .runOutput(
                    {
                        command: read,
                        stdin: pulumi.secret(privateKey),
                        logging: "none",
                        addPreviousOutputInEnv: false,
                    },
                    { parent: this, dependsOn: [init] },
                )
                .apply((r) => r.stdout.trim()),
        );
        for (const h of args.workers) {
            this.members[h.name] = remoteStep(
                `${name}-${h.name}-join`,
                {
                    connection: args.hosts[h.name].connection,
                    create: swarmJoin(`${managerAddr}:2377`, hostAddress(h)),
                    delete: SWARM_LEAVE,
                    stdin: token,
                    secret: true,
                },
                { parent: this, dependsOn: [gwbridge(h.name), init] },
            );
        }
        this.registerOutputs({ members: this.members });
    }
}
