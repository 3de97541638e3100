// Per host: the SSH connection every later step uses, the host's Docker provider,
// and the host-level prerequisites (docker present, state directory, sysctl).
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Host, Topology } from "../../infra/config/schema";
import { renderSysctl } from "../render/sysctl";
import { filesPayload } from "../remote/payload";
import { Connection, remoteStep } from "../remote/step";
import { WRITE_FILES } from "../remote/scripts";

export interface HostBaseArgs {
    readonly topology: Topology;
    readonly host: Host;
    readonly privateKey: pulumi.Input<string>;
}

/** Where this project keeps what it needs to undo its changes on a host. */
export const STATE_DIR = "/var/lib/ha-mysql";

export class HostBase extends pulumi.ComponentResource {
    readonly connection: Connection;
    readonly docker: docker.Provider;
    readonly ready: pulumi.Resource;

    constructor(name: string, args: HostBaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:host:HostBase", name, {}, opts);
        const h = args.host;
        this.connection = {
            host: h.ssh.address,
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
                host: h.docker.host ?? `ssh://${h.ssh.user}@${h.ssh.address}:${h.ssh.port}`,
                sshOpts: h.docker.host ? undefined : ["-o", "BatchMode=yes", "-o", "ConnectTimeout=15"],
            },
            { parent: this },
        );
        const sysctl = renderSysctl(args.topology, h.name);
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
                    create: `set -eu\n${WRITE_FILES}\nsh ${lo.apply.path}`,
                    delete: `if [ -f ${lo.remove.path} ]; then sh ${lo.remove.path}; fi\nrm -f ${lo.apply.path} ${lo.remove.path}`,
                    stdin: filesPayload([lo.apply, lo.remove]),
                },
                { parent: this, dependsOn: [this.ready] },
            );
        }
        this.registerOutputs({ address: h.ssh.address });
    }
}

// sysctl values are saved before the first change so that destroy can put them back.
const PREREQ_CREATE = `set -eu
command -v docker >/dev/null || { echo "docker is not installed on $(hostname): install the Docker engine first" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "the Docker engine on $(hostname) does not answer" >&2; exit 1; }
mkdir -p ${STATE_DIR}
stdin=$(mktemp); cat > "$stdin"
if [ ! -f ${STATE_DIR}/sysctl.before ]; then
  awk 'index($1, "/etc/sysctl.d/") == 1 {print $3}' "$stdin" | while read -r b64; do printf '%s' "$b64" | base64 -d; echo; done \
    | sed -n 's/^ *\\([a-z0-9_.]*\\) *=.*/\\1/p' | sort -u \
    | while read -r key; do echo "$key = $(sysctl -n "$key")"; done > ${STATE_DIR}/sysctl.before
fi
${WRITE_FILES} < "$stdin"
rm -f "$stdin"
for f in /etc/sysctl.d/90-ha-mysql*.conf; do if [ -f "$f" ]; then sysctl -q -p "$f"; fi; done
echo "host $(hostname) ready"`;

const PREREQ_DELETE = `set -eu
rm -f /etc/sysctl.d/90-ha-mysql*.conf
if [ -f ${STATE_DIR}/sysctl.before ]; then sysctl -q -p ${STATE_DIR}/sysctl.before || true; rm -f ${STATE_DIR}/sysctl.before; fi
rmdir ${STATE_DIR} 2>/dev/null || true
echo "host $(hostname) prerequisites removed"`;
