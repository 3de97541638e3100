#!/bin/sh
# Admits VRRP and this host's ports as firewalld direct rules. Rendered by ha-mysql; safe to run again.
set -eu

changed=0
add() {
    chain=$1
    shift
    if firewall-cmd --permanent --direct --query-rule ipv4 filter "$chain" 0 "$@" >/dev/null 2>&1; then
        if ! firewall-cmd --direct --query-rule ipv4 filter "$chain" 0 "$@" >/dev/null 2>&1; then
            firewall-cmd --direct --add-rule ipv4 filter "$chain" 0 "$@" >/dev/null
            echo "added at run time: $chain $*"
        else
            echo "present: $chain $*"
        fi
    else
        firewall-cmd --permanent --direct --add-rule ipv4 filter "$chain" 0 "$@" >/dev/null
        changed=1
        echo "added: $chain $*"
    fi
}
add INPUT -i enp0s8 -p vrrp -d 224.0.0.18 -m comment --comment ha-mysql -j ACCEPT
add OUTPUT -o enp0s8 -p vrrp -d 224.0.0.18 -m comment --comment ha-mysql -j ACCEPT
add INPUT -i enp0s8 -p vrrp -s 192.168.56.107 -m comment --comment ha-mysql -j ACCEPT
add OUTPUT -o enp0s8 -p vrrp -d 192.168.56.107 -m comment --comment ha-mysql -j ACCEPT
if [ "$changed" = 1 ]; then
    firewall-cmd --reload >/dev/null
    echo "firewalld reloaded"
fi
