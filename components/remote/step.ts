// The one helper every remote step goes through: an idempotent create script, the
// same script on update, a delete that reverses it, triggers on the hash of what it
// applies, and output that never carries a secret.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { sha256 } from "./payload";

export type Connection = pulumi.Input<command.types.input.remote.ConnectionArgs>;

export interface RemoteStepArgs {
    readonly connection: Connection;
    /** Idempotent script (check, then act). Never contains a secret: it shows in previews. */
    readonly create: string;
    /** Reverses create, so `pulumi destroy` leaves the host as it was. */
    readonly delete: string;
    /** Data the script reads on stdin; may be secret. */
    readonly stdin?: pulumi.Input<string>;
    /** True when stdin carries secrets: output is then neither logged nor stored in plaintext. */
    readonly secret?: boolean;
    /** Extra values whose change re-runs the step (e.g. the id of a replaced container). */
    readonly triggers?: pulumi.Input<unknown>[];
}

export function remoteStep(name: string, args: RemoteStepArgs, opts: pulumi.CustomResourceOptions): command.remote.Command {
    const stdinHash = args.stdin === undefined ? "" : pulumi.output(args.stdin).apply(sha256);
    return new command.remote.Command(
        name,
        {
            connection: args.connection,
            create: args.create,
            update: args.create,
            delete: args.delete,
            stdin: args.stdin,
            triggers: [sha256(args.create), stdinHash, ...(args.triggers ?? [])],
            logging: args.secret ? "none" : "stdoutAndStderr",
        },
        { ...opts, additionalSecretOutputs: args.secret ? ["stdout", "stderr"] : [] },
    );
}
