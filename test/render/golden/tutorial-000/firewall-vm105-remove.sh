#!/bin/sh
# Removes the firewalld direct rules firewall-apply.sh added, permanent and running. Rendered by ha-mysql; safe to run again.
set -eu

del() {
    chain=$1
    shift
    if firewall-cmd --permanent --direct --query-rule ipv4 filter "$chain" 0 "$@" >/dev/null 2>&1; then
        firewall-cmd --permanent --direct --remove-rule ipv4 filter "$chain" 0 "$@" >/dev/null
        echo "removed permanent: $chain $*"
    fi
    if firewall-cmd --direct --query-rule ipv4 filter "$chain" 0 "$@" >/dev/null 2>&1; then
        firewall-cmd --direct --remove-rule ipv4 filter "$chain" 0 "$@" >/dev/null
        echo "removed: $chain $*"
    fi
}
del INPUT -i enp0s8 -p vrrp -d 224.0.0.18 -m comment --comment ha-mysql -j ACCEPT
del OUTPUT -o enp0s8 -p vrrp -d 224.0.0.18 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i enp0s8 -p vrrp -s 192.168.56.107 -m comment --comment ha-mysql -j ACCEPT
del OUTPUT -o enp0s8 -p vrrp -d 192.168.56.107 -m comment --comment ha-mysql -j ACCEPT
