#!/bin/sh
# Removes the LVS-DR VIPs from lo (idempotent). Rendered by ha-mysql.
set -eu
del_vip() {
    if [ -n "$(ip -4 -o addr show dev lo to "$1")" ]; then
        ip addr del "$1" dev lo
        echo "removed $1 from lo"
    fi
}
del_vip 192.168.100.100/32
