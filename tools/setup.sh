#!/usr/bin/env bash
# Installs what this project needs on a Debian 12 machine, idempotently; every entry point
# (npm test, npm run lab:up, .ci/run) goes through it, so they install the same things.
#
#   tools/setup.sh            apt packages, npm packages, Go toolchain and the offline engine
#   tools/setup.sh --test     apt packages and npm packages (what npm test needs)
#
# Installing needs root; when everything is already there it needs nothing and takes a second.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

# One list for every entry point: validators (keepalived, haproxy, mariadb, firewalld, xinetd,
# rsyslog, shellcheck, xmllint), the lab (docker.io, debootstrap, sshd, iproute2, iptables), the
# VM lab (qemu, qemu-img, the local apt repo's indexer, the image registry and skopeo).
APT_PACKAGES=(
	keepalived haproxy mariadb-server mariadb-client mariadb-backup galera-4
	libxml2-utils shellcheck iptables firewalld xinetd rsyslog iproute2 procps
	docker.io debootstrap openssh-server openssh-client openssl iputils-ping jq util-linux ca-certificates
	qemu-system-x86 qemu-utils dpkg-dev apt-utils docker-registry skopeo
)

mode=all
case "${1:-}" in
"") ;;
--test) mode="test" ;;
-h | --help)
	sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
*)
	echo "setup.sh: unknown argument: $1 (use --test or nothing)" >&2
	exit 2
	;;
esac

start=$SECONDS
summary=()
say() { printf '[setup] %s\n' "$*" >&2; }
need_root() {
	[[ $(id -u) -eq 0 ]] || {
		say "$1 needs root: run it again with sudo"
		exit 1
	}
}

# apt_get ARGS...: apt-get with retries while another process holds the dpkg lock.
apt_get() {
	local attempt
	for attempt in 1 2 3 4 5; do
		if apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"; then
			return 0
		fi
		say "apt-get failed (attempt $attempt; the dpkg lock may be held), retrying in 10 s"
		sleep 10
	done
	return 1
}

apt_packages() {
	local missing=() p
	for p in "${APT_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	if [[ ${#missing[@]} -eq 0 ]]; then
		summary+=("apt: ${#APT_PACKAGES[@]} packages present")
		return
	fi
	need_root "installing ${missing[*]}"
	say "apt: installing ${missing[*]}"
	apt_get "${missing[@]}" >&2 || {
		say "apt-get install failed"
		exit 1
	}
	summary+=("apt: installed ${#missing[@]} packages")
}

# npm ci --ignore-scripts (@pulumi/command's install script would download a plugin), again
# whenever package-lock.json changes.
npm_packages() {
	local want have stamp=node_modules/.ha-mysql-lock
	want=$(sha256sum package-lock.json | cut -d' ' -f1)
	have=$(cat "$stamp" 2>/dev/null || true)
	if [[ -d node_modules && $want == "$have" ]]; then
		summary+=("npm: node_modules matches package-lock.json")
		return
	fi
	say "npm: npm ci --ignore-scripts ..."
	npm ci --ignore-scripts --no-audit --no-fund >&2
	echo "$want" >"$stamp"
	summary+=("npm: installed from package-lock.json")
}

engine() {
	# shellcheck source=tools/go-toolchain.sh
	. "$repo/tools/go-toolchain.sh"
	if ! ensure_go 2>/dev/null; then
		need_root "fetching a Go toolchain"
		ensure_go --install
	fi
	summary+=("go: $(go env GOVERSION) ($(command -v go))")
	local t=$SECONDS bin
	bin=$(bash "$repo/tools/install-pulumi.sh" | tail -n 1)
	summary+=("engine: $bin ($((SECONDS - t)) s)")
}

apt_packages
npm_packages
[[ $mode == all ]] && engine
say "ready in $((SECONDS - start)) s:"
for line in "${summary[@]}"; do say "  $line"; done
