#!/usr/bin/env bash
# npm run vmlab:up: fresh Debian VMs on this machine, then the vmlab stack on them, then proof.
#   1. the offline Pulumi engine and the lab's container images (both cached)
#   2. the VMs (lab/vm/vms.sh build + up: image, Debian mirror, registry, VMs booted to sshd);
#      bare by default, over the warm disks of lab/vm/warm.sh with HA_VMLAB_WARM=1
#   3. the stack's config copy: the VMs' generated host keys pinned, secrets generated
#   4. pulumi up --stack vmlab, run inside the VMs' network namespace (HA_LAB_PREVIEW=1: preview first)
#   5. verification (lab/vm/verify.ts), from a client in that namespace
# Every step is idempotent: a re-run reuses what exists. Timings: <vm lab dir>/timings/vmlab-up.json.
# shellcheck disable=SC2317 # (functions below run through step, which shellcheck cannot see)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=lab/vm/vm.env
. "$here/vm.env"
# shellcheck source=lab/lib/steps.sh
. "$repo/lab/lib/steps.sh"
export HA_LAB_DIR=$VM_LAB_DIR HA_LAB_STACK=vmlab HA_LAB_SSH_KEY=$VM_LAB_DIR/ssh/vm_key
export STEPS_JSON=${STEPS_JSON:-$VM_LAB_DIR/timings/vmlab-up.json}

[[ $(id -u) -eq 0 ]] || {
	echo "vmlab:up needs root (network namespace, taps, qemu)" >&2
	exit 1
}

# As many VMs as the stack file names hosts.
vm_count() { grep -c '^      - name: vm[0-9]' "$repo/Pulumi.vmlab.yaml"; }

# HA_VMLAB_WARM=1: new VMs boot over the warm disks (lab/vm/warm.sh: the install step already run,
# the images pulled), built first when the current ones are missing. VMs that exist keep theirs.
warm() {
	[[ ${HA_VMLAB_WARM:-0} == 1 ]] || return 0
	if compgen -G "$VM_LAB_DIR/vm*/overlay.qcow2" >/dev/null; then
		echo "HA_VMLAB_WARM=1: the VMs exist already and keep their disks" >&2
		return 0
	fi
	step "warm disks" bash "$here/warm.sh" build || return 1
	HA_VM_WARM_DIR=$(bash "$here/warm.sh" dir) || return 1
	export HA_VM_WARM_DIR
}

# Under software emulation the first container a host attaches to the overlay network takes
# 19-27 s to set the network up there (its load-balancer namespace, firewalld's passthrough, a
# re-executed dockerd), against dockerd's fixed 20 s deadline: "attaching to network failed ...
# context deadline exceeded". Then, and only then, pulumi up runs again (it resumes where it
# stopped), up to UP_ATTEMPTS times; once a host holds a container on the network, the next
# attach there takes a few seconds.
UP_ATTEMPTS=4
pulumi_up() {
	local attempt log
	log=$(mktemp)
	for ((attempt = 1; attempt <= UP_ATTEMPTS; attempt++)); do
		if bash "$here/in-lab.sh" bash "$repo/lab/stack.sh" pulumi up --yes 2>&1 | tee "$log"; then
			rm -f "$log"
			return 0
		fi
		if ! grep -q 'attaching to network failed.*context deadline exceeded' "$log" || ((attempt == UP_ATTEMPTS)); then
			rm -f "$log"
			return 1
		fi
		echo "pulumi up: dockerd missed its 20 s deadline attaching a container to the overlay network (emulation): pulumi up again (attempt $((attempt + 1)) of $UP_ATTEMPTS)" >&2
	done
}

preview() {
	[[ ${HA_LAB_PREVIEW:-0} == 1 ]] || return 0
	step "pulumi preview" bash "$here/in-lab.sh" bash "$repo/lab/stack.sh" pulumi preview
}

rc=0
{
	step "engine" bash "$repo/tools/install-pulumi.sh" >/dev/null &&
		step "images" bash "$repo/lab/images.sh" build &&
		step "vm image" bash "$here/vms.sh" build &&
		warm &&
		step "vms" bash "$here/vms.sh" up --vms "$(vm_count)" &&
		step "stack config" bash "$repo/lab/stack.sh" prepare &&
		preview &&
		step "pulumi up" pulumi_up &&
		step "verify" bash "$here/in-lab.sh" npx --no-install ts-node "$here/verify.ts"
} || rc=$?
steps_summary
if [[ $rc -ne 0 ]]; then
	echo "vmlab:up failed (rc $rc). Fix and re-run (steps are idempotent), or tear down with: npm run vmlab:down" >&2
fi
exit "$rc"
