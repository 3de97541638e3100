#!/usr/bin/env bash
# The VM lab's base image: Debian 12 as a fresh cloud VM would have it, for QEMU.
#
#   lab/vm/image.sh build   debootstrap --variant=minbase bookworm in two stages (the second in a
#                           chroot without network or shared PIDs), the kernel and the cloud VM's
#                           packages from the machine's mirror, the guest files of lab/vm/guest/,
#                           then mkfs.ext4 -d -> base.qcow2, plus the kernel, the initrd and a tar
#                           of the root file system (the repository's dependencies are computed
#                           against it). Skipped when the cache holds the same recipe.
#   lab/vm/image.sh dir     the cache directory of the current recipe's image
#
# Cache: /root/.cache/ha-mysql-iac/vm/image-<hash>/ {base.qcow2, vmlinuz, initrd.img, rootfs.tar}.
# The hash covers this script, lab/vm/guest/*, the repository URL, the registry address and the
# lab CA (lib: common.sh image_hash). vms.sh build runs this under its lock.
# Not in the image, on purpose: docker, keepalived, ipvsadm, firewalld, iptables-persistent (the
# stack installs them from the lab's repository).
# Environment: HA_VM_DEBIAN_MIRROR overrides the mirror read from apt's configuration.
set -euo pipefail
LOG_TAG=vm-image
# shellcheck source=lab/vm/common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

# What a fresh cloud VM has, besides minbase. python3: the stack's remote scripts and Ansible-like
# tooling expect it; e2fsprogs: systemd-growfs and resize2fs for the larger overlay disk.
IMAGE_PACKAGES=(
	linux-image-cloud-amd64 initramfs-tools systemd-sysv udev dbus libpam-systemd
	openssh-server openssh-client python3 iproute2 kmod ca-certificates apt e2fsprogs
	sudo curl wget gnupg procps psmisc lsof iputils-ping netcat-openbsd netbase less vim-tiny
	xz-utils zstd tzdata cron logrotate rsync bash-completion
)
# Size of the base file system; each VM's overlay is VM_DISK_GB and the guest grows the file
# system to it on boot (x-systemd.growfs).
BASE_FS_MB=2048
# Units that cost boot time or do work nobody wants in a lab VM: e2scrub_reap takes ~25 s under
# emulation; the apt timers would run apt against the lab repository at random times.
MASKED_UNITS=(e2scrub_reap.service e2scrub_all.timer apt-daily.timer apt-daily-upgrade.timer)

ROOTFS=
cleanup() {
	local rc=$?
	if [[ -n $ROOTFS && -d $ROOTFS ]]; then rm -rf "$ROOTFS"; fi
	exit "$rc"
}

# Runs in the chroot (with network): the packages, on top of the latest point release.
chroot_install() {
	in_chroot "$ROOTFS" --net sh -c 'apt-get -q update &&
		apt-get -y -q -o Dpkg::Options::=--force-confold dist-upgrade &&
		apt-get -y -q -o Dpkg::Options::=--force-confold install --no-install-recommends "$@"' \
		sh "${IMAGE_PACKAGES[@]}"
}

