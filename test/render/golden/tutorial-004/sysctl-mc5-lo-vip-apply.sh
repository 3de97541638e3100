#!/bin/sh
# Adds each LVS-DR VIP as /32 on lo (idempotent). Rendered by ha-mysql.
set -eu
add_vip() {
    if [ -z "$(ip -4 -o addr show dev lo to "$1")" ]; then
        ip addr add "$1" dev lo
        echo "added $1 on lo"
    else
        echo "$1 already on lo"
    fi
}
add_vip 192.168.100.100/32
