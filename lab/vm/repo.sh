#!/usr/bin/env bash
# The VM lab's Debian repository: the .deb files the stack installs on the VMs (VM_REPO_PACKAGES
# in vm.env: docker.io, keepalived, ipvsadm, firewalld, iptables, apparmor) and everything they
# need that the base image lacks, Recommends included, so that a plain `apt-get install` in a VM
# resolves exactly as it would against a full mirror. The VMs reach no mirror.
#
#   lab/vm/repo.sh build   unpacks the image's rootfs.tar, asks apt in that chroot (machine's
#                          mirrors) for `install --download-only` of the packages, indexes the
#                          files as a flat repository (Packages, Packages.gz, Release), then checks
#                          in a copy without network, with the repository as its only source, that
#                          apt resolves the install. Skipped when the cache holds the same recipe.
#   lab/vm/repo.sh dir     the cache directory of the current recipe (its debian/ is served)
#
# Cache: /root/.cache/ha-mysql-iac/vm/repo-<hash>/debian/. The hash covers this script, the
# package list and the image's hash. VMs use it as: deb [trusted=yes] http://10.78.0.1:8080/debian ./
# Environment: HA_VM_DEBIAN_MIRROR overrides the mirror read from apt's configuration.
set -euo pipefail
LOG_TAG=vm-repo
# shellcheck source=lab/vm/common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

ROOTFS=
cleanup() {
	local rc=$?
	if [[ -n $ROOTFS && -d $ROOTFS ]]; then rm -rf "$ROOTFS"; fi
	exit "$rc"
}

cmd_build() {
	need_root
	local dir img t pkgs
	dir=$(repo_dir)
	if [[ -f $dir/.complete ]]; then
		log "reusing $dir ($(find "$dir/debian" -name '*.deb' | wc -l) packages, $(du -sm "$dir/debian" | cut -f1) MiB)"
		return 0
	fi
	img=$(image_dir)
	[[ -f $img/.complete ]] || die "no base image for the current recipe ($img): lab/vm/image.sh build"
	IFS=, read -r -a pkgs <<<"$VM_REPO_PACKAGES"
	trap cleanup EXIT
	ROOTFS=$(mktemp -d /var/tmp/ha-vmlab-repo.XXXXXX)
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp/debian"
	local blog=$dir.tmp/build.log

	t=${EPOCHREALTIME/./}
	tar --numeric-owner --xattrs --acls -C "$ROOTFS" -xf "$img/rootfs.tar"
	rm -f "$ROOTFS"/etc/apt/sources.list.d/*
	mirror_sources >"$ROOTFS/etc/apt/sources.list.d/debian.sources"
	cp -L /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
	mkdir -p "$ROOTFS/var/cache/ha-vmlab-repo/partial"
	log "downloading ${pkgs[*]} and their dependencies (log: $blog)"
	if ! in_chroot "$ROOTFS" --net sh -c 'apt-get -q update &&
		apt-get -y -q install --download-only -o Dir::Cache::archives=/var/cache/ha-vmlab-repo "$@"' \
		sh "${pkgs[@]}" >>"$blog" 2>&1; then
		tail -n 30 "$blog" >&2
		die "apt-get install --download-only failed"
	fi
	find "$ROOTFS/var/cache/ha-vmlab-repo" -maxdepth 1 -name '*.deb' -exec mv -t "$dir.tmp/debian" {} +
	log "downloaded $(find "$dir.tmp/debian" -name '*.deb' | wc -l) packages in $(since "$t") s"

	(
		cd "$dir.tmp/debian"
		dpkg-scanpackages . /dev/null >Packages 2>>"$blog"
		gzip -9nk Packages
		apt-ftparchive -o APT::FTPArchive::Release::Origin=ha-vmlab \
			-o APT::FTPArchive::Release::Label=ha-vmlab \
			-o APT::FTPArchive::Release::Architectures="amd64 all" \
			-o APT::FTPArchive::Release::Description="VM lab packages" \
			release . >Release.tmp
		mv Release.tmp Release
	)

	# The check: the repository as the only source, no network, the same install line.
	t=${EPOCHREALTIME/./}
	rm -rf "$ROOTFS/var/cache/ha-vmlab-repo" "$ROOTFS"/var/lib/apt/lists/*
	rm -f "$ROOTFS"/etc/apt/sources.list.d/*
	mkdir -p "$ROOTFS/srv/repo"
	cp -al "$dir.tmp/debian" "$ROOTFS/srv/repo/debian"
	printf 'deb [trusted=yes] file:/srv/repo/debian ./\n' >"$ROOTFS/etc/apt/sources.list.d/check.list"
	if ! in_chroot "$ROOTFS" sh -c 'apt-get -q update && apt-get -q -s install "$@"' sh "${pkgs[@]}" >>"$blog" 2>&1; then
		tail -n 30 "$blog" >&2
		die "the repository does not satisfy the install on its own"
	fi
	log "offline resolution check passed in $(since "$t") s"

	date -u +%FT%TZ >"$dir.tmp/.complete"
	mv "$dir.tmp" "$dir"
	# Older repositories go, unless the running lab's HTTP server serves one.
	local old
	for old in "$VM_CACHE_DIR"/repo-*; do
		[[ -d $old && $old != "$dir" ]] || continue
		if [[ $(cat "$VM_RUN_DIR/repo" 2>/dev/null || true) == "$old" ]]; then
			log "keeping $old: the running lab serves it"
		else
			rm -rf "$old"
		fi
	done
	log "repository ready: $dir/debian ($(find "$dir/debian" -name '*.deb' | wc -l) packages, $(du -sm "$dir/debian" | cut -f1) MiB)"
}

case "${1:-}" in
build) cmd_build ;;
dir) repo_dir ;;
-h | --help | help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0" ;;
*) die "usage: repo.sh build|dir" ;;
esac
