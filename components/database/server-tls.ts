// A database server's TLS files on its host: written before its container starts, owned by
// the account the server runs as, and bind-mounted read-only where its option files say.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { RenderedFile } from "../render/file";
import { TLS_DIR, TLS_HOST_DIR, tlsFilesApply, tlsFilesRemove } from "../render/tls";
import { filesPayload } from "../remote/payload";
import { Connection, remoteStep } from "../remote/step";

/** What a server's container needs of its TLS files: the step to wait for and the mount. */
export interface ServerTls {
    readonly step: command.remote.Command;
    readonly volume: { hostPath: string; containerPath: string; readOnly: boolean };
}

/** The host directory of one server's files (the renderer's hostDir). */
export function serverTlsDir(server: string): string {
    return `${TLS_HOST_DIR}/${server}`;
}

/**
 * The step that writes `files` (rendered for serverTlsDir(server), a secret Output) over the
 * host's SSH connection, and the mount that shows them to the container.
 */
export function serverTls(name: string, connection: Connection, image: string, server: string, files: pulumi.Output<RenderedFile[]>, opts: pulumi.CustomResourceOptions): ServerTls {
    const hostDir = serverTlsDir(server);
    const step = remoteStep(
        name,
        { connection, create: tlsFilesApply(image, hostDir, server), delete: tlsFilesRemove(hostDir), stdin: pulumi.secret(files.apply(filesPayload)), secret: true },
        opts,
    );
    return { step, volume: { hostPath: hostDir, containerPath: TLS_DIR, readOnly: true } };
}
