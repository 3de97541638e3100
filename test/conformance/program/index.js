// The conformance suite's Pulumi program: the command resources described by the stack's
// `spec` config (JSON), so that each test changes one input and watches what the engine does.
"use strict";
const pulumi = require("@pulumi/pulumi");
const command = require("@pulumi/command");

const cfg = new pulumi.Config();
const spec = JSON.parse(cfg.require("spec"));
const key = cfg.getSecret("key");

for (const r of spec.resources) {
    const args = {
        create: r.create,
        update: r.update,
        delete: r.delete,
        triggers: r.triggers,
        logging: r.logging,
        environment: r.environment,
        stdin: r.stdin,
        addPreviousOutputInEnv: r.addPreviousOutputInEnv,
    };
    const opts = { deleteBeforeReplace: r.deleteBeforeReplace === true, additionalSecretOutputs: r.secretStdout ? ["stdout"] : [] };
    if (r.kind === "remote") {
        args.connection = {
            host: "127.0.0.1",
            port: r.port,
            user: "root",
            privateKey: key,
            hostKey: r.hostKey,
            dialErrorLimit: r.dialErrorLimit,
            perDialTimeout: r.perDialTimeout,
        };
        new command.remote.Command(r.name, args, opts);
    } else {
        new command.local.Command(r.name, args, opts);
    }
}
