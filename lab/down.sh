#!/usr/bin/env bash
# npm run lab:down: pulumi destroy, then the lab hosts, leaving the machine as it was
# (the image and engine caches under /root/.cache/ha-mysql-iac stay for the next lab:up).
# Works after a failed or partial lab:up: each part is skipped when absent.
# shellcheck disable=SC2317 # (functions below run through step, which shellcheck cannot see)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab/lab.env
. "$here/lab.env"
lab_dir=$LAB_DIR
# shellcheck source=lab/lib/steps.sh
. "$here/lib/steps.sh"
export STEPS_JSON=${STEPS_JSON:-}

destroy() {
	if [[ ! -s $lab_dir/pulumi/Pulumi.${HA_LAB_STACK:-dev}.yaml ]]; then
		echo "no lab stack config: nothing to destroy"
		return 0
	fi
	if ! timeout 1200 bash "$here/stack.sh" pulumi destroy --yes; then
		echo "pulumi destroy failed; the hosts are removed next anyway, so nothing stays behind on them" >&2
	fi
}

rc=0
step "pulumi destroy" destroy || rc=$?
step "stack state" bash "$here/stack.sh" remove || rc=$?
step "hosts" bash "$here/hosts.sh" down || rc=$?
rmdir "$lab_dir/timings" "$lab_dir" 2>/dev/null || true
steps_summary
exit "$rc"
