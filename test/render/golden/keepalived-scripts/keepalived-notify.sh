#!/bin/sh
# keepalived notify hook: log every transition; off MASTER, drop the VIP if still present.
# Usage: notify.sh VIP/PREFIX DEV (keepalived appends TYPE NAME STATE PRIORITY)
set -u
vip=${1:?usage: notify.sh VIP/PREFIX DEV TYPE NAME STATE PRIORITY}
dev=${2:?usage: notify.sh VIP/PREFIX DEV TYPE NAME STATE PRIORITY}
kind=${3:-INSTANCE}
name=${4:-?}
state=${5:-?}
priority=${6:-?}

say() {
    echo "$1"
    logger -t keepalived-notify -p daemon.notice -- "$1" 2>/dev/null || true
}

say "$kind $name -> $state (priority $priority, VIP $vip on $dev)"
case $state in
    BACKUP | FAULT | STOP | DELETED)
        if [ -n "$(ip -4 -o addr show dev "$dev" to "${vip%/*}/32" 2>/dev/null)" ]; then
            if ip addr del "$vip" dev "$dev"; then
                say "$name: removed stale VIP $vip from $dev"
            else
                say "$name: could not remove stale VIP $vip from $dev"
            fi
        fi
        ;;
esac
exit 0
