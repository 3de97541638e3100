// Admits VRRP (and the published ports) on a host before anything Docker runs,
// then restarts Docker where the firewall reload flushed Docker's own chains.
import * as pulumi from "@pulumi/pulumi";
import { Host, Topology } from "../../model/schema";
import { renderFirewall } from "../render/firewall";
import { filesPayload, sha256 } from "../remote/payload";
import { Connection, remoteStep } from "../remote/step";
import { undoObsolete, WRITE_FILES } from "../remote/scripts";

export interface VrrpFirewallArgs {
    /** The validated topology: the ports, peers and VRRP traffic the host must let through. */
    readonly topology: Topology;
    /** The host whose firewall is opened: its name and firewall kind (firewalld, iptables or none). */
    readonly host: Host;
    /** SSH connection to that host, over which the rules are applied. */
    readonly connection: Connection;
}

export class VrrpFirewall extends pulumi.ComponentResource {
    /** The last step of this host's firewall work; Docker-dependent steps wait for it. */
    readonly done: pulumi.Resource[];

    constructor(name: string, args: VrrpFirewallArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:host:VrrpFirewall", name, {}, opts);
        const fw = renderFirewall(args.topology, args.host.name);
        this.done = [];
        if (fw) {
            const rules = remoteStep(
                `${name}-rules`,
                {
                    connection: args.connection,
                    // As an update: the new rules go in first, then the previous remove script takes
                    // out only the rules the new set dropped (a port, a peer), so VRRP never stops.
                    create: [
                        "set -eu",
                        "previous=$(mktemp)",
                        `if [ -f ${fw.remove.path} ]; then cp ${fw.remove.path} "$previous"; else rm -f "$previous"; fi`,
                        WRITE_FILES,
                        `sh ${fw.apply.path}`,
                        undoObsolete("$previous", fw.remove.path, "del"),
                    ].join("\n"),
                    delete: `set -eu\nif [ -f ${fw.remove.path} ]; then sh ${fw.remove.path}; fi\nrm -f ${fw.apply.path} ${fw.remove.path}`,
                    stdin: filesPayload([fw.apply, fw.remove]),
                },
                { parent: this },
            );
            this.done.push(rules);
            if (args.host.firewall.kind === "firewalld") {
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

// stdin (the rules' hash) is read and dropped.
const DOCKER_RESTART = `set -eu
cat >/dev/null
if iptables -S DOCKER-USER >/dev/null 2>&1; then echo "Docker chains intact, no restart needed"; exit 0; fi
if command -v systemctl >/dev/null && systemctl is-active -q docker; then systemctl restart docker; echo "docker restarted"
else echo "Docker chains are missing and docker is not managed by systemd: restart dockerd by hand" >&2; exit 1; fi`;
