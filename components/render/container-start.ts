// What a reboot or a failed restart does to a host's containers on the swarm's attachable
// overlay: dockerd starts them itself only once the swarm is ready, and restarts them under their
// restart policy, each attach through the swarm within its fixed 20 s deadline; a start that
// fails is not retried (moby/moby#32607: "Containers on an attachable overlay network fail to
// restart after dockerd restart"), and the container stays exited with the attach error in
// `.State.Error`. ha-mysql-containers.service, a unit after Docker, waits for the swarm, gives
// dockerd's own boot starts their time, starts again each of the host's containers whose last
// start failed (a bounded number of times), and then keeps watching dockerd's event stream: after
// each of those containers dies, once dockerd's restart has had its time, a container whose
// restart failed is started again. The watch waits on `docker events` rather than polling, because
// every docker CLI run costs seconds of CPU on a small or emulated VM, and an idle host should not
// pay for a watch. A container that is stopped without a start error was stopped by hand and
// stays stopped, as `restart: unless-stopped` wants. When dockerd stops or restarts, the event
// stream ends, and so does the script; systemd starts it again, and its boot pass covers
// dockerd's own starts.
import { Topology } from "../../model/schema";
import { containersOn } from "../../model/derive";
import { file, RenderedFile, script } from "./file";
import { shellQuote } from "./escape";
import { unitInstall, unitRemove } from "./systemd-unit";

export const START_UNIT_NAME = "ha-mysql-containers.service";
export const START_UNIT = `/etc/systemd/system/${START_UNIT_NAME}`;
export const START_SCRIPT = "/var/lib/ha-mysql/containers-start.sh";

/** How long the unit waits for the swarm after boot, and for dockerd's own starts after that. */
export const SWARM_WAIT_S = 600;
export const DOCKERD_STARTS_S = 120;
/** Starts tried per container at boot before the boot pass gives up on it. */
export const START_TRIES = 10;
/** Seconds systemd waits before it starts the script again after it ended. */
export const RESTART_S = 30;
/** Seconds between the polls of the swarm's state at boot. */
export const SWARM_POLL_S = 10;
/** How long after a container died the watch gives dockerd's restart before it looks. */
export const RESTART_WAIT_S = 60;

/** The host's containers on the overlay, in the order they start (databases first). */
export function overlayContainersOn(t: Topology, hostName: string): string[] {
    if (t.network.driver !== "overlay") return [];
    return containersOn(t, hostName).map((c) => c.name);
}

export function startUnit(hostName: string): string {
    return `# Starts the containers of ${hostName} that dockerd failed to start or restart. Rendered by ha-mysql; removed on destroy.
[Unit]
Description=ha-mysql: start the containers of ${hostName} whose start failed to attach them to the swarm
Wants=docker.service
After=docker.service

[Service]
Type=simple
ExecStart=/bin/sh ${START_SCRIPT} watch
Restart=always
RestartSec=${RESTART_S}

[Install]
WantedBy=multi-user.target
`;
}

export function startScript(hostName: string, containers: string[]): string {
    return `#!/bin/sh
# Starts the containers of ${hostName} (${containers.join(", ")}) whose start failed at boot;
# with "watch", then waits on dockerd's events and starts again each one whose restart failed
# after it died. Run by ${START_UNIT_NAME}; rendered by ha-mysql.
set -u
mode=\${1:-boot}
# Container names are words (the schema's name rule), in start order.
containers=${shellQuote(containers.join(" "))}
# "true " or "false <last start error>" ("false " alone: stopped with no failed start).
state() { docker inspect -f '{{.State.Running}} {{.State.Error}}' "$1" 2>/dev/null; }
# The events from here on are replayed to the watch, so a container that dies during the boot
# pass is not missed.
since=$(date +%s)
polls=0
until [ "$(docker info -f '{{.Swarm.LocalNodeState}}' 2>/dev/null)" = active ]; do
  polls=$((polls + 1))
  if [ "$polls" -gt ${SWARM_WAIT_S / SWARM_POLL_S} ]; then echo "the swarm is not active after ${SWARM_WAIT_S} s: containers left as they are" >&2; exit 1; fi
  sleep ${SWARM_POLL_S}
done
echo "swarm active after $((polls * ${SWARM_POLL_S})) s"
# Polls of 5 s left for dockerd's own starts, shared by all the containers.
settle=${DOCKERD_STARTS_S / 5}
status=0
for c in $containers; do
  tries=0
  while :; do
    st=$(state "$c") || { echo "$c: no such container"; break; }
    case "$st" in
      "true "*) echo "$c: running"; break ;;
      "false ")
        # No start error: dockerd may not have got to it yet; after that, it was stopped by hand.
        if [ "$settle" -gt 0 ]; then settle=$((settle - 1)); sleep 5; continue; fi
        echo "$c: stopped, with no failed start: left stopped"; break ;;
    esac
    tries=$((tries + 1))
    if [ "$tries" -gt ${START_TRIES} ]; then echo "$c: not started after ${START_TRIES} tries: \${st#false }" >&2; status=1; break; fi
    echo "$c: last start failed (\${st#false }): docker start, try $tries of ${START_TRIES}"
    docker start "$c" >/dev/null 2>&1 || sleep 10
  done
done
[ "$mode" = watch ] || exit "$status"
# After a death: running again (dockerd restarted it) ends the wait; a start error means the
# restart failed, and the container is started again, a bounded number of times; no error after
# ${RESTART_WAIT_S} s means it was stopped by hand.
revive() {
  waited=0 tries=0
  while st=$(state "$1"); do
    case "$st" in
      "true "*) return 0 ;;
      "false "?*)
        tries=$((tries + 1))
        if [ "$tries" -gt ${START_TRIES} ]; then echo "$1: not started after ${START_TRIES} tries: \${st#false }" >&2; return 1; fi
        echo "$1: restart failed (\${st#false }): docker start, try $tries of ${START_TRIES}"
        if docker start "$1" >/dev/null 2>&1; then echo "$1: started"; else sleep 10; fi ;;
      *)
        [ "$waited" -lt ${RESTART_WAIT_S} ] || return 0
        waited=$((waited + 5)); sleep 5 ;;
    esac
  done
}
echo "watching dockerd's events: a container whose restart fails is started again"
docker events --since "$since" --filter type=container --filter event=die --format '{{.Actor.Attributes.name}}' |
  while read -r c; do
    case " $containers " in *" $c "*) revive "$c" ;; esac
  done
echo "dockerd's event stream ended (dockerd stopped or restarted): systemd starts the watch again in ${RESTART_S} s" >&2
exit 1
`;
}

/** The unit and its script for a host with containers on the overlay; undefined for none. */
export function renderContainerStart(t: Topology, hostName: string): RenderedFile[] | undefined {
    const containers = overlayContainersOn(t, hostName);
    if (containers.length === 0) return undefined;
    return [file(START_UNIT, startUnit(hostName)), script(START_SCRIPT, startScript(hostName, containers))];
}

/** Installs and enables the unit (files on stdin) where systemd runs; elsewhere says what is missing. */
export function containerStartCreate(hostName: string): string {
    return unitInstall(START_UNIT_NAME, hostName, `host ${hostName} has no systemd: containers whose start fails come back with the next pulumi up`, { restart: true });
}

export const CONTAINER_START_DELETE = unitRemove(START_UNIT_NAME, START_UNIT, START_SCRIPT);
