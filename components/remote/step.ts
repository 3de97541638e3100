// The one helper every remote step goes through: an idempotent create script, the same
// script on update, a delete that reverses it, and output that never carries a secret.
//
// A change of what a step applies (its script or its stdin) is an in-place update: the
// provider runs `update`, which is `create`, and the old delete does not run. The
// @pulumi/command SDK marks every element of `triggers` replaceOnChanges, so a trigger is
// only for a step that must really start over, e.g. one that works on a container that was
// replaced. A replacement runs the old delete first (deleteBeforeReplace): run after the new
// create, the old delete would undo on the same host what the new create had just done
// (stop keepalived, drop the VIP, the firewall rules, the replica).
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";

export type Connection = pulumi.Input<command.types.input.remote.ConnectionArgs>;

export interface RemoteStepArgs {
    /** SSH connection to the host the step runs on (from HostBase); its private key is secret. */
    readonly connection: Connection;
    /**
     * Idempotent script (check, then act). It also runs as the update when the step's
     * content changes, so it removes what an earlier version of itself put in place and the
     * new one no longer wants. Never contains a secret: it shows in previews.
     */
    readonly create: string;
    /** Reverses create, so `pulumi destroy` leaves the host as it was. */
    readonly delete: string;
    /** Data the script reads on stdin; may be secret. A change updates the step in place. */
    readonly stdin?: pulumi.Input<string>;
    /** True when stdin carries secrets: output is then neither logged nor stored in plaintext. */
    readonly secret?: boolean;
    /**
     * Values whose change replaces the step (old delete, then create): only for genuine
     * re-creation, such as the id of a container the step works inside. Never content: a
     * content change goes into create or stdin, which update in place.
     */
    readonly triggers?: pulumi.Input<unknown>[];
}

export function remoteStep(name: string, args: RemoteStepArgs, opts: pulumi.CustomResourceOptions): command.remote.Command {
    // Absent rather than empty: adding or removing the whole property is a replacement too.
    const triggers = args.triggers && args.triggers.length > 0 ? { triggers: args.triggers } : {};
    return new command.remote.Command(
        name,
        {
            connection: args.connection,
            create: args.create,
            update: args.create,
            delete: args.delete,
            stdin: args.stdin,
            ...triggers,
            logging: args.secret ? "none" : "stdoutAndStderr",
        },
        { ...opts, deleteBeforeReplace: true, additionalSecretOutputs: args.secret ? ["stdout", "stderr"] : [] },
    );
}
