// Per host, the SSH trust every later step relies on, declared before anything touches a host:
//   <host>-host-key    a local step that compares the key the host presents with the pin and
//                      fails naming the host and both fingerprints (components/render/host-key-check.ts);
//                      every host's connection waits for all of them, so a mismatch on one host
//                      applies nothing anywhere.
//   <host>-docker-ssh  for a Docker engine reached at ssh://: owns the files its ssh uses
//                      (components/host/docker-ssh.ts), which the program writes; its delete
//                      removes them after the host's Docker resources are gone.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { Host } from "../../model/schema";
import { hostKeyCheckStep } from "../render/host-key-check";
import { shellQuote } from "../render/escape";
import { DockerSsh } from "./docker-ssh";

export interface HostTrustArgs {
    readonly host: Host;
    /** The host's place in hosts[], for the messages. */
    readonly index: number;
    /** The Docker provider's ssh files, when its engine is reached at ssh:// (already written). */
    readonly dockerSsh?: DockerSsh;
}

export class HostTrust extends pulumi.ComponentResource {
    /** Resolves once the host key check has passed. */
    readonly checked: pulumi.Output<string>;
    /** What the host's connections and Docker provider wait for. */
    readonly steps: pulumi.Resource[];

    constructor(name: string, args: HostTrustArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:host:HostTrust", name, {}, opts);
        const h = args.host;
        // Local steps that change nothing: never replaced (no triggers), a changed pin, address or
        // port runs the check again as an update.
        const step = hostKeyCheckStep(h, args.index);
        const check = new command.local.Command(
            `${h.name}-host-key`,
            {
                create: step.create,
                update: step.create,
                stdin: step.stdin,
                delete: `echo ${shellQuote(`host key check of ${h.name} removed (nothing to undo)`)}`,
            },
            { parent: this, deleteBeforeReplace: true },
        );
        this.checked = check.id;
        this.steps = [check];
        const d = args.dockerSsh;
        if (d) {
            const files = d.files.map((f) => f.path);
            const gone = [...files, ...d.absent];
            const create = [
                `for f in ${files.map(shellQuote).join(" ")}; do [ -f "$f" ] || { echo "$f is missing: the program writes it on every preview and up" >&2; exit 1; }; done`,
                `echo ${shellQuote(`the Docker provider reaches ${h.name} over ssh with the stack's key ${d.identity}${d.knownHosts ? ` and the pinned host key in ${d.knownHosts}` : " and no pinned host key"}`)}`,
            ].join("\n");
            this.steps.push(
                new command.local.Command(
                    `${h.name}-docker-ssh`,
                    {
                        create,
                        update: create,
                        // After every Docker resource of the host: the provider depends on this step.
                        delete: [
                            `rm -f ${gone.map(shellQuote).join(" ")}`,
                            `rmdir ${[d.dir, path.dirname(d.dir), path.dirname(path.dirname(d.dir))].map(shellQuote).join(" ")} 2>/dev/null || true`,
                            `echo ${shellQuote(`removed the Docker ssh files of ${h.name} (${d.dir})`)}`,
                        ].join("\n"),
                    },
                    { parent: this, deleteBeforeReplace: true, dependsOn: [check] },
                ),
            );
        }
        this.registerOutputs({ checked: this.checked });
    }
}
