#!/usr/bin/env bash
# The VM lab's warm disks: fresh VMs on which each host's install step has run exactly as the
# stack runs it, and the images the stack runs there are pulled (lab/vm/warm.ts), then powered
# off with the lab key removed. Later VMs boot from copy-on-write overlays over these disks
# (HA_VM_WARM_DIR for vms.sh up), so a `pulumi up` on them finds its packages and images present,
# as on a host it provisioned before: under software emulation the install alone costs 10-14
# minutes a VM and the first pulls several more. Cached under the VM cache, keyed on the base
# image, the apt repository, the registry's image digests and what each host installs and pulls.
#   warm.sh build    the warm disks for the current key, unless they exist (needs the lab down)
#   warm.sh dir      the directory of the current key's warm disks (may not exist yet)
set -euo pipefail
LOG_TAG=warm
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lab/vm/common.sh
. "$HERE/common.sh"
# shellcheck source=lab/lib/steps.sh
. "$HERE/../lib/steps.sh"
export HA_LAB_DIR=$VM_LAB_DIR HA_LAB_STACK=vmlab HA_LAB_SSH_KEY=$VM_LAB_DIR/ssh/vm_key

vm_count() { grep -c '^      - name: vm[0-9]' "$VM_REPO_ROOT/Pulumi.vmlab.yaml"; }

warm_dir() {
	local plan digests
	plan=$(cd "$VM_REPO_ROOT" && npx --no-install ts-node "$HERE/warm.ts" plan)
	digests=$(find "$VM_REGISTRY_DIR" -path '*_manifests/tags/*/current/link' 2>/dev/null | sort | xargs -r cat)
	printf '%s/warm-%s' "$VM_CACHE_DIR" "$(recipe_hash "$(bash "$HERE/image.sh" dir)" "$(bash "$HERE/repo.sh" dir)" "$digests" "$plan")"
}

power_off() {
	local vm=$1 pid
	pid=$(read_pid "$VM_LAB_DIR/$vm/qemu.pid")
	# The lab key goes: every lab has its own, and the seed disk adds it again at boot.
	bash "$HERE/vms.sh" exec "$vm" 'rm -f /root/.ssh/authorized_keys; apt-get clean; sync; systemctl --no-block poweroff' || true
	if [[ -z $pid ]] || ! wait_gone "$pid" 120; then die "$vm: still running 120 s after poweroff"; fi
	log "$vm: powered off"
}

cmd_build() {
	need_root
	bash "$HERE/vms.sh" build >&2
	local dir n i
	dir=$(warm_dir)
	if [[ -f $dir/.complete ]]; then
		log "warm disks: $dir (current)"
		return 0
	fi
	if compgen -G "$VM_LAB_DIR/vm*/overlay.qcow2" >/dev/null; then die "a VM lab is up ($VM_LAB_DIR): warm disks come from fresh VMs. Fix: npm run vmlab:down, then again"; fi
	n=$(vm_count)
	trap 'bash "$HERE/vms.sh" down >&2 || true' EXIT
	STEPS_JSON=$VM_CACHE_DIR/warm-build.json
	step "bare VMs" env -u HA_VM_WARM_DIR bash "$HERE/vms.sh" up --vms "$n"
	step "install step and image pulls" bash "$HERE/in-lab.sh" npx --no-install ts-node "$HERE/warm.ts" run
	for ((i = 1; i <= n; i++)); do power_off "vm$i"; done
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	for ((i = 1; i <= n; i++)); do mv "$VM_LAB_DIR/vm$i/overlay.qcow2" "$dir.tmp/vm$i.qcow2"; done
	cp "$STEPS_JSON" "$dir.tmp/timings.json" 2>/dev/null || true
	touch "$dir.tmp/.complete"
	mv "$dir.tmp" "$dir"
	# Older keys' disks are of no further use.
	find "$VM_CACHE_DIR" -maxdepth 1 -name 'warm-*' -type d ! -path "$dir" -exec rm -rf {} +
	steps_summary
	log "warm disks: $dir ($(du -sh "$dir" | cut -f1))"
}

case ${1:-build} in
build) cmd_build ;;
dir) warm_dir ;;
*) die "usage: warm.sh build | dir" ;;
esac
