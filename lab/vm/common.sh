# shellcheck shell=bash
# shellcheck disable=SC2034 # (the names below are for the scripts that source this file)
# Shared by lab/vm/*.sh: the constants of vm.env with the names derived from them, logging,
# PID checks and the recipe hashes that decide when a cached artefact is stale.
# The sourcing script sets LOG_TAG first (the prefix of its log lines).

VM_SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_REPO_ROOT=$(cd "$VM_SCRIPT_DIR/../.." && pwd)
# shellcheck source=lab/vm/vm.env
. "$VM_SCRIPT_DIR/vm.env"

VM_GATEWAY=$VM_NET_PREFIX.1
VM_REPO_URL=http://$VM_GATEWAY:$VM_REPO_PORT/$VM_REPO_PATH
VM_REGISTRY=$VM_GATEWAY:$VM_REGISTRY_PORT
VM_SSH_DIR=$VM_LAB_DIR/ssh
VM_KEY=$VM_SSH_DIR/vm_key
VM_SSH_CONFIG=$VM_SSH_DIR/config
VM_KNOWN_HOSTS=$VM_SSH_DIR/known_hosts
VM_RUN_DIR=$VM_LAB_DIR/run
VM_TIMINGS_DIR=$VM_LAB_DIR/timings
VM_CA_DIR=$VM_CACHE_DIR/ca
VM_REGISTRY_DIR=$VM_CACHE_DIR/registry
# The seed disk's file system label: the guest's seed unit waits for this device.
VM_SEED_LABEL=HAVMSEED

_t0=${EPOCHREALTIME/./}
# Seconds (one decimal) since a ${EPOCHREALTIME/./} stamp.
since() {
	local us=$((${EPOCHREALTIME/./} - $1))
	printf '%d.%d' $((us / 1000000)) $((us / 100000 % 10))
}
log() { printf '[%s %6ss] %s\n' "${LOG_TAG:-vm}" "$(since "$_t0")" "$*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}
need_root() { [[ $(id -u) -eq 0 ]] || die "run as root (namespaces, chroot, qemu taps)"; }

read_pid() { # file -> pid, or nothing when the file is missing or holds no number
	local p=""
	if [[ -r $1 ]]; then { read -r p <"$1"; } 2>/dev/null || true; fi
	[[ $p =~ ^[0-9]+$ ]] && printf '%s' "$p"
	return 0
}
# pid_is PID NAME: the process lives and runs the executable NAME (guards against PID reuse).
pid_is() {
	local pid=${1:-} exe
	[[ -n $pid && -d /proc/$pid ]] || return 1
	exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
	[[ $(basename "$exe") == "$2"* ]]
}
# gone PID: the process has exited (a zombie counts: PID 1 here may reap it late).
gone() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	stat=${stat##*) }
	[[ ${stat%% *} == Z ]]
}
# wait_gone PID SECONDS: 0 once the process has gone, 1 when it outlives the bound.
wait_gone() {
	local pid=$1 i
	for ((i = 0; i < $2 * 10; i++)); do
		gone "$pid" && return 0
		sleep 0.1
	done
	gone "$pid"
}

# sha256 (16 hex digits) of files and extra strings: the identity of a recipe.
recipe_hash() {
	local f
	{
		for f in "$@"; do
			if [[ -f $f ]]; then
				printf 'file %s %s\n' "$(basename "$f")" "$(sha256sum <"$f" | cut -d' ' -f1)"
			else
				printf 'value %s\n' "$f"
			fi
		done
	} | sha256sum | cut -c1-16
}

# The base image's identity: its build script, the files baked into the guest, the addresses
# written into it and the CA it trusts.
image_hash() {
	[[ -s $VM_CA_DIR/ca.crt ]] || die "no lab CA yet ($VM_CA_DIR/ca.crt): run lab/vm/vms.sh build"
	recipe_hash "$VM_SCRIPT_DIR/image.sh" "$VM_SCRIPT_DIR"/guest/* \
		"repo=$VM_REPO_URL" "registry=$VM_REGISTRY" "seed=$VM_SEED_LABEL" "$VM_CA_DIR/ca.crt"
}
image_dir() { printf '%s/image-%s' "$VM_CACHE_DIR" "$(image_hash)"; }
# The repository's identity: its build script, its package list and the image it completes.
repo_dir() {
	printf '%s/repo-%s' "$VM_CACHE_DIR" \
		"$(recipe_hash "$VM_SCRIPT_DIR/repo.sh" "packages=$VM_REPO_PACKAGES" "image=$(image_hash)")"
}

# The Debian mirrors apt already uses: "URI SUITE" lines for bookworm, -updates and -security.
apt_mirrors() {
	# shellcheck disable=SC2016 # apt's own $(FIELD) syntax
	apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Identifier: Packages' 2>/dev/null |
		awk '$2 ~ /^bookworm(-updates|-security)?$/ && $1 ~ /^https?:/' | sort -u
}
debian_mirror() {
	if [[ -n ${HA_VM_DEBIAN_MIRROR:-} ]]; then
		printf '%s' "$HA_VM_DEBIAN_MIRROR"
		return 0
	fi
	local m
	m=$(apt_mirrors | awk '$2 == "bookworm" { print $1; exit }')
	[[ -n $m ]] || die "no http(s) bookworm source in apt's configuration: set HA_VM_DEBIAN_MIRROR"
	printf '%s' "$m"
}
# deb822 sources for a build chroot: the machine's mirrors (or HA_VM_DEBIAN_MIRROR alone).
mirror_sources() {
	local uri suite
	if [[ -n ${HA_VM_DEBIAN_MIRROR:-} ]]; then
		printf 'Types: deb\nURIs: %s\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$HA_VM_DEBIAN_MIRROR"
		return 0
	fi
	apt_mirrors | while read -r uri suite; do
		printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n' "$uri" "$suite"
	done
}

# in_chroot ROOTFS [--net] CMD...: CMD inside ROOTFS with /proc, /sys and /dev/pts mounted in a
# private mount namespace, in its own PID namespace, so that nothing a package script starts
# outlives the call and nothing stays mounted. Without --net it has no network either.
in_chroot() {
	local root=$1 net=(--net)
	shift
	if [[ ${1:-} == --net ]]; then
		net=()
		shift
	fi
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare "${net[@]}" --pid --mount --fork --propagation private -- \
		/bin/sh -c 'r=$1; shift; mount -t proc proc "$r/proc" && mount -t sysfs sysfs "$r/sys" &&
			mkdir -p "$r/dev/pts" && mount -t devpts -o newinstance,ptmxmode=0666 devpts "$r/dev/pts" &&
			exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
				DEBIAN_FRONTEND=noninteractive "$@"' sh "$root" "$@"
}
