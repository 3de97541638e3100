#!/usr/bin/env bash
# Runs as the first process of one simulated lab host, already inside that host's network
# namespace and a fresh private mount + UTS namespace (started by lab/hosts.sh):
#   nsenter --net=/run/netns/ha-labN -- unshare --mount --uts --propagation private -- \
#     host-setup.sh labN /var/lib/ha-lab/labN TARGET=SOURCE...
# It gives the host its own /sys (so sysfs shows this namespace's interfaces) with the cgroup
# hierarchy re-bound under it, bind-mounts the per-host directories over TARGETs, sets the
# hostname, writes its PID to HOSTDIR/anchor.pid, then becomes the long-lived "anchor"
# process (`sleep infinity` named ha-lab-anchor-labN) that keeps the namespaces alive and
# that hosts.sh enters with nsenter to start dockerd and sshd.
set -euo pipefail

log() { printf '[host-setup %s] %s\n' "${name:-?}" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

(( $# >= 2 )) || die "usage: host-setup.sh NAME HOSTDIR [TARGET=SOURCE...]"
name=$1
hostdir=$2
shift 2
[[ $name =~ ^lab[0-9]+$ ]] || die "bad host name '$name'"
[[ -d $hostdir ]] || die "host dir $hostdir missing"

# Refuse to run in the root mount namespace: every mount below would leak into the machine.
if [[ $(readlink /proc/self/ns/mnt) == "$(readlink /proc/1/ns/mnt)" ]]; then
  die "not in a private mount namespace (run me through hosts.sh up)"
fi

# 1. Drop copies of namespace files (e.g. other lab hosts' /run/netns/ha-labM) inherited from
#    the root mount namespace, so this namespace does not keep other network namespaces alive.
mapfile -t nsfs_mounts < <(awk '$9 == "nsfs" { print $5 }' /proc/self/mountinfo | sort -r)
for m in "${nsfs_mounts[@]}"; do
  umount -l "$m" 2>/dev/null || true
done

# 2. Fresh sysfs for this network namespace, keeping the cgroup hierarchy (cgroup v1 hybrid).
cg_stage=$hostdir/mnt/cgroup
mkdir -p "$cg_stage"
mount --rbind /sys/fs/cgroup "$cg_stage"
mount -t sysfs sysfs /sys
mount --move "$cg_stage" /sys/fs/cgroup

# 3. Per-host directories.
for pair in "$@"; do
  target=${pair%%=*}
  source=${pair#*=}
  [[ -d $source ]] || die "source $source missing"
  [[ -d $target ]] || die "mount point $target missing"
  mount --bind "$source" "$target"
done

# 4. Identity.
hostname "$name"

echo "$$" >"$hostdir/anchor.pid.tmp"
mv -f "$hostdir/anchor.pid.tmp" "$hostdir/anchor.pid"
log "namespaces ready, anchor pid $$"
exec -a "ha-lab-anchor-$name" sleep infinity
