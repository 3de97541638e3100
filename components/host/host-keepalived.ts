// keepalived on a host: the LAN VIP, its track scripts on the local containers and,
// with LVS, the forwarding. Runs under systemd where there is one, else by pidfile.
import * as pulumi from "@pulumi/pulumi";
import { Topology } from "../../model/schema";
import { renderKeepalivedFiles } from "../render/keepalived";
import { HostBase } from "./host-base";
import { filesPayload } from "../remote/payload";
import { writeFilesOwning } from "../remote/scripts";
import { KEEPALIVED_SCRIPT_DIR } from "../render/keepalived-scripts";
import { remoteStep } from "../remote/step";

export interface HostKeepalivedArgs {
    /** The validated topology: the keepalived instances this member takes part in; it renders keepalived.conf and its scripts. */
    readonly topology: Topology;
    /** The prepared host keepalived runs on: its SSH connection. */
    readonly host: HostBase;
    /** The member name (host name) that selects this host's role and priority in each instance. */
    readonly member: string;
    /** VIPs this host may hold, "address/prefix dev iface", removed on destroy if left behind. */
    readonly vips: string[];
    /** The stack secrets by name (a secret Output): the VRRP auth passwords and health-check credentials, sent on stdin only. */
    readonly secrets: pulumi.Output<Record<string, string>>;
    /** What the VIPs front, which must be up before keepalived can claim them (proxies, container keepalived). */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class HostKeepalived extends pulumi.ComponentResource {
    readonly applied: pulumi.Resource;

    constructor(name: string, args: HostKeepalivedArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:host:HostKeepalived", name, {}, opts);
        this.applied = remoteStep(
            `${name}-apply`,
            {
                connection: args.host.connection,
                // Run as an update too: the scripts the new config no longer names go, keepalived reloads
                // (it drops the VIPs of instances that left the config itself).
                create: `set -eu\n${INSTALL}\n${writeFilesOwning(KEEPALIVED_SCRIPT_DIR)}\n${START}`,
                delete: `${STOP}\n${args.vips.map((v) => `ip addr del ${v} 2>/dev/null || true`).join("\n")}\necho "keepalived removed from $(hostname)"`,
                stdin: pulumi.secret(args.secrets.apply((s) => filesPayload(renderKeepalivedFiles(args.topology, "host", args.member, s)))),
                secret: true,
            },
            { parent: this, dependsOn: args.dependsOn },
        );
        this.registerOutputs({ applied: this.applied });
    }
}

const INSTALL = `if ! command -v keepalived >/dev/null; then
  if command -v apt-get >/dev/null; then DEBIAN_FRONTEND=noninteractive apt-get install -y -q keepalived >/dev/null
  elif command -v yum >/dev/null; then yum install -y -q keepalived >/dev/null
  else echo "install keepalived on $(hostname) first" >&2; exit 1; fi
fi`;

// A SIGKILLed keepalived leaves its pidfiles behind, and keepalived refuses to start while
// they exist: without systemd, pidfiles whose process is gone are removed before the start.
const START = `if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl enable -q keepalived
  if systemctl is-active -q keepalived; then systemctl reload keepalived; else systemctl start keepalived; fi
else
  pid=$(cat /run/keepalived.pid 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -HUP "$pid"; echo "keepalived reloaded"
  else rm -f /run/keepalived.pid /run/vrrp.pid /run/checkers.pid; keepalived -f /etc/keepalived/keepalived.conf -p /run/keepalived.pid; echo "keepalived started"; fi
fi`;

const STOP = `if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then systemctl disable -q --now keepalived || true
else pid=$(cat /run/keepalived.pid 2>/dev/null || true); if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi; fi
rm -rf /etc/keepalived/keepalived.conf /etc/keepalived/scripts`;
