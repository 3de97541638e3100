#!/bin/sh
# Removes the firewalld rules firewall-apply.sh added, permanent and running. Rendered by ha-mysql; safe to run again.
set -eu

# Whether line $1 is one of the lines of $2.
listed() { printf '%s\n' "$2" | grep -qxF -- "$1"; }
direct_permanent=$(firewall-cmd --permanent --direct --get-all-rules)
direct_runtime=$(firewall-cmd --direct --get-all-rules)
zone=$(cat /var/lib/ha-mysql/firewalld-zone 2>/dev/null) || zone=
[ -n "$zone" ] || zone=$(firewall-cmd --get-zone-of-interface=enp0s8 2>/dev/null) || zone=$(firewall-cmd --get-default-zone)
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
gone=$(mktemp)
remove_gone() {
    if [ -s "$gone" ]; then
        for set_ in permanent runtime; do
            set --
            while IFS= read -r r; do set -- "$@" "$r"; done <"$gone"
            rich "$set_" remove "$@"
        done
    fi
    rm -f "$gone"
}
# The collected rich rules go however the script ends; a failure to remove them fails it.
on_exit() {
    st=$?
    remove_gone || st=1
    exit "$st"
}
trap on_exit EXIT
del() {
    if [ "$1" = rich ]; then
        printf '%s\n' "$2" >>"$gone"
        return 0
    fi
    chain=$1
    shift
    if listed "ipv4 filter $chain 0 $*" "$direct_permanent"; then
        firewall-cmd --permanent --direct --remove-rule ipv4 filter "$chain" 0 "$@" >/dev/null
        echo "removed permanent: $chain $*"
    fi
    if listed "ipv4 filter $chain 0 $*" "$direct_runtime"; then
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
del rich 'rule family="ipv4" port port="8066" protocol="tcp" accept'
del rich 'rule family="ipv4" port port="9066" protocol="tcp" accept'
del rich 'rule family="ipv4" source address="192.168.56.105" port port="7946" protocol="tcp" accept'
del rich 'rule family="ipv4" source address="192.168.56.105" port port="7946" protocol="udp" accept'
del rich 'rule family="ipv4" source address="192.168.56.105" port port="4789" protocol="udp" accept'
