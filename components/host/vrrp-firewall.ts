// Admits VRRP, the swarm's ports from the other hosts and the host's published ports on a host
// before anything Docker runs, then restarts Docker where a firewalld reload flushed Docker's
// own chains (where it runs).
import * as pulumi from "@pulumi/pulumi";
import { Host } from "../../model/schema";
import { FIREWALLD_ZONE_FILE, FirewallScripts } from "../render/firewall";
import { filesPayload, sha256 } from "../remote/payload";
import { Connection, remoteStep } from "../remote/step";
import { applyKeepingRemove, removeKept } from "../render/step-scripts";
import { DOCKER_RESTART } from "../render/docker-restart";

export interface VrrpFirewallArgs {
    /** The host whose firewall is opened: its name and firewall kind (firewalld, iptables or none). */
    readonly host: Host;
    /** SSH connection to that host, over which the rules are applied. */
    readonly connection: Connection;
    /** The rendered apply and remove scripts for the VRRP traffic, swarm peers and ports the host must let through; none when the host's firewall kind is none. */
    readonly firewall: FirewallScripts | undefined;
    /** Whether the stack runs a Docker engine on the host: a firewalld reload then needs a Docker restart. */
    readonly dockerEngine: boolean;
    /** What must be in place before the rules go in: the host's prerequisites (its state directory). */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class VrrpFirewall extends pulumi.ComponentResource {
    /** The last step of this host's firewall work; Docker-dependent steps wait for it. */
    readonly done: pulumi.Resource[];

    constructor(name: string, args: VrrpFirewallArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:host:VrrpFirewall", name, {}, opts);
        const fw = args.firewall;
        this.done = [];
        if (fw) {
            const rules = remoteStep(
                `${name}-rules`,
                {
                    connection: args.connection,
                    // As an update: the new rules go in first, then the previous remove script takes
                    // out only the rules the new set dropped (a port, a peer), so VRRP never stops.
                    create: applyKeepingRemove(fw.apply.path, fw.remove.path, "del"),
                    delete: `set -eu\n${removeKept(fw.apply.path, fw.remove.path)}${args.host.firewall.kind === "firewalld" ? `\nrm -f ${FIREWALLD_ZONE_FILE}` : ""}`,
                    stdin: filesPayload([fw.apply, fw.remove]),
                },
                { parent: this, dependsOn: args.dependsOn },
            );
            this.done.push(rules);
            if (args.host.firewall.kind === "firewalld" && args.dockerEngine) {
                // firewall-cmd --reload drops the chains dockerd created; the tutorials restart Docker here.
                this.done.push(
                    remoteStep(
                        `${name}-docker-restart`,
                        {
                            connection: args.connection,
                            create: DOCKER_RESTART,
                            delete: "true",
                            // The rules, so that a rule change (whose reload drops Docker's chains
                            // again) runs this step again as an update.
                            stdin: sha256(filesPayload([fw.apply, fw.remove])),
                        },
                        { parent: this, dependsOn: [rules] },
                    ),
                );
            }
        }
        this.registerOutputs({ done: this.done });
    }
}
