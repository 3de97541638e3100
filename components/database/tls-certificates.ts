// The stack's own CA and one certificate per database server, made once with openssl on the
// machine that runs Pulumi and kept only in the state, encrypted. Nothing is re-issued on a
// later run: a certificate changes only when what it names changes (its addresses, its
// validity), and then only that one; a new CA re-issues them all.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { TlsSubject } from "../../model/tls";
import { caScript, KeyAndCertificate, serverCertScript, splitKeyAndCertificate } from "../render/tls";

export interface TlsCertificatesArgs {
    /** The CA's common name (the project and stack, so certificates of two stacks are told apart). */
    readonly caName: string;
    /** Validity of the CA and of every certificate, in days (tls.certificateDays). */
    readonly days: number;
    /** One entry per database server: its name (CN) and the addresses clients dial it at (SANs). */
    readonly subjects: TlsSubject[];
}

/**
 * A local step whose stdout is a key: stored as a secret, never logged, never handed back to a
 * later run of the step in its environment, and printed only once the whole key exists.
 */
function keyStep(name: string, create: string, stdin: pulumi.Input<string> | undefined, parent: pulumi.Resource): command.local.Command {
    return new command.local.Command(
        name,
        { create, update: create, delete: "true", stdin, logging: "none", addPreviousOutputInEnv: false },
        { parent, deleteBeforeReplace: true, additionalSecretOutputs: ["stdout", "stderr"] },
    );
}

export class TlsCertificates extends pulumi.ComponentResource {
    /** The CA certificate clients verify the servers with (not secret). */
    readonly caCertificate: pulumi.Output<string>;
    /** Per server name, its key and certificate (secret). */
    readonly servers: Record<string, pulumi.Output<KeyAndCertificate>> = {};

    constructor(name: string, args: TlsCertificatesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:database:TlsCertificates", name, {}, opts);
        const ca = keyStep(`${name}-ca`, caScript(args.caName, args.days), undefined, this);
        this.caCertificate = pulumi.unsecret(ca.stdout.apply((out) => splitKeyAndCertificate(out, `${name}-ca`).certificate));
        for (const s of args.subjects) {
            const step = keyStep(`${name}-${s.name}`, serverCertScript(s, args.days), pulumi.secret(ca.stdout), this);
            this.servers[s.name] = pulumi.secret(step.stdout.apply((out) => splitKeyAndCertificate(out, `${name}-${s.name}`)));
        }
        this.registerOutputs({ caCertificate: this.caCertificate });
    }
}
