#!/bin/sh
# Removes the rules firewall-apply.sh added. Rendered by ha-mysql; safe to run again.
set -eu

del() {
    while iptables -C "$@" 2>/dev/null; do
        iptables -D "$@"
        echo "removed: $*"
    done
}
del INPUT -i ens34 -p vrrp -d 224.0.0.18 -m comment --comment ha-mysql -j ACCEPT
del OUTPUT -o ens34 -p vrrp -d 224.0.0.18 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i ens34 -p vrrp -s 192.168.10.11 -m comment --comment ha-mysql -j ACCEPT
del OUTPUT -o ens34 -p vrrp -d 192.168.10.11 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i ens34 -p tcp -m tcp --dport 3306 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i ens34 -s 192.168.10.11 -p tcp -m tcp --dport 7946 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i ens34 -s 192.168.10.11 -p udp -m udp --dport 7946 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i ens34 -s 192.168.10.11 -p udp -m udp --dport 4789 -m comment --comment ha-mysql -j ACCEPT
