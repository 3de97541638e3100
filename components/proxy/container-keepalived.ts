// keepalived inside each HAProxy/MyCat container, installed with the container's own
// package manager as the tutorials do, and re-applied whenever the container is replaced.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Topology } from "../../infra/config/schema";
import { renderKeepalivedFiles } from "../render/keepalived";
import { HostBase } from "../host/host-base";
import { filesPayload } from "../remote/payload";
import { inContainer, quote, WRITE_FILES } from "../remote/scripts";
import { remoteStep } from "../remote/step";

export interface ContainerKeepalivedArgs {
    readonly topology: Topology;
    readonly host: HostBase;
    readonly container: docker.Container;
    readonly member: string;
    readonly secrets: pulumi.Output<Record<string, string>>;
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class ContainerKeepalived extends pulumi.ComponentResource {
    readonly applied: pulumi.Resource;

    constructor(name: string, args: ContainerKeepalivedArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:proxy:ContainerKeepalived", name, {}, opts);
        const c = args.member;
        const install = inContainer(c, INSTALL);
        const write = inContainer(c, WRITE_FILES);
        const start = inContainer(c, START);
        this.applied = remoteStep(
            `${name}-apply`,
            {
                connection: args.host.connection,
                create: `set -eu\n${install} </dev/null\n${write}\n${start} </dev/null`,
                delete: `if docker inspect ${quote(c)} >/dev/null 2>&1; then ${inContainer(c, STOP)} </dev/null || true; fi\necho "keepalived stopped in ${c}"`,
                stdin: pulumi.secret(args.secrets.apply((s) => filesPayload(renderKeepalivedFiles(args.topology, "container", c, s)))),
                secret: true,
                triggers: [args.container.id],
            },
            { parent: this, dependsOn: [args.container, ...args.dependsOn] },
        );
        this.registerOutputs({ member: c });
    }
}

const INSTALL = `set -eu
if command -v keepalived >/dev/null; then exit 0; fi
if command -v apt-get >/dev/null; then apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends keepalived >/dev/null
elif command -v yum >/dev/null; then yum install -y -q keepalived >/dev/null
else echo "no apt-get or yum in this container: use an image with keepalived" >&2; exit 1; fi
echo "keepalived installed"`;

// A SIGKILLed keepalived leaves its pidfile behind and then refuses to start (lab-facts).
const START = `set -eu
pid=$(cat /run/keepalived.pid 2>/dev/null || true)
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -HUP "$pid"; echo "keepalived reloaded"; exit 0; fi
rm -f /run/keepalived.pid /run/vrrp.pid /run/checkers.pid
keepalived --dont-fork --log-console -f /etc/keepalived/keepalived.conf -p /run/keepalived.pid >/proc/1/fd/1 2>&1 &
echo "keepalived started"`;

const STOP = `pid=$(cat /run/keepalived.pid 2>/dev/null || true)
if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
rm -rf /etc/keepalived/keepalived.conf /etc/keepalived/scripts`;
