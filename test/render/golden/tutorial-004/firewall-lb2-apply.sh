#!/bin/sh
# Admits VRRP and what this host serves on the LAN with iptables (check with -C before inserting). Rendered by ha-mysql; safe to run again.
set -eu

add() {
    if iptables -C "$@" 2>/dev/null; then
        echo "present: $*"
    else
        iptables -I "$@"
        echo "added: $*"
    fi
}
add INPUT -i eth0 -p vrrp -d 224.0.0.18 -m comment --comment ha-mysql -j ACCEPT
add OUTPUT -o eth0 -p vrrp -d 224.0.0.18 -m comment --comment ha-mysql -j ACCEPT
add INPUT -i eth0 -p vrrp -s 192.168.100.1 -m comment --comment ha-mysql -j ACCEPT
add OUTPUT -o eth0 -p vrrp -d 192.168.100.1 -m comment --comment ha-mysql -j ACCEPT
add INPUT -i eth0 -p tcp -m tcp --dport 8066 -m comment --comment ha-mysql -j ACCEPT
