#!/bin/sh
# Starts the containers of lab1 (pn1, dm1, h1) whose start failed at boot;
# with "watch [passes]", then every 30 s each one whose start or restart failed since
# (passes: how many, 0 or none for no end). Run by ha-mysql-containers.service; rendered by ha-mysql.
set -u
mode=${1:-boot}
passes=${2:-0}
# Container names are words (the schema's name rule), in start order.
containers='pn1 dm1 h1'
# "true " or "false <last start error>" ("false " alone: stopped with no failed start).
state() { docker inspect -f '{{.State.Running}} {{.State.Error}}' "$1" 2>/dev/null; }
polls=0
until [ "$(docker info -f '{{.Swarm.LocalNodeState}}' 2>/dev/null)" = active ]; do
  polls=$((polls + 1))
  if [ "$polls" -gt 120 ]; then echo "the swarm is not active after 600 s: containers left as they are" >&2; exit 1; fi
  sleep 5
done
echo "swarm active after $((polls * 5)) s"
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
echo "watching: a container whose start fails is started again within 30 s"
pass=0
while [ "$passes" -eq 0 ] || [ "$pass" -lt "$passes" ]; do
  pass=$((pass + 1))
  sleep 30
  for c in $containers; do
    st=$(state "$c") || continue
    case "$st" in
      "false "?*)
        echo "$c: start failed (${st#false }): docker start"
        if docker start "$c" >/dev/null 2>&1; then echo "$c: started"; fi ;;
    esac
  done
done
exit 0
