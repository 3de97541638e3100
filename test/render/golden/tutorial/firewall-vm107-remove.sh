#!/bin/sh
# Removes the firewalld rules firewall-apply.sh added, permanent and running. Rendered by ha-mysql; safe to run again.
set -eu

zone=$(cat /var/lib/ha-mysql/firewalld-zone 2>/dev/null) || zone=
[ -n "$zone" ] || zone=$(firewall-cmd --get-zone-of-interface=enp0s8 2>/dev/null) || zone=$(firewall-cmd --get-default-zone)
del() {
    if [ "$1" = rich ]; then
        if firewall-cmd --permanent --zone="$zone" --query-rich-rule="$2" >/dev/null 2>&1; then
            firewall-cmd --permanent --zone="$zone" --remove-rich-rule="$2" >/dev/null
            echo "removed permanent from zone $zone: $2"
        fi
        if firewall-cmd --zone="$zone" --query-rich-rule="$2" >/dev/null 2>&1; then
            firewall-cmd --zone="$zone" --remove-rich-rule="$2" >/dev/null
            echo "removed from zone $zone: $2"
        fi
        return 0
    fi
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
del INPUT -i enp0s8 -p vrrp -s 192.168.56.105 -m comment --comment ha-mysql -j ACCEPT
del OUTPUT -o enp0s8 -p vrrp -d 192.168.56.105 -m comment --comment ha-mysql -j ACCEPT
del rich 'rule family="ipv4" destination address="224.0.0.18" protocol value="vrrp" accept'
del rich 'rule family="ipv4" source address="192.168.56.105" protocol value="vrrp" accept'
del rich 'rule family="ipv4" port port="3306" protocol="tcp" accept'
del rich 'rule family="ipv4" port port="8066" protocol="tcp" accept'
del rich 'rule family="ipv4" port port="8888" protocol="tcp" accept'
del rich 'rule family="ipv4" source address="192.168.56.105" port port="7946" protocol="tcp" accept'
del rich 'rule family="ipv4" source address="192.168.56.105" port port="7946" protocol="udp" accept'
del rich 'rule family="ipv4" source address="192.168.56.105" port port="4789" protocol="udp" accept'
