// The swarm steps the tutorials type by hand: docker_gwbridge on its own subnet, `swarm init`
// on the manager, `swarm join` on every worker, `swarm leave` on destroy.
import { quote } from "./step-scripts";

/** docker_gwbridge on the stack's subnet, before the swarm creates it on a default one that may collide. */
export function gwbridgeCreate(subnet: string): string {
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

export const GWBRIDGE_DELETE = `if [ "$(docker info -f '{{.Swarm.LocalNodeState}}')" != active ]; then docker network rm docker_gwbridge >/dev/null 2>&1 || true; fi
echo "docker_gwbridge removed"`;

/** Initialises the swarm once and prints the worker join token (the step keeps stdout secret). */
export function swarmInit(addr: string): string {
    return `set -eu
if [ "$(docker info -f '{{.Swarm.LocalNodeState}}')" != active ]; then
  docker swarm init --advertise-addr ${addr} --listen-addr ${addr}:2377 >/dev/null
  echo "swarm initialised on ${addr}" >&2
fi
docker swarm join-token -q worker`;
}

/** Joins with the token read from stdin, never from the command line. */
export function swarmJoin(managerAddr: string, addr: string): string {
    return `set -eu
token=$(cat)
state=$(docker info -f '{{.Swarm.LocalNodeState}}')
if [ "$state" = active ]; then echo "already a swarm member"; exit 0; fi
docker swarm join --advertise-addr ${addr} --listen-addr ${addr}:2377 --token "$token" ${managerAddr} >/dev/null
echo "joined the swarm at ${managerAddr}"`;
}

export const SWARM_LEAVE = `if [ "$(docker info -f '{{.Swarm.LocalNodeState}}')" = active ]; then docker swarm leave --force >/dev/null; fi
echo "left the swarm"`;
