#!/bin/sh
# Removes the rules firewall-apply.sh added. Rendered by ha-mysql; safe to run again.
set -eu

del() {
    while iptables -C "$@" 2>/dev/null; do
        iptables -D "$@"
        echo "removed: $*"
    done
}
del INPUT -i eth0 -p tcp -m tcp --dport 8066 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i eth0 -p tcp -m tcp --dport 9066 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i eth0 -s 192.168.100.1 -p tcp -m tcp --dport 7946 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i eth0 -s 192.168.100.1 -p udp -m udp --dport 7946 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i eth0 -s 192.168.100.1 -p udp -m udp --dport 4789 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i eth0 -s 192.168.100.4 -p tcp -m tcp --dport 7946 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i eth0 -s 192.168.100.4 -p udp -m udp --dport 7946 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i eth0 -s 192.168.100.4 -p udp -m udp --dport 4789 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i eth0 -s 192.168.100.5 -p tcp -m tcp --dport 7946 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i eth0 -s 192.168.100.5 -p udp -m udp --dport 7946 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i eth0 -s 192.168.100.5 -p udp -m udp --dport 4789 -m comment --comment ha-mysql -j ACCEPT
