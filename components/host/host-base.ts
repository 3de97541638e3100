// Per host: the SSH connection every later step uses, the host's Docker provider,
// and the host-level prerequisites (docker present, state directory, sysctl). Both the
// connection and the provider wait for every host's key check (HostTrust).
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Host } from "../../model/schema";
import { SysctlRender } from "../render/sysctl";
import { filesPayload } from "../remote/payload";
import { Connection, remoteStep } from "../remote/step";
import { applyKeepingRemove, removeKept } from "../render/step-scripts";
import { PREREQ_CREATE, PREREQ_DELETE } from "../render/host-prereq";
import { DockerSsh, dockerUrl } from "./docker-ssh";

export interface HostBaseArgs {
    /** The host to prepare: its name, SSH address, port and user. */
    readonly host: Host;
    /** The SSH private key for the host; wrapped as a secret in the connection every later step uses. */
    readonly privateKey: pulumi.Input<string>;
    /** The sysctl drop-in this host needs for the pieces it runs (and, for an LVS DR real server, the VIPs on lo). */
    readonly sysctl: SysctlRender;
    /** Resolves when every host's key check has passed: the connection's address waits for it. */
    readonly checked: pulumi.Input<string[]>;
    /** The trust steps of every host; the Docker provider depends on them (and is deleted before them). */
    readonly trust: pulumi.Resource[];
    /** The Docker provider's ssh files and options, when its engine is reached at ssh://. */
    readonly dockerSsh?: DockerSsh;
}

export class HostBase extends pulumi.ComponentResource {
    readonly connection: Connection;
    readonly docker: docker.Provider;
    readonly ready: pulumi.Resource;

    constructor(name: string, args: HostBaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:host:HostBase", name, {}, opts);
        const h = args.host;
        this.connection = {
            // An output of the key checks: every step on the host depends on them.
            host: pulumi.output(args.checked).apply(() => h.ssh.address),
            port: h.ssh.port,
            user: h.ssh.user,
            privateKey: pulumi.secret(args.privateKey),
            hostKey: h.ssh.hostKey,
            dialErrorLimit: h.ssh.dialRetries,
            perDialTimeout: 15,
        };
        this.docker = new docker.Provider(
            `${name}-docker`,
            {
                host: dockerUrl(h),
                sshOpts: args.dockerSsh?.sshOpts,
            },
            { parent: this, dependsOn: args.trust },
        );
        const sysctl = args.sysctl;
        this.ready = remoteStep(
            `${name}-prereq`,
            {
                connection: this.connection,
                create: PREREQ_CREATE,
                delete: PREREQ_DELETE,
                stdin: filesPayload(sysctl.files),
            },
            { parent: this },
        );
        const lo = sysctl.loopbackVip;
        if (lo) {
            // LVS DR real server: the VIP on lo, after the ARP sysctls above are in force.
            remoteStep(
                `${name}-lo-vip`,
                {
                    connection: this.connection,
                    // As an update, the VIPs the new list dropped come off lo (see VrrpFirewall).
                    create: applyKeepingRemove(lo.apply.path, lo.remove.path, "del_vip"),
                    delete: removeKept(lo.apply.path, lo.remove.path),
                    stdin: filesPayload([lo.apply, lo.remove]),
                },
                { parent: this, dependsOn: [this.ready] },
            );
        }
        this.registerOutputs({ connection: this.connection, docker: this.docker, ready: this.ready });
    }
}
