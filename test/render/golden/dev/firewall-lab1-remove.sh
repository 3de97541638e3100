#!/bin/sh
# Removes the rules firewall-apply.sh added. Rendered by ha-mysql; safe to run again.
set -eu

del() {
    while iptables -C "$@" 2>/dev/null; do
        iptables -D "$@"
        echo "removed: $*"
    done
}
del INPUT -i eth0 -p vrrp -d 224.0.0.18 -m comment --comment ha-mysql -j ACCEPT
del OUTPUT -o eth0 -p vrrp -d 224.0.0.18 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i eth0 -p vrrp -s 10.77.0.12 -m comment --comment ha-mysql -j ACCEPT
del OUTPUT -o eth0 -p vrrp -d 10.77.0.12 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i eth0 -p tcp -m tcp --dport 3306 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i eth0 -p tcp -m tcp --dport 3308 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i eth0 -p tcp -m tcp --dport 3307 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i eth0 -p tcp -m tcp --dport 8888 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i eth0 -s 10.77.0.12 -p tcp -m tcp --dport 2377 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i eth0 -s 10.77.0.12 -p tcp -m tcp --dport 7946 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i eth0 -s 10.77.0.12 -p udp -m udp --dport 7946 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i eth0 -s 10.77.0.12 -p udp -m udp --dport 4789 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i eth0 -s 10.77.0.13 -p tcp -m tcp --dport 2377 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i eth0 -s 10.77.0.13 -p tcp -m tcp --dport 7946 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i eth0 -s 10.77.0.13 -p udp -m udp --dport 7946 -m comment --comment ha-mysql -j ACCEPT
del INPUT -i eth0 -s 10.77.0.13 -p udp -m udp --dport 4789 -m comment --comment ha-mysql -j ACCEPT
