#!/bin/bash
# clustercheck for Galera node pn2: HTTP 200 when this node is Synced
# (wsrep_local_state 4) in the Primary component, else 503.
# Run by xinetd per connection. Rendered from the stack topology: edit the stack, not this file.
# A node cut off from its peers keeps its last local state but serves nothing, and the start
# wrapper of every other node reads 200 as "a live cluster to join": both need Primary too.
set -u

readonly DEFAULTS_FILE=/etc/mysql/clustercheck.cnf
readonly AVAILABLE_WHEN_DONOR=0
readonly TIMEOUT_S=3

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

client=$(command -v mariadb || command -v mysql) || reply "503 Service Unavailable" "pn2: no mysql client"

# Credentials come from the 0600 defaults file, never from the command line (ps shows it).
# One query for both values, so they describe the same moment.
status=$(timeout "$TIMEOUT_S" "$client" --defaults-extra-file="$DEFAULTS_FILE" --connect-timeout=2 \
    --batch --skip-column-names \
    -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state','wsrep_cluster_status');" 2>/dev/null)
state=$(printf '%s\n' "$status" | awk -F '\t' 'tolower($1) == "wsrep_local_state" { print $2 }')
cluster=$(printf '%s\n' "$status" | awk -F '\t' 'tolower($1) == "wsrep_cluster_status" { print $2 }')

if [ -z "$state" ]; then
    reply "503 Service Unavailable" "pn2: mysqld does not answer"
fi
if [ "$cluster" != Primary ]; then
    reply "503 Service Unavailable" "pn2: Galera node is not in the Primary component (cluster status ${cluster:-unknown})"
fi
case "$state" in
    4) reply "200 OK" "pn2: Galera node is synced" ;;
    2) if [ "$AVAILABLE_WHEN_DONOR" = 1 ]; then
           reply "200 OK" "pn2: Galera node is a donor"
       fi
       reply "503 Service Unavailable" "pn2: Galera node is a donor" ;;
    *) reply "503 Service Unavailable" "pn2: Galera node is not synced (state $state)" ;;
esac
