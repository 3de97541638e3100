#!/bin/sh
# Admits VRRP as firewalld direct and rich rules and this host's ports as rich rules. Rendered by ha-mysql; safe to run again.
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
zone=$(firewall-cmd --get-zone-of-interface=enp0s8 2>/dev/null) || zone=$(firewall-cmd --get-default-zone)
printf '%s\n' "$zone" >/var/lib/ha-mysql/firewalld-zone
admit() {
    if ! firewall-cmd --permanent --zone="$zone" --query-rich-rule="$1" >/dev/null 2>&1; then
        firewall-cmd --permanent --zone="$zone" --add-rich-rule="$1" >/dev/null
        echo "added permanent in zone $zone: $1"
    fi
    if firewall-cmd --zone="$zone" --query-rich-rule="$1" >/dev/null 2>&1; then
        echo "present in zone $zone: $1"
    else
        firewall-cmd --zone="$zone" --add-rich-rule="$1" >/dev/null
        echo "added in zone $zone: $1"
    fi
}
add INPUT -i enp0s8 -p vrrp -d 224.0.0.18 -m comment --comment ha-mysql -j ACCEPT
add OUTPUT -o enp0s8 -p vrrp -d 224.0.0.18 -m comment --comment ha-mysql -j ACCEPT
add INPUT -i enp0s8 -p vrrp -s 192.168.56.105 -m comment --comment ha-mysql -j ACCEPT
add OUTPUT -o enp0s8 -p vrrp -d 192.168.56.105 -m comment --comment ha-mysql -j ACCEPT
admit 'rule family="ipv4" destination address="224.0.0.18" protocol value="vrrp" accept'
admit 'rule family="ipv4" source address="192.168.56.105" protocol value="vrrp" accept'
admit 'rule family="ipv4" port port="8066" protocol="tcp" accept'
admit 'rule family="ipv4" port port="9066" protocol="tcp" accept'
admit 'rule family="ipv4" source address="192.168.56.105" port port="7946" protocol="tcp" accept'
admit 'rule family="ipv4" source address="192.168.56.105" port port="7946" protocol="udp" accept'
admit 'rule family="ipv4" source address="192.168.56.105" port port="4789" protocol="udp" accept'
if [ "$changed" = 1 ]; then
    firewall-cmd --reload >/dev/null
    echo "firewalld reloaded"
fi
