#!/usr/bin/env bash
# npm run vmlab:down: pulumi destroy on the VMs (proving it cleans them), then the VMs, their
# network namespace and the lab's servers. The VM image, mirror and registry caches stay.
# Works after a failed or partial vmlab:up: each part is skipped when absent.
# shellcheck disable=SC2317 # (functions below run through step, which shellcheck cannot see)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=lab/vm/vm.env
. "$here/vm.env"
# shellcheck source=lab/lib/steps.sh
. "$repo/lab/lib/steps.sh"
export HA_LAB_DIR=$VM_LAB_DIR HA_LAB_STACK=vmlab HA_LAB_SSH_KEY=$VM_LAB_DIR/ssh/vm_key
export STEPS_JSON=${STEPS_JSON:-}

destroy() {
	if [[ ! -s $VM_LAB_DIR/pulumi/Pulumi.vmlab.yaml ]]; then
		echo "no vmlab stack config: nothing to destroy"
		return 0
	fi
	if ! bash "$here/vms.sh" status >/dev/null 2>&1; then
		echo "the VMs are not running: nothing to destroy on them"
		return 0
	fi
	if ! timeout 1500 bash "$here/in-lab.sh" bash "$repo/lab/stack.sh" pulumi destroy --yes; then
		echo "pulumi destroy failed; the VMs are removed next anyway, so nothing stays behind" >&2
	fi
}

rc=0
step "pulumi destroy" destroy || rc=$?
step "stack state" bash "$repo/lab/stack.sh" remove || rc=$?
step "vms" bash "$here/vms.sh" down || rc=$?
steps_summary
exit "$rc"
