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
add INPUT -i eth0 -p tcp -m tcp --dport 8066 -m comment --comment ha-mysql -j ACCEPT
add INPUT -i eth0 -p tcp -m tcp --dport 9066 -m comment --comment ha-mysql -j ACCEPT
add INPUT -i eth0 -s 192.168.100.1 -p tcp -m tcp --dport 7946 -m comment --comment ha-mysql -j ACCEPT
add INPUT -i eth0 -s 192.168.100.1 -p udp -m udp --dport 7946 -m comment --comment ha-mysql -j ACCEPT
add INPUT -i eth0 -s 192.168.100.1 -p udp -m udp --dport 4789 -m comment --comment ha-mysql -j ACCEPT
add INPUT -i eth0 -s 192.168.100.3 -p tcp -m tcp --dport 7946 -m comment --comment ha-mysql -j ACCEPT
add INPUT -i eth0 -s 192.168.100.3 -p udp -m udp --dport 7946 -m comment --comment ha-mysql -j ACCEPT
add INPUT -i eth0 -s 192.168.100.3 -p udp -m udp --dport 4789 -m comment --comment ha-mysql -j ACCEPT
add INPUT -i eth0 -s 192.168.100.5 -p tcp -m tcp --dport 7946 -m comment --comment ha-mysql -j ACCEPT
add INPUT -i eth0 -s 192.168.100.5 -p udp -m udp --dport 7946 -m comment --comment ha-mysql -j ACCEPT
add INPUT -i eth0 -s 192.168.100.5 -p udp -m udp --dport 4789 -m comment --comment ha-mysql -j ACCEPT
