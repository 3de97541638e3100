#!/bin/bash
# mycat_status: HTTP 200 when MyCat's SQL port 8066 answers with a MySQL greeting, else 503.
# Run by xinetd per connection. Rendered from the stack topology: edit the stack, not this file.
#
# Why not `mycat status` (the tutorial's check): it only asks the Java service wrapper
# whether its JVM process exists. A JVM that is restarting, stuck in GC or failed to bind
# the port still counts as "running", and a plain TCP connect would still succeed on a hung
# JVM because the kernel completes the handshake from the listen backlog. The greeting
# (protocol version 10 in its fifth byte) comes only from MyCat's own network thread.
set -u

readonly SQL_PORT=8066
readonly TIMEOUT_S=2

# Read the request (up to its blank line) before answering: closing a socket with
# unread data sends a reset, which can destroy the response before HAProxy reads it.
while IFS= read -r -t 1 line; do
    line=${line%$'\r'}
    [ -z "$line" ] && break
done

reply() {
    local status=$1 body=$2
    printf 'HTTP/1.1 %s\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s\n' \
        "$status" "$(( ${#body} + 1 ))" "$body"
    exit 0
}

# Bounded: a MyCat that accepts but never greets must not hang the check.
# shellcheck disable=SC2016 # $1 expands in the inner bash, which gets the port as an argument
greeting=$(timeout "$TIMEOUT_S" bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && head -c 5 <&3' _ "$SQL_PORT" 2>/dev/null |
    od -An -tx1 | tr -d ' \n')

if [ "${greeting:8:2}" = "0a" ]; then
    reply "200 OK" "MyCat is serving on port $SQL_PORT"
fi
reply "503 Service Unavailable" "MyCat does not answer on port $SQL_PORT"
