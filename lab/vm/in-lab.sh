#!/usr/bin/env bash
# Runs a command as part of the VM lab: inside the VMs' network namespace (the only place their
# addresses and VIPs are reachable from), with the lab's stack selected for lab/stack.sh and the
# TypeScript lab library (HA_LAB_DIR, HA_LAB_STACK, HA_LAB_SSH_KEY).
#   lab/vm/in-lab.sh <command> [args...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab/vm/vm.env
. "$here/vm.env"
[[ $# -gt 0 ]] || {
	echo "usage: lab/vm/in-lab.sh <command> [args...]" >&2
	exit 2
}
export HA_LAB_DIR=$VM_LAB_DIR HA_LAB_STACK=vmlab HA_LAB_SSH_KEY=$VM_LAB_DIR/ssh/vm_key
exec bash "$here/vms.sh" ns "$@"
