#!/bin/bash
# Makes mysqla replicate from mysqlb (172.18.0.22:3306); rendered by ha-mysql.
# Changes nothing when the replica already follows that source with both threads running
# and replication.sql is the one it last applied (its hash is kept in replication.applied).
# No secret in here or on any command line: the SQL files beside it and the root
# client defaults (all mode 0600) hold them.
set -euo pipefail

dir="${HA_MYSQL_DIR:-/etc/ha-mysql}"
client=(mysql --defaults-extra-file="${HA_MYSQL_CLIENT_CNF:-/etc/ha-mysql/root-client.cnf}")

want_host='172.18.0.22'
want_port='3306'
want_user='repl'
want_gtid='1'
want_ssl=Yes

# The peer's replica logs in with these users; the file is idempotent and skips the binlog.
"${client[@]}" --batch < "$dir/users.sql"

status="$("${client[@]}" --vertical -e 'SHOW SLAVE STATUS')"

# Value of one "Name: value" line of the vertical status output (empty when absent).
field() {
    awk -v key="$1" '{ sub(/^ +/, "") } index($0, key ": ") == 1 { print substr($0, length(key) + 3); exit }' <<<"$status"
}

current="$(field Master_Host) $(field Master_Port) $(field Master_User) $(field Auto_Position) $(field Master_SSL_Allowed) $(field Slave_IO_Running) $(field Slave_SQL_Running)"
wanted="$want_host $want_port $want_user $want_gtid $want_ssl Yes Yes"
# The hash of the replication SQL last applied: a new password changes it, not the status.
sql_hash="$(sha256sum < "$dir/replication.sql" | cut -d ' ' -f 1)"
applied="$(cat "$dir/replication.applied" 2>/dev/null || true)"
if [ "$current" = "$wanted" ] && [ "$applied" = "$sql_hash" ]; then
    echo "replication unchanged: mysqla follows $want_host:$want_port as $want_user, both threads running"
    exit 0
fi

if [ "$current" = "$wanted" ]; then
    echo "replication changed: mysqla follows $want_host:$want_port, but replication.sql differs from the one last applied (new password)"
else
    echo "replication changed: mysqla was [$current], now follows $want_host:$want_port as $want_user"
fi
"${client[@]}" --batch < "$dir/replication.sql"
(umask 077 && printf '%s\n' "$sql_hash" > "$dir/replication.applied")
