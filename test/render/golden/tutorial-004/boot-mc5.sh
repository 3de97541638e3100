#!/bin/sh
# Restores the firewall rules and LVS-DR VIPs on lo of mc5 after a reboot: each script its step keeps here.
# Run by ha-mysql-host.service; rendered by ha-mysql.
status=0
run() {
    [ -f "$1" ] || return 0
    echo "running $1"
    sh "$1" || { echo "$1 failed" >&2; status=1; }
}
run /var/lib/ha-mysql/firewall-apply.sh
run /var/lib/ha-mysql/lo-vip-apply.sh
exit "$status"
