#!/usr/bin/env bash
# README's test command on a Debian 12 root file system that has none of the project's apt
# packages: a debootstrap tree (the lab's cached base, or a new one), this repository cloned
# into it, then `npm test` inside a chroot, which installs the packages itself (tools/setup.sh).
# Node.js comes from this machine (bind-mounted), as a user's own install would.
# `npm run lab:up` cannot run this way: the lab enters the mount namespaces it creates, and
# entering one resets a process's root from the chroot to the machine's.
#
#   lab/fresh-machine.sh            run it; the tree is removed afterwards
#   lab/fresh-machine.sh --keep     keep the tree (under /var/tmp) for a look
#
# Needs root and the Debian mirror. Daemon postinst scripts are kept from starting services in
# the chroot (policy-rc.d), which a real machine would start; nothing else differs.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
keep=0
for a in "$@"; do
	case $a in
	--keep) keep=1 ;;
	*) echo "fresh-machine.sh: unknown argument $a (use --keep)" >&2; exit 2 ;;
	esac
done
[[ $(id -u) -eq 0 ]] || { echo "fresh-machine.sh needs root" >&2; exit 1; }

base_tar=/root/.cache/ha-mysql-iac/lab/base-bookworm.tar
root=$(mktemp -d /var/tmp/ha-fresh.XXXXXX)
mounts=()
cleanup() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[$i]}" 2>/dev/null || true; done
	# A bind mount of the same file system passes --one-file-system: never remove while one is left.
	if findmnt -rn -o TARGET | grep -q "^$root"; then
		echo "mounts remain under $root: not removing it" >&2
	elif ((keep)); then echo "tree kept at $root"; else rm -rf --one-file-system "$root"; fi
}
trap cleanup EXIT
log() { printf '[fresh %4ss] %s\n' "$SECONDS" "$*" >&2; }

if [[ -s $base_tar ]]; then
	log "root file system from the lab's cached debootstrap base"
	tar -C "$root" -xf "$base_tar"
else
	log "debootstrap bookworm (no cached base)"
	debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/dev/null
fi
# mktemp (and the cached base's own root entry) make it 0700; as the tree's / that would lock
# every non-root service user out, which no machine does.
chmod 0755 "$root"
missing=$(chroot "$root" sh -c 'for p in haproxy keepalived mariadb-server shellcheck docker.io; do dpkg-query -W -f="\${Status}" $p 2>/dev/null | grep -q "ok installed" || echo $p; done' | wc -l)
log "packages of the project missing in the tree: $missing of 5 checked"

# The tree's root is a mount point, as a machine's / is: `ip netns exec` remounts it rslave.
mount --bind "$root" "$root"
mounts+=("$root")
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# This machine's own trust and npm settings (a proxy's CA, registry options) go with it, as they
# would be on any machine of this network; ca-certificates adds them to the bundle it builds.
mkdir -p "$root/usr/local/share/ca-certificates" "$root/etc/ssl/certs"
cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt" 2>/dev/null || true
if [[ -f /root/.npmrc ]]; then mkdir -p "$root/root" && cp /root/.npmrc "$root/root/.npmrc"; fi
bind() { [[ -e $root$2 ]] || mkdir -p "$root$2"; mount --bind "$1" "$root$2"; mounts+=("$root$2"); }
mount -t proc proc "$root/proc"; mounts+=("$root/proc")
bind /dev /dev
bind /sys /sys
mkdir -p "$root/usr/lib/node_modules"
touch "$root/usr/bin/node"
bind /usr/bin/node /usr/bin/node
bind /usr/lib/node_modules/npm /usr/lib/node_modules/npm
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"

git clone -q "$repo" "$root/repo"
run_in() {
	chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin CI=true NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
		bash -c "cd /repo && $1"
}
rc=0
log "clone at $(git -C "$root/repo" rev-parse --short HEAD); running npm test in the chroot"
run_in 'npm test' || rc=$?
log "npm test exit $rc"
exit "$rc"
