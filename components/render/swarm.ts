// The swarm steps the tutorials type by hand: docker_gwbridge on its own subnet, `swarm init`
// on the manager, `swarm join` on every worker, `swarm leave` on destroy. The join token is no
// step's output: it is read on the manager over the manager's SSH connection (swarmTokenRead)
// and reaches each worker's join step on its stdin.
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

/** Initialises the swarm once. Prints no token: the workers' token is read by swarmTokenRead. */
export function swarmInit(addr: string): string {
    return `set -eu
if [ "$(docker info -f '{{.Swarm.LocalNodeState}}')" = active ]; then echo "already in a swarm"; exit 0; fi
docker swarm init --advertise-addr ${addr} --listen-addr ${addr}:2377 >/dev/null
echo "swarm initialised on ${addr}"`;
}

/** How the machine that runs Pulumi reaches the manager: the manager's own SSH connection. */
export interface SshTarget {
    readonly address: string;
    readonly port: number;
    readonly user: string;
    /** Pinned host key ("ssh-ed25519 AAAA..."); without one any key is accepted, as by the steps' connection. */
    readonly hostKey?: string;
    readonly dialRetries: number;
}

// The signature algorithms of a pinned key's type: an RSA key signs with SHA-2 on current servers.
function hostKeyAlgorithms(hostKey: string): string {
    const type = hostKey.split(" ")[0];
    return type === "ssh-rsa" ? "rsa-sha2-512,rsa-sha2-256,ssh-rsa" : type;
}

/**
 * Run on the machine that runs Pulumi (command:local:run): reads the worker join token on the
 * manager over the manager's SSH connection, with the connection's private key read on stdin
 * into a private temporary directory that is removed however the command ends. Prints the token
 * and nothing else; the key and the token are never on a command line. ssh ignores the user's
 * ssh configuration and agent, so it connects as the steps' connection does.
 */
export function swarmTokenRead(t: SshTarget): string {
    const pin = t.hostKey
        ? [`printf '%s\\n' ${quote(`${t.address} ${t.hostKey}`)} ${quote(`[${t.address}]:${t.port} ${t.hostKey}`)} >"$dir/known_hosts"`]
        : [];
    const check = t.hostKey
        ? `-o UserKnownHostsFile="$dir/known_hosts" -o StrictHostKeyChecking=yes -o HostKeyAlgorithms=${hostKeyAlgorithms(t.hostKey)}`
        : "-o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no";
    return [
        "set -eu",
        "umask 077",
        "dir=$(mktemp -d)",
        `trap 'rm -rf "$dir"' EXIT`,
        "trap 'exit 1' HUP INT TERM",
        "key=$(cat)",
        `printf '%s\\n' "$key" >"$dir/key"`,
        ...pin,
        `ssh -F /dev/null -i "$dir/key" -o IdentitiesOnly=yes -o IdentityAgent=none -o BatchMode=yes -o ConnectTimeout=15 -o ConnectionAttempts=${t.dialRetries} ${check} -o LogLevel=ERROR -p ${t.port} -l ${quote(t.user)} ${t.address} ${quote(SWARM_TOKEN_READ)} </dev/null`,
    ].join("\n");
}

/**
 * Prints the worker token on a manager; prints nothing on a node that is no manager yet: a preview
 * before the swarm is initialised reads from a fresh host, and the join steps run only after init.
 */
export const SWARM_TOKEN_READ = `if [ "$(docker info --format '{{.Swarm.ControlAvailable}}' 2>/dev/null)" = true ]; then docker swarm join-token -q worker; fi`;

/** Joins with the token read from stdin, never from the command line. */
export function swarmJoin(managerAddr: string, addr: string): string {
    return `set -eu
token=$(cat)
state=$(docker info -f '{{.Swarm.LocalNodeState}}')
if [ "$state" = active ]; then echo "already a swarm member"; exit 0; fi
[ -n "$token" ] || { echo "no join token on stdin" >&2; exit 1; }
docker swarm join --advertise-addr ${addr} --listen-addr ${addr}:2377 --token "$token" ${managerAddr} >/dev/null
echo "joined the swarm at ${managerAddr}"`;
}

export const SWARM_LEAVE = `if [ "$(docker info -f '{{.Swarm.LocalNodeState}}')" = active ]; then docker swarm leave --force >/dev/null; fi
echo "left the swarm"`;

/** The one-task service that keeps the overlay network on a host (network.anchors). */
export function anchorServiceName(network: string, host: string): string {
    return `${network}-anchor-${host}`;
}

// How long the manager waits for an anchor's task to run: under software emulation preparing
// the network on a host took 40 s and starting the task 25 s more (measured in the VM lab).
export const ANCHOR_WAIT_S = 600;

/**
 * Run on the manager: a one-task service on `network`, placed on the swarm node that advertises
 * `addr`, running `image` asleep. While its task runs, the host holds the network (its overlay
 * sandbox and load-balancer endpoint), so a standalone container attaching there later only
 * adds an endpoint. The image is used as the host has it (--no-resolve-image: no registry is
 * asked for a digest). Waits, with a progress line every 30 s, until the task is running.
 */
export function anchorCreate(network: string, host: string, addr: string, image: string): string {
    const svc = anchorServiceName(network, host);
    return `set -eu
node=""
for id in $(docker node ls -q); do
  if [ "$(docker node inspect -f '{{.Status.Addr}}' "$id")" = ${quote(addr)} ]; then node=$id; fi
done
[ -n "$node" ] || { echo "no swarm node advertises ${addr} (host ${host}): has it joined the swarm?" >&2; exit 1; }
if docker service inspect ${quote(svc)} >/dev/null 2>&1; then
  if [ "$(docker service inspect -f '{{.Spec.TaskTemplate.ContainerSpec.Image}} {{join .Spec.TaskTemplate.Placement.Constraints ","}}' ${quote(svc)})" != ${quote(`${image} node.id==`)}"$node" ]; then
    docker service rm ${quote(svc)} >/dev/null
    echo "${svc}: replaced (image or node changed)"
  fi
fi
if ! docker service inspect ${quote(svc)} >/dev/null 2>&1; then
  docker service create --detach --quiet --no-resolve-image --name ${quote(svc)} --network ${quote(network)} \\
    --constraint "node.id==$node" --restart-condition any --stop-grace-period 1s \\
    --label ha-mysql.anchor=${quote(host)} --entrypoint sleep ${quote(image)} 2147483647 >/dev/null
fi
start=$(date +%s); told=0
while :; do
  state=$(docker service ps --filter desired-state=running --format '{{.CurrentState}}|{{.Error}}' ${quote(svc)} | head -n 1)
  waited=$(($(date +%s) - start))
  case "$state" in Running*) break ;; esac
  if [ "$waited" -ge ${ANCHOR_WAIT_S} ]; then echo "${svc}: task not running after ${ANCHOR_WAIT_S} s: \${state:-no task}" >&2; exit 1; fi
  if [ $((waited - told)) -ge 30 ]; then told=$waited; echo "${svc}: waiting for its task (\${state%%|*}) after \${waited} s" >&2; fi
  sleep 2
done
echo "${svc} holds ${network} on ${host} (task running after \${waited} s)"`;
}

export function anchorDelete(network: string, host: string): string {
    const svc = anchorServiceName(network, host);
    return `if docker service inspect ${quote(svc)} >/dev/null 2>&1; then docker service rm ${quote(svc)} >/dev/null; fi
echo "${svc} removed"`;
}
