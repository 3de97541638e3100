#!/bin/sh
# Admits VRRP as firewalld direct and rich rules and this host's ports as rich rules. Rendered by ha-mysql; safe to run again.
set -eu

changed=0
touched=0
# Whether line $1 is one of the lines of $2.
listed() { printf '%s\n' "$2" | grep -qxF -- "$1"; }
zone=$(firewall-cmd --get-zone-of-interface=enp0s8 2>/dev/null) || zone=$(firewall-cmd --get-default-zone)
printf '%s\n' "$zone" >/var/lib/ha-mysql/firewalld-zone
rich_permanent=$(firewall-cmd --permanent --zone="$zone" --list-rich-rules)
rich_runtime=$(firewall-cmd --zone="$zone" --list-rich-rules)
rich() {
    set_=$1
    op=$2
    shift 2
    if [ "$set_" = permanent ]; then have=$rich_permanent; opt=--permanent; else have=$rich_runtime; opt=; fi
    for r do
        shift
        if listed "$r" "$have"; then
            if [ "$op" = add ]; then
                echo "present ($set_) in zone $zone: $r"
            else
                set -- "$@" "--remove-rich-rule=$r"
                echo "removed ($set_) from zone $zone: $r"
            fi
        elif [ "$op" = add ]; then
            set -- "$@" "--add-rich-rule=$r"
            echo "added ($set_) in zone $zone: $r"
        fi
    done
    # shellcheck disable=SC2086 # $opt is one word or none
    if [ "$#" -gt 0 ]; then firewall-cmd $opt --zone="$zone" "$@" >/dev/null; fi
}
for set_ in permanent runtime; do
    rich "$set_" add \
        'rule family="ipv4" destination address="224.0.0.18" protocol value="vrrp" accept' \
        'rule family="ipv4" source address="192.168.56.105" protocol value="vrrp" accept' \
        'rule family="ipv4" port port="3306" protocol="tcp" accept' \
        'rule family="ipv4" port port="8066" protocol="tcp" accept' \
        'rule family="ipv4" port port="8888" protocol="tcp" accept' \
        'rule family="ipv4" source address="192.168.56.105" port port="7946" protocol="tcp" accept' \
        'rule family="ipv4" source address="192.168.56.105" port port="7946" protocol="udp" accept' \
        'rule family="ipv4" source address="192.168.56.105" port port="4789" protocol="udp" accept'
done
direct_permanent=$(firewall-cmd --permanent --direct --get-all-rules)
direct_runtime=$(firewall-cmd --direct --get-all-rules)
add() {
    chain=$1
    shift
    if listed "ipv4 filter $chain 0 $*" "$direct_permanent"; then
        if listed "ipv4 filter $chain 0 $*" "$direct_runtime"; then
            echo "present: $chain $*"
        else
            firewall-cmd --direct --add-rule ipv4 filter "$chain" 0 "$@" >/dev/null
            touched=1
            echo "added at run time: $chain $*"
        fi
    else
        firewall-cmd --permanent --direct --add-rule ipv4 filter "$chain" 0 "$@" >/dev/null
        changed=1
        touched=1
        echo "added: $chain $*"
    fi
}
add INPUT -i enp0s8 -p vrrp -d 224.0.0.18 -m comment --comment ha-mysql -j ACCEPT
add OUTPUT -o enp0s8 -p vrrp -d 224.0.0.18 -m comment --comment ha-mysql -j ACCEPT
add INPUT -i enp0s8 -p vrrp -s 192.168.56.105 -m comment --comment ha-mysql -j ACCEPT
add OUTPUT -o enp0s8 -p vrrp -d 192.168.56.105 -m comment --comment ha-mysql -j ACCEPT
if [ "$changed" = 1 ]; then
    firewall-cmd --reload >/dev/null
    echo "firewalld reloaded"
fi
if [ "$touched" = 1 ]; then
    direct_runtime=$(firewall-cmd --direct --get-all-rules)
    missing=0
    running() {
        chain=$1
        shift
        if ! listed "ipv4 filter $chain 0 $*" "$direct_runtime"; then
            echo "firewalld holds the direct rule $chain $* but does not run it: its ipv4 backend needs iptables (journalctl -u firewalld: INVALID_IPV)" >&2
            missing=1
        fi
    }
    running INPUT -i enp0s8 -p vrrp -d 224.0.0.18 -m comment --comment ha-mysql -j ACCEPT
    running OUTPUT -o enp0s8 -p vrrp -d 224.0.0.18 -m comment --comment ha-mysql -j ACCEPT
    running INPUT -i enp0s8 -p vrrp -s 192.168.56.105 -m comment --comment ha-mysql -j ACCEPT
    running OUTPUT -o enp0s8 -p vrrp -d 192.168.56.105 -m comment --comment ha-mysql -j ACCEPT
    [ "$missing" = 0 ] || exit 1
fi
