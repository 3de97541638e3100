#!/bin/sh
# Starts the containers of lab1 (pn1, dm1, h1) whose start failed at boot;
# with "watch", then waits on dockerd's events and starts again each one whose restart failed
# after it died. Run by ha-mysql-containers.service; rendered by ha-mysql.
set -u
mode=${1:-boot}
# Container names are words (the schema's name rule), in start order.
containers='pn1 dm1 h1'
# "true " or "false <last start error>" ("false " alone: stopped with no failed start).
state() { docker inspect -f '{{.State.Running}} {{.State.Error}}' "$1" 2>/dev/null; }
# The events from here on are replayed to the watch, so a container that dies during the boot
# pass is not missed.
since=$(date +%s)
polls=0
until [ "$(docker info -f '{{.Swarm.LocalNodeState}}' 2>/dev/null)" = active ]; do
  polls=$((polls + 1))
  if [ "$polls" -gt 60 ]; then echo "the swarm is not active after 600 s: containers left as they are" >&2; exit 1; fi
  sleep 10
done
echo "swarm active after $((polls * 10)) s"
# Polls of 5 s left for dockerd's own starts, shared by all the containers.
settle=24
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
    if [ "$tries" -gt 10 ]; then echo "$c: not started after 10 tries: ${st#false }" >&2; status=1; break; fi
    echo "$c: last start failed (${st#false }): docker start, try $tries of 10"
    docker start "$c" >/dev/null 2>&1 || sleep 10
  done
done
[ "$mode" = watch ] || exit "$status"
# After a death: running again (dockerd restarted it) ends the wait; a start error means the
# restart failed, and the container is started again, a bounded number of times; no error after
# 60 s means it was stopped by hand.
revive() {
  waited=0 tries=0
  while st=$(state "$1"); do
    case "$st" in
      "true "*) return 0 ;;
      "false "?*)
        tries=$((tries + 1))
        if [ "$tries" -gt 10 ]; then echo "$1: not started after 10 tries: ${st#false }" >&2; return 1; fi
        echo "$1: restart failed (${st#false }): docker start, try $tries of 10"
        if docker start "$1" >/dev/null 2>&1; then echo "$1: started"; else sleep 10; fi ;;
      *)
        [ "$waited" -lt 60 ] || return 0
        waited=$((waited + 5)); sleep 5 ;;
    esac
  done
}
echo "watching dockerd's events: a container whose restart fails is started again"
docker events --since "$since" --filter type=container --filter event=die --format '{{.Actor.Attributes.name}}' |
  while read -r c; do
    case " $containers " in *" $c "*) revive "$c" ;; esac
  done
echo "dockerd's event stream ended (dockerd stopped or restarted): systemd starts the watch again in 30 s" >&2
exit 1
