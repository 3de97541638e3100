// Admits VRRP (and the published ports) on a host before anything Docker runs,
// then restarts Docker where the firewall reload flushed Docker's own chains.
import * as pulumi from "@pulumi/pulumi";
import { Host, Topology } from "../../infra/config/schema";
import { renderFirewall } from "../render/firewall";
import { filesPayload } from "../remote/payload";
import { Connection, remoteStep } from "../remote/step";
import { WRITE_FILES } from "../remote/scripts";

export interface VrrpFirewallArgs {
    readonly topology: Topology;
    readonly host: Host;
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
                    create: `set -eu\n${WRITE_FILES}\nsh ${fw.apply.path}`,
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
                        },
                        { parent: this, dependsOn: [rules] },
                    ),
                );
            }
        }
        this.registerOutputs({ kind: args.host.firewall.kind });
    }
}

const DOCKER_RESTART = `set -eu
if iptables -S DOCKER-USER >/dev/null 2>&1; then echo "Docker chains intact, no restart needed"; exit 0; fi
if command -v systemctl >/dev/null && systemctl is-active -q docker; then systemctl restart docker; echo "docker restarted"
else echo "Docker chains are missing and docker is not managed by systemd: restart dockerd by hand" >&2; exit 1; fi`;
