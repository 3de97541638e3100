#!/bin/bash
# keepalived vrrp_script: exit 0 when GET / on HOST:PORT answers HTTP 200 within 2 s.
# Usage: check-http.sh HOST PORT
set -u
host=${1:?usage: check-http.sh HOST PORT}
port=${2:?usage: check-http.sh HOST PORT}
# $0 and $1 of the inner bash are the host and the port.
# shellcheck disable=SC2016
status=$(timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1" || exit 1
printf "GET / HTTP/1.0\r\n\r\n" >&3 2>/dev/null
head -n 1 <&3' "$host" "$port" 2>/dev/null) || exit 1
case $status in
    "HTTP/1."?" 200"*) exit 0 ;;
    *) exit 1 ;;
esac
