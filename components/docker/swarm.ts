// The swarm: docker_gwbridge pre-created on its own subnet on every host, `swarm init`
// on the manager, then every worker joins with a token that stays a secret.
import * as pulumi from "@pulumi/pulumi";
import { Host } from "../../model/schema";
import { hostAddress } from "../../model/derive";
import { HostBase } from "../host/host-base";
import { GWBRIDGE_DELETE, gwbridgeCreate, SWARM_LEAVE, swarmInit, swarmJoin } from "../render/swarm";
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
            { connection: args.hosts[manager.name].connection, create: swarmInit(managerAddr), delete: SWARM_LEAVE, secret: true },
            { parent: this, dependsOn: [gwbridge(manager.name)] },
        );
        this.members[manager.name] = init;
        // stdout carries the worker token; the step above marks it secret and does not log it.
        const token = init.stdout.apply((out) => out.trim().split("\n").pop() ?? "");
        for (const h of args.workers) {
            this.members[h.name] = remoteStep(
                `${name}-${h.name}-join`,
                {
                    connection: args.hosts[h.name].connection,
                    create: swarmJoin(`${managerAddr}:2377`, hostAddress(h)),
                    delete: SWARM_LEAVE,
                    stdin: pulumi.secret(token),
                    secret: true,
                },
                { parent: this, dependsOn: [gwbridge(h.name), init] },
            );
        }
        this.registerOutputs({ members: this.members });
    }
}
