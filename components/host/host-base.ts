// Per host, in order: the preflight (what the host lacks, checked before anything changes),
// the install step (what is missing installed, Docker enabled, started and answering), then the
// SSH connection every later step uses and the host's Docker provider (where the stack runs
// Docker), both after the install,
// the host-level prerequisites (state directory, sysctl), the boot unit that restores runtime
// state after a reboot, and an LVS-DR real server's VIPs on lo. Everything waits for every
// host's key check (HostTrust).
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Host } from "../../model/schema";
import { RenderedFile } from "../render/file";
import { SysctlRender } from "../render/sysctl";
import { InstallRender } from "../render/host-install";
import { HOST_BOOT_DELETE, hostBootCreate } from "../render/host-boot";
import { CONTAINER_START_DELETE, containerStartCreate } from "../render/container-start";
import { filesPayload } from "../remote/payload";
import { Connection, remoteStep } from "../remote/step";
import { applyKeepingRemove, removeKept } from "../render/step-scripts";
import { prereqCreate, PREREQ_DELETE } from "../render/host-prereq";
import { shellQuote } from "../render/escape";
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
    /** Whether the stack runs a Docker engine on the host (model/derive.ts runsDocker): only then does it get a Docker provider. */
    readonly dockerEngine: boolean;
    /** The Docker provider's ssh files and options, when its engine is reached at ssh://. */
    readonly dockerSsh?: DockerSsh;
    /** The preflight script (components/render/host-preflight.ts): checks only, the first step on the host. */
    readonly preflight: string;
    /** The install step's scripts and the files it keeps (components/render/host-install.ts). */
    readonly install: InstallRender;
    /** The boot unit and its script, when the host keeps runtime state a reboot loses (components/render/host-boot.ts). */
    readonly boot?: RenderedFile[];
    /** The unit and script that start again, after a reboot, the containers whose start failed (components/render/container-start.ts). */
    readonly containerStart?: RenderedFile[];
}

export class HostBase extends pulumi.ComponentResource {
    readonly connection: Connection;
    private readonly provider?: docker.Provider;
    /** The install step: Docker answers on the host once it has run. */
    readonly installed: pulumi.CustomResource;
    readonly ready: pulumi.Resource;
    private readonly hostName: string;

    constructor(name: string, args: HostBaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:host:HostBase", name, {}, opts);
        const h = args.host;
        this.hostName = h.name;
        const trusted: Connection = {
            // An output of the key checks: the preflight and install steps depend on them.
            host: pulumi.output(args.checked).apply(() => h.ssh.address),
            port: h.ssh.port,
            user: h.ssh.user,
            privateKey: pulumi.secret(args.privateKey),
            hostKey: h.ssh.hostKey,
            dialErrorLimit: h.ssh.dialRetries,
            perDialTimeout: 15,
        };
        const preflight = remoteStep(
            `${name}-preflight`,
            { connection: trusted, create: args.preflight, delete: `echo ${shellQuote(`preflight of ${h.name} removed (it changed nothing)`)}` },
            { parent: this },
        );
        this.installed = remoteStep(
            `${name}-install`,
            { connection: trusted, create: args.install.create, delete: args.install.delete, stdin: filesPayload(args.install.files) },
            { parent: this, dependsOn: [preflight] },
        );
        // Every later step on the host dials through this connection, whose address is an output
        // of the install step: each of them runs after it, even one that names no dependency.
        const installedId = this.installed.id;
        this.connection = { ...trusted, host: pulumi.all([args.checked, installedId]).apply(() => h.ssh.address) };
        // The provider's endpoint waits for the install step too: while that step is still to run
        // (a preview of a fresh stack) the endpoint is unknown, so the provider is not configured
        // and dials no host before its Docker engine exists.
        if (args.dockerEngine) {
            this.provider = new docker.Provider(
                `${name}-docker`,
                {
                    host: installedId.apply(() => dockerUrl(h)),
                    sshOpts: args.dockerSsh?.sshOpts,
                },
                { parent: this, dependsOn: [...args.trust, this.installed] },
            );
        }
        const sysctl = args.sysctl;
        this.ready = remoteStep(
            `${name}-prereq`,
            {
                connection: this.connection,
                create: prereqCreate(args.dockerEngine),
                delete: PREREQ_DELETE,
                stdin: filesPayload(sysctl.files),
            },
            { parent: this },
        );
        if (args.boot) {
            remoteStep(
                `${name}-boot`,
                { connection: this.connection, create: hostBootCreate(h.name), delete: HOST_BOOT_DELETE, stdin: filesPayload(args.boot) },
                { parent: this, dependsOn: [this.ready] },
            );
        }
        if (args.containerStart) {
            remoteStep(
                `${name}-container-start`,
                { connection: this.connection, create: containerStartCreate(h.name), delete: CONTAINER_START_DELETE, stdin: filesPayload(args.containerStart) },
                { parent: this, dependsOn: [this.ready] },
            );
        }
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
        this.registerOutputs({ connection: this.connection, docker: this.provider, installed: this.installed, ready: this.ready });
    }

    /** The host's Docker provider; a host the stack runs no container on has none. */
    get docker(): docker.Provider {
        if (!this.provider) throw new Error(`host ${this.hostName} runs no Docker engine: the stack places no container there and it is not the swarm manager`);
        return this.provider;
    }
}
