// The swarm: docker_gwbridge pre-created on its own subnet on every host, `swarm init`
// on the manager, then every worker joins with a token that stays a secret.
import * as pulumi from "@pulumi/pulumi";
import { Topology } from "../../model/schema";
import { hostAddress } from "../../model/derive";
import { HostBase } from "../host/host-base";
import { quote } from "../remote/scripts";
import { remoteStep } from "../remote/step";

export interface SwarmClusterArgs {
    /** The validated topology: which host is the swarm manager, which join as workers, and the docker_gwbridge subnet. */
    readonly topology: Topology;
    /** The prepared hosts by name: each swarm step runs over its host's SSH connection, after the host is ready. */
    readonly hosts: Record<string, HostBase>;
    /** Per host, what must be in place before Docker networking changes (firewall, restart). */
    readonly after: Record<string, pulumi.Resource[]>;
}

export class SwarmCluster extends pulumi.ComponentResource {
    /** Per host, the step after which the host is a swarm member. */
    readonly members: Record<string, pulumi.Resource>;

    constructor(name: string, args: SwarmClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-mysql:docker:SwarmCluster", name, {}, opts);
        const t = args.topology;
        const manager = t.hosts.find((h) => h.swarmRole === "manager");
        if (!manager) throw new Error("validated topology has no swarm manager");
        this.members = {};
        const gwbridge = (host: string) =>
            remoteStep(
                `${name}-${host}-gwbridge`,
                { connection: args.hosts[host].connection, create: gwbridgeCreate(t.network.gwbridgeSubnet), delete: GWBRIDGE_DELETE },
                { parent: this, dependsOn: [args.hosts[host].ready, ...(args.after[host] ?? [])] },
            );
        const managerAddr = hostAddress(manager);
        const init = remoteStep(
            `${name}-init`,
            { connection: args.hosts[manager.name].connection, create: swarmInit(managerAddr), delete: SWARM_LEAVE, secret: true },
            { parent: this, dependsOn: [gwbridge(manager.name)] },
        );
        this.members[manager.name] = init;
        // stdout carries the worker token; the step above marks it secret and does not log it.
        const token = init.stdout.apply((out) => out.trim().split("\n").pop() ?? "");
        for (const h of t.hosts.filter((x) => x.name !== manager.name)) {
            this.members[h.name] = remoteStep(
                `${name}-${h.name}-join`,
                {
                    connection: args.hosts[h.name].connection,
                    create: swarmJoin(`${managerAddr}:2377`, hostAddress(h)),
                    delete: SWARM_LEAVE,
                    stdin: pulumi.secret(token),
                    secret: true,
                },
                { parent: this, dependsOn: [gwbridge(h.name), init] },
            );
        }
        this.registerOutputs({ members: this.members });
    }
}

function gwbridgeCreate(subnet: string): string {
    return `set -eu
current=$(docker network inspect docker_gwbridge -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' 2>/dev/null || true)
if [ "$current" = ${quote(subnet)} ]; then echo "docker_gwbridge already on ${subnet}"; exit 0; fi
if [ -n "$current" ]; then
  if [ "$(docker info -f '{{.Swarm.LocalNodeState}}')" = active ]; then
    echo "docker_gwbridge is on $current, not ${subnet}, and this host is already in a swarm: leave the swarm first" >&2; exit 1
  fi
  docker network rm docker_gwbridge
fi
docker network create --subnet ${quote(subnet)} \\
  --opt com.docker.network.bridge.name=docker_gwbridge \\
  --opt com.docker.network.bridge.enable_icc=false \\
  --opt com.docker.network.bridge.enable_ip_masquerade=true docker_gwbridge
echo "docker_gwbridge created on ${subnet}"`;
}

const GWBRIDGE_DELETE = `if [ "$(docker info -f '{{.Swarm.LocalNodeState}}')" != active ]; then docker network rm docker_gwbridge >/dev/null 2>&1 || true; fi
echo "docker_gwbridge removed"`;

function swarmInit(addr: string): string {
    return `set -eu
if [ "$(docker info -f '{{.Swarm.LocalNodeState}}')" != active ]; then
  docker swarm init --advertise-addr ${addr} --listen-addr ${addr}:2377 >/dev/null
  echo "swarm initialised on ${addr}" >&2
fi
docker swarm join-token -q worker`;
}

function swarmJoin(managerAddr: string, addr: string): string {
    return `set -eu
token=$(cat)
state=$(docker info -f '{{.Swarm.LocalNodeState}}')
if [ "$state" = active ]; then echo "already a swarm member"; exit 0; fi
docker swarm join --advertise-addr ${addr} --listen-addr ${addr}:2377 --token "$token" ${managerAddr} >/dev/null
echo "joined the swarm at ${managerAddr}"`;
}

const SWARM_LEAVE = `if [ "$(docker info -f '{{.Swarm.LocalNodeState}}')" = active ]; then docker swarm leave --force >/dev/null; fi
echo "left the swarm"`;
