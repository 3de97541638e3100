#!/usr/bin/env bash
# npm run lab:up: the whole lab on this machine, then the dev stack on it, then proof.
#   1. the offline Pulumi engine (built once, then reused)
#   2. the lab images (debootstrap base + Dockerfiles, cached as tars outside the repo)
#   3. the simulated hosts (namespaces with sshd and dockerd on the bridge halab0), images loaded
#   4. the stack's config copy with generated secrets
#   5. pulumi up --stack dev --yes (HA_LAB_PREVIEW=1: pulumi preview first)
#   6. verification (lab/verify.ts)
# Every step is idempotent: a re-run reuses what exists. Timings: $LAB_DIR/timings/lab-up.json.
# shellcheck disable=SC2317 # (functions below run through step, which shellcheck cannot see)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
# shellcheck source=lab/lab.env
. "$here/lab.env"
lab_dir=$LAB_DIR
# shellcheck source=lab/lib/steps.sh
. "$here/lib/steps.sh"
export STEPS_JSON=${STEPS_JSON:-$lab_dir/timings/lab-up.json}

[[ $(id -u) -eq 0 ]] || {
	echo "lab:up needs root (network namespaces, mounts, dockerd)" >&2
	exit 1
}

# Every command ends the step on failure by itself: step runs this function behind `||`, where
# bash ignores `set -e`.
hosts() {
	local list debs
	list=$(bash "$here/images.sh" list | tr '\n' ' ') || return 1
	bash "$here/hosts.sh" up --images "$list" || return 1
	# The dev stack's keepalived.packagesDir: the lab's containers cannot reach a mirror.
	debs=$(bash "$here/images.sh" debs) || return 1
	rm -rf "$lab_dir/debs/keepalived" &&
		mkdir -p "$lab_dir/debs/keepalived" &&
		cp "$debs"/*.deb "$lab_dir/debs/keepalived/" || return 1
	echo "keepalived packages: $(find "$lab_dir/debs/keepalived" -name '*.deb' | wc -l) .deb files in $lab_dir/debs/keepalived"
}

# HA_LAB_PREVIEW=1 (CI): a full `pulumi preview` first, the plan a user reviews before `up`.
preview() {
	[[ ${HA_LAB_PREVIEW:-0} == 1 ]] || return 0
	step "pulumi preview" bash "$here/stack.sh" pulumi preview
}

rc=0
{
	step "engine" bash "$repo/tools/install-pulumi.sh" >/dev/null &&
		step "images" bash "$here/images.sh" build &&
		step "hosts" hosts &&
		step "stack config" bash "$here/stack.sh" prepare &&
		preview &&
		step "pulumi up" bash "$here/stack.sh" pulumi up --yes &&
		step "verify" npx --no-install ts-node "$here/verify.ts"
} || rc=$?
steps_summary
if [[ $rc -ne 0 ]]; then
	echo "lab:up failed (rc $rc). Fix and re-run (steps are idempotent), or tear down with: npm run lab:down" >&2
fi
exit "$rc"
