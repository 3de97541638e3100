// keepalived inside each HAProxy/MyCat container, installed with the container's own
// package manager as the tutorials do (or from .deb files on the host, for containers
// without a mirror), and re-applied whenever the container is replaced.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { RenderedFile } from "../render/file";
import { asTemplate, containerKeepalivedApply, containerKeepalivedRemove, START_FILE } from "../render/container-keepalived-service";
import { HostBase } from "../host/host-base";
import { filesPayload } from "../remote/payload";
import { remoteStep } from "../remote/step";

export interface ContainerKeepalivedArgs {
    /** The prepared host the container runs on: its SSH connection, over which keepalived is installed with docker exec. */
    readonly host: HostBase;
    /** The proxy container keepalived runs inside; its id triggers a reinstall when it is replaced. */
    readonly container: docker.Container;
    /** The container's name, as docker exec addresses it. */
    readonly member: string;
    /** keepalived.packagesDir: a host directory of .deb files to install from, for containers without a mirror. */
    readonly packagesDir?: string;
    /** keepalived.conf and its track scripts for this container (a secret Output: VRRP auth passwords and health-check credentials), sent on stdin only. */
    readonly files: pulumi.Output<RenderedFile[]>;
    /** Anything else to wait for besides the container, which the step always waits for (the stack passes none today). */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class ContainerKeepalived extends pulumi.ComponentResource {
    readonly applied: pulumi.Resource;

    constructor(name: string, args: ContainerKeepalivedArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:proxy:ContainerKeepalived", name, {}, opts);
        const c = args.member;
        this.applied = remoteStep(
            `${name}-apply`,
            {
                connection: args.host.connection,
                create: containerKeepalivedApply(c, args.packagesDir),
                delete: containerKeepalivedRemove(c),
                stdin: pulumi.secret(args.files.apply((files) => filesPayload([...files.map(asTemplate), START_FILE]))),
                secret: true,
                // A replaced container has no keepalived: start over in the new one. Everything
                // else (config, scripts, packagesDir) is in create or stdin and updates in place.
                triggers: [args.container.id],
            },
            { parent: this, dependsOn: [args.container, ...args.dependsOn] },
        );
        this.registerOutputs({ applied: this.applied });
    }
}