configure_rootfs() {
	local r=$ROOTFS
	# Root is the whole virtio disk (no partition table), grown to the overlay's size on boot.
	printf '/dev/vda\t/\text4\trw,errors=remount-ro,x-systemd.growfs\t0\t1\n' >"$r/etc/fstab"
	# Empty: systemd makes a distinct machine ID on each VM's first boot.
	: >"$r/etc/machine-id"
	rm -f "$r/var/lib/dbus/machine-id"
	printf 'localhost\n' >"$r/etc/hostname"
	printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\nff02::1\t\tip6-allnodes\nff02::2\t\tip6-allrouters\n' >"$r/etc/hosts"
	# No DNS on the lab network: every address the stack uses is an IP address.
	rm -f "$r/etc/resolv.conf"
	printf '# The VM lab has no DNS server.\n' >"$r/etc/resolv.conf"

	install -m 0755 "$VM_SCRIPT_DIR/guest/ha-vmlab-seed" "$r/usr/local/sbin/ha-vmlab-seed"
	install -m 0644 "$VM_SCRIPT_DIR/guest/ha-vmlab-seed.service" "$r/etc/systemd/system/ha-vmlab-seed.service"
	install -m 0644 "$VM_SCRIPT_DIR/guest/sshd-ha-vmlab.conf" "$r/etc/ssh/sshd_config.d/ha-vmlab.conf"
	# The seed disk gives each VM its own host key.
	rm -f "$r"/etc/ssh/ssh_host_*

	# The lab's repository is the only apt source. trusted=yes: the repository is unsigned;
	# it is built on this machine from Debian's signed archive and served only on the lab bridge.
	rm -f "$r/etc/apt/sources.list" "$r"/etc/apt/sources.list.d/*
	printf '# The VM lab repository (unsigned, built from Debian on the lab machine): trusted=yes.\ndeb [trusted=yes] %s ./\n' \
		"$VM_REPO_URL" >"$r/etc/apt/sources.list.d/ha-vmlab.list"
	printf 'Acquire::Languages "none";\n' >"$r/etc/apt/apt.conf.d/90ha-vmlab"

	# The lab CA: for dockerd (certs.d, read once Docker is installed) and the system store.
	install -D -m 0644 "$VM_CA_DIR/ca.crt" "$r/etc/docker/certs.d/$VM_REGISTRY/ca.crt"
	install -D -m 0644 "$VM_CA_DIR/ca.crt" "$r/usr/local/share/ca-certificates/ha-vmlab-ca.crt"

	in_chroot "$r" sh -c 'update-ca-certificates >/dev/null &&
		systemctl enable ha-vmlab-seed.service systemd-networkd.service 2>&1 &&
		systemctl mask "$@" 2>&1 &&
		if [ -e /lib/systemd/system/systemd-firstboot.service ]; then systemctl mask systemd-firstboot.service 2>&1; fi' \
		sh "${MASKED_UNITS[@]}"

	rm -f "$r/usr/sbin/policy-rc.d"
	rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin "$r"/var/cache/apt/archives/*.deb \
		"$r"/var/log/*.log "$r"/var/log/apt/* "$r"/tmp/* "$r"/root/.bash_history
}

cmd_build() {
	need_root
	local dir t
	dir=$(image_dir)
	if [[ -f $dir/.complete ]]; then
		log "reusing $dir (base.qcow2 $(du -m "$dir/base.qcow2" | cut -f1) MiB)"
		return 0
	fi
	command -v debootstrap >/dev/null || die "debootstrap is missing: bash tools/setup.sh"
	local mirror
	mirror=$(debian_mirror)
	mkdir -p "$VM_CACHE_DIR"
	trap cleanup EXIT
	ROOTFS=$(mktemp -d /var/tmp/ha-vmlab-rootfs.XXXXXX)
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	local blog=$dir.tmp/build.log

	t=${EPOCHREALTIME/./}
	log "debootstrap --foreign --variant=minbase bookworm from $mirror (log: $blog)"
	if ! debootstrap --foreign --variant=minbase --arch=amd64 bookworm "$ROOTFS" "$mirror" >>"$blog" 2>&1; then
		tail -n 20 "$blog" >&2
		die "debootstrap (first stage) failed"
	fi
	# No package script may start a daemon on this machine.
	printf '#!/bin/sh\nexit 101\n' >"$ROOTFS/usr/sbin/policy-rc.d"
	chmod 0755 "$ROOTFS/usr/sbin/policy-rc.d"
	if ! unshare --net --pid --mount --fork --propagation private -- \
		chroot "$ROOTFS" /debootstrap/debootstrap --second-stage >>"$blog" 2>&1; then
		tail -n 20 "$blog" >&2
		die "debootstrap (second stage) failed"
	fi
	log "debootstrap: $(since "$t") s"

	# A small initrd with only the drivers for the root disk (ext4 is built into the kernel):
	# under emulation every MiB of initrd and every module costs boot time. zstd (installed
	# below) compresses it.
	mkdir -p "$ROOTFS/etc/initramfs-tools/conf.d" "$ROOTFS/usr/share/initramfs-tools/modules.d"
	printf 'MODULES=list\n' >"$ROOTFS/etc/initramfs-tools/conf.d/ha-vmlab.conf"
	printf 'virtio_pci\nvirtio_blk\n' >"$ROOTFS/usr/share/initramfs-tools/modules.d/ha-vmlab.conf"

	t=${EPOCHREALTIME/./}
	rm -f "$ROOTFS/etc/apt/sources.list"
	mirror_sources >"$ROOTFS/etc/apt/sources.list.d/debian.sources"
	cp -L /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
	if ! chroot_install >>"$blog" 2>&1; then
		tail -n 30 "$blog" >&2
		die "apt-get install in the image failed"
	fi
	log "packages: $(since "$t") s ($(in_chroot "$ROOTFS" dpkg-query -W -f='.' | wc -c) installed)"

	configure_rootfs >>"$blog" 2>&1
	local kver
	kver=$(find "$ROOTFS/boot" -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' | sed 's/^vmlinuz-//' | sort -V | tail -n 1)
	[[ -n $kver && -s $ROOTFS/boot/initrd.img-$kver ]] || die "no kernel/initrd under $ROOTFS/boot"
	cp "$ROOTFS/boot/vmlinuz-$kver" "$dir.tmp/vmlinuz"
	cp "$ROOTFS/boot/initrd.img-$kver" "$dir.tmp/initrd.img"
	printf '%s\n' "$kver" >"$dir.tmp/kernel-version"

	t=${EPOCHREALTIME/./}
	local used
	used=$(du -sm "$ROOTFS" | cut -f1)
	((used * 10 < BASE_FS_MB * 7)) || die "the root file system ($used MiB) does not fit a ${BASE_FS_MB} MiB image"
	tar --numeric-owner --xattrs --acls -C "$ROOTFS" -cf "$dir.tmp/rootfs.tar" .
	truncate -s "${BASE_FS_MB}M" "$dir.tmp/base.raw"
	mkfs.ext4 -q -F -L havm-root -d "$ROOTFS" "$dir.tmp/base.raw" >>"$blog" 2>&1 || die "mkfs.ext4 -d failed"
	qemu-img convert -f raw -O qcow2 "$dir.tmp/base.raw" "$dir.tmp/base.qcow2"
	rm -f "$dir.tmp/base.raw"
	chmod 0444 "$dir.tmp/base.qcow2"
	log "file system: $used MiB used of $BASE_FS_MB MiB, base.qcow2 $(du -m "$dir.tmp/base.qcow2" | cut -f1) MiB, in $(since "$t") s"

	date -u +%FT%TZ >"$dir.tmp/.complete"
	mv "$dir.tmp" "$dir"
	prune "$dir"
	log "image ready: $dir (kernel $kver)"
}

# Older images go, unless an overlay of the running lab still has one as its backing file.
prune() {
	local keep=$1 old used
	for old in "$VM_CACHE_DIR"/image-*; do
		[[ -d $old && $old != "$keep" ]] || continue
		used=$(cat "$VM_LAB_DIR"/vm*/image 2>/dev/null | grep -cxF "$old" || true)
		if [[ $used -gt 0 ]]; then
			log "keeping $old: a lab VM's overlay uses it (lab/vm/vms.sh down frees it)"
		else
			rm -rf "$old"
		fi
	done
}

case "${1:-}" in
build) cmd_build ;;
dir) image_dir ;;
-h | --help | help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0" ;;
*) die "usage: image.sh build|dir" ;;
esac
