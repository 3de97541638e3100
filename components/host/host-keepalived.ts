// keepalived on a host: the LAN VIP, its track scripts on the local containers and,
// with LVS, the forwarding. Runs under systemd where there is one, else by pidfile.
import * as pulumi from "@pulumi/pulumi";
import { RenderedFile } from "../render/file";
import { HostBase } from "./host-base";
import { filesPayload } from "../remote/payload";
import { HOST_KEEPALIVED_APPLY, hostKeepalivedRemove } from "../render/host-keepalived-service";
import { remoteStep } from "../remote/step";

export interface HostKeepalivedArgs {
    /** The prepared host keepalived runs on: its SSH connection. */
    readonly host: HostBase;
    /** VIPs this host may hold, "address/prefix dev iface", removed on destroy if left behind. */
    readonly vips: string[];
    /** keepalived.conf and its track scripts for this host (a secret Output: VRRP auth passwords and health-check credentials), sent on stdin only. */
    readonly files: pulumi.Output<RenderedFile[]>;
    /** What the VIPs front, which must be up before keepalived can claim them (proxies, container keepalived). */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class HostKeepalived extends pulumi.ComponentResource {
    readonly applied: pulumi.Resource;

    constructor(name: string, args: HostKeepalivedArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:host:HostKeepalived", name, {}, opts);
        this.applied = remoteStep(
            `${name}-apply`,
            {
                connection: args.host.connection,
                create: HOST_KEEPALIVED_APPLY,
                delete: hostKeepalivedRemove(args.vips),
                stdin: pulumi.secret(args.files.apply(filesPayload)),
                secret: true,
            },
            { parent: this, dependsOn: args.dependsOn },
        );
        this.registerOutputs({ applied: this.applied });
    }
}
