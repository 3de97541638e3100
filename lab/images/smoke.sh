# shellcheck shell=bash
# Smoke tests of the lab images, sourced by lab/images.sh (uses its dk/log/die/since).
# Every container runs with --network none on the private build dockerd and is removed after.
# The configs are the stack's rendered goldens (test/render/golden/dev), uploaded the way the
# stack does it (docker cp into a created container, or a read-only bind mount for HAProxy).

SMOKE_GOLDEN=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/test/render/golden/dev
SMOKE_CONTAINERS=()
SMOKE_VOLUMES=()
SMOKE_TMP=

smoke_cleanup() {
    local c v
    for c in "${SMOKE_CONTAINERS[@]}"; do dk rm -f -v "$c" >/dev/null 2>&1 || true; done
    for v in "${SMOKE_VOLUMES[@]}"; do dk volume rm -f "$v" >/dev/null 2>&1 || true; done
    SMOKE_CONTAINERS=()
    SMOKE_VOLUMES=()
    if [ -n "$SMOKE_TMP" ]; then rm -rf "$SMOKE_TMP"; SMOKE_TMP=; fi
}

smoke_tmp() {
    [ -n "$SMOKE_TMP" ] || SMOKE_TMP=$(mktemp -d /tmp/ha-lab-smoke.XXXXXX)
    echo "$SMOKE_TMP"
}

smoke_fail() {
    local c=${2:-}
    if [ -n "$c" ]; then
        log "last log lines of $c:"
        dk logs --tail 40 "$c" 2>&1 | sed 's/^/    /' >&2 || true
    fi
    die "smoke test: $1"
}

# smoke_wait <seconds> <container> <command...>: polls every 0.5 s until the command succeeds;
# gives up at once when the container is no longer running.
smoke_wait() {
    local limit=$1 c=$2 i n
    shift 2
    n=$((limit * 2))
    for i in $(seq 1 "$n"); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        smoke_running "$c" || return 1
        [ "$i" -lt "$n" ] || return 1
        sleep 0.5
    done
    return 1
}

smoke_running() { [ "$(dk inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ]; }

# smoke_sql <container> <socket> <sql>: one value, root over the unix socket (unix_socket auth).
smoke_sql() { dk exec "$1" mariadb -uroot --socket="$2" -N -B -e "$3"; }

# ---------------------------------------------------------------------------------------------
# A throwaway CA and a certificate for 127.0.0.1 in dir, as the stack's TLS files are named.
smoke_tls() {
    local dir=$1
    mkdir -p "$dir"
    (
        set -e
        cd "$dir"
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=ha-lab-smoke-ca -keyout ca.key -out ca.pem 2>/dev/null
        openssl req -new -newkey rsa:2048 -nodes -subj /CN=pn1 -keyout server-key.pem -out server.csr 2>/dev/null
        printf 'subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth, clientAuth\n' >ext.cnf
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial 1 -days 2 -extfile ext.cnf -out server-cert.pem 2>/dev/null
        rm -f ca.key server.csr ext.cnf
        chmod 0600 server-key.pem
    ) || die "smoke test: could not make the TLS files"
}

smoke_galera() {
    local img=$1 c t
    for f in my-pn1.cnf my-pn1-sst-auth.cnf galera-users.sql clustercheck-pn1.sh clustercheck-pn1.xinetd clustercheck-pn1.cnf; do
        [ -f "$SMOKE_GOLDEN/$f" ] || die "smoke test: missing golden file $SMOKE_GOLDEN/$f"
    done

    log "smoke $img: binaries, galera library, /run/mysqld, empty datadir, no bind-address=127.0.0.1"
    # shellcheck disable=SC2016 # expanded in the container
    dk run --rm --network none --entrypoint bash "$img" -c '
        set -e
        for b in mariadbd mariadb mysql mariabackup mariadb-install-db socat xinetd ps ss pv; do
            command -v "$b" >/dev/null || { echo "missing: $b" >&2; exit 1; }
        done
        test -f /usr/lib/galera/libgalera_smm.so || { echo "no /usr/lib/galera/libgalera_smm.so" >&2; exit 1; }
        [ "$(stat -c %U /run/mysqld)" = mysql ] || { echo "/run/mysqld is not owned by mysql" >&2; exit 1; }
        [ -z "$(ls -A /var/lib/mysql)" ] || { echo "/var/lib/mysql is not empty" >&2; exit 1; }
        if my_print_defaults --mysqld | grep -q "^--bind-address=127.0.0.1"; then echo "bind-address=127.0.0.1 still set" >&2; exit 1; fi
        ! command -v keepalived >/dev/null
    ' >&2 || smoke_fail "$img: package checks failed"

    # The stack's files at the paths the stack uploads them to, plus a start script that does
    # what the stack's ha-galera-start does for a bootstrap node (mariadb flavour), with the
    # node and cluster addresses overridden for a container without network.
    local tmp
    tmp=$(smoke_tmp)/galera
    mkdir -p "$tmp/etc/mysql/mariadb.conf.d" "$tmp/etc/ha-mysql" "$tmp/etc/xinetd.d" "$tmp/usr/local/bin"
    cp "$SMOKE_GOLDEN/my-pn1.cnf" "$tmp/etc/mysql/mariadb.conf.d/60-galera.cnf"
    cp "$SMOKE_GOLDEN/my-pn1-sst-auth.cnf" "$tmp/etc/mysql/mariadb.conf.d/61-galera-sst-auth.cnf"
    cp "$SMOKE_GOLDEN/galera-users.sql" "$tmp/etc/ha-mysql/init.sql"
    cp "$SMOKE_GOLDEN/clustercheck-pn1.xinetd" "$tmp/etc/xinetd.d/mysqlchk"
    cp "$SMOKE_GOLDEN/clustercheck-pn1.sh" "$tmp/usr/local/bin/clustercheck"
    cp "$SMOKE_GOLDEN/clustercheck-pn1.cnf" "$tmp/etc/mysql/clustercheck.cnf"
    # TLS as the stack sets it up: the rendered 62-tls.cnf, and a CA and a node certificate (for
    # 127.0.0.1, where both smoke nodes listen) at the paths it names, owned by mysql.
    cp "$SMOKE_GOLDEN/my-pn1-tls.cnf" "$tmp/etc/mysql/mariadb.conf.d/62-tls.cnf"
    smoke_tls "$tmp/etc/mysql/ha-tls"
    cat >"$tmp/usr/local/bin/ha-smoke-galera-start" <<'EOF'
#!/bin/bash
set -euo pipefail
chown -R mysql:mysql /etc/mysql/ha-tls
chown mysql:mysql /etc/mysql/clustercheck.cnf /etc/mysql/mariadb.conf.d/61-galera-sst-auth.cnf
chmod 0600 /etc/mysql/clustercheck.cnf /etc/mysql/mariadb.conf.d/61-galera-sst-auth.cnf /etc/ha-mysql/init.sql
# mariadbd reads --init-file after dropping to user mysql: a root-owned 0600 file fails with
# "Can't create/write to file '/etc/ha-mysql/init.sql' (Errcode: 13)" and the server aborts.
chown mysql:mysql /etc/ha-mysql/init.sql
if command -v xinetd >/dev/null; then xinetd -stayalive -pidfile /run/xinetd.pid; fi
if [ ! -d /var/lib/mysql/mysql ]; then
  mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db >/dev/null
fi
chown -R mysql:mysql /var/lib/mysql
exec mariadbd --user=mysql --wsrep-new-cluster --init-file=/etc/ha-mysql/init.sql "$@"
EOF
    chmod 0755 "$tmp/usr/local/bin/ha-smoke-galera-start" "$tmp/usr/local/bin/clustercheck"

    c=ha-lab-smoke-galera-$$
    SMOKE_CONTAINERS+=("$c")
    log "smoke $img: one-node bootstrap with the rendered my-pn1.cnf (wsrep_node_address=127.0.0.1, gcomm://)"
    dk create --name "$c" --network none --entrypoint /usr/local/bin/ha-smoke-galera-start "$img" \
        --wsrep_node_address=127.0.0.1 --wsrep_cluster_address=gcomm:// >/dev/null
    dk cp "$tmp/." "$c:/"
    t=${EPOCHREALTIME/./}
    dk start "$c" >/dev/null
    smoke_wait 90 "$c" eval \
        "[ \"\$(smoke_sql $c /run/mysqld/mysqld.sock \"SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME='WSREP_LOCAL_STATE_COMMENT'\")\" = Synced ]" \
        || smoke_fail "$img: node pn1 not Synced within 90 s" "$c"
    log "smoke $img: pn1 Synced $(since "$t") s after start"
    local status
    status=$(smoke_sql "$c" /run/mysqld/mysqld.sock "SELECT GROUP_CONCAT(CONCAT(VARIABLE_NAME,'=',VARIABLE_VALUE) ORDER BY VARIABLE_NAME) FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN ('WSREP_CLUSTER_SIZE','WSREP_CLUSTER_STATUS','WSREP_READY','WSREP_PROVIDER_VERSION')")
    log "smoke $img: $status"
    case "$status" in
        *WSREP_CLUSTER_SIZE=1*WSREP_CLUSTER_STATUS=Primary*WSREP_READY=ON*) ;;
        *) smoke_fail "$img: unexpected wsrep status: $status" "$c" ;;
    esac
    [ "$(smoke_sql "$c" /run/mysqld/mysqld.sock "SELECT CONCAT_WS(' ', @@bind_address, @@wsrep_cluster_name, @@wsrep_sst_method)")" = "0.0.0.0 pxc mariabackup" ] \
        || smoke_fail "$img: the rendered 60-galera.cnf was not applied (bind_address / cluster name / sst method)" "$c"
    smoke_sql "$c" /run/mysqld/mysqld.sock "CREATE DATABASE smoke; CREATE TABLE smoke.t (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB; INSERT INTO smoke.t VALUES (1, 'from-pn1');" \
        || smoke_fail "$img: write on pn1 failed" "$c"

    log "smoke $img: clustercheck through xinetd on 127.0.0.1:9200"
    local reply
    reply=$(dk exec "$c" bash -c 'exec 3<>/dev/tcp/127.0.0.1/9200; printf "GET / HTTP/1.1\r\nHost: x\r\n\r\n" >&3; timeout 5 cat <&3' 2>&1 | tr -d '\r' || true)
    case "$reply" in
        "HTTP/1.1 200 OK"*synced*) log "smoke $img: clustercheck: $(head -n 1 <<<"$reply"), $(tail -n 1 <<<"$reply")" ;;
        *) smoke_fail "$img: clustercheck did not answer 200: $reply" "$c" ;;
    esac

    # A second node in the same container (other ports) joins by SST with mariabackup: proves
    # the SST tool chain (wsrep_sst_mariabackup, mariabackup, socat, ss) and the rendered SST auth.
    log "smoke $img: second node joins pn1 by SST (mariabackup) over TLS inside the container"
    # The joiner's provider options replace the file's: it keeps the file's socket TLS settings.
    local socket_tls
    socket_tls=$(grep -o 'socket\.ssl_[a-z]*=[^;"]*' "$SMOKE_GOLDEN/my-pn1.cnf" | paste -sd ';' | sed 's/;/; /g')
    [ -n "$socket_tls" ] || die "smoke test: no socket.ssl_* options in $SMOKE_GOLDEN/my-pn1.cnf"
    t=${EPOCHREALTIME/./}
    # shellcheck disable=SC2016 # $0 is the socket TLS options, expanded by the inner bash
    dk exec "$c" bash -c '
        set -e
        mkdir -p /var/lib/mysql2 && chown mysql:mysql /var/lib/mysql2
        nohup mariadbd --user=mysql --datadir=/var/lib/mysql2 --port=3307 \
            --socket=/run/mysqld/mysqld2.sock --pid-file=/run/mysqld/mysqld2.pid \
            --server_id=2 --wsrep_node_name=pn2 \
            --wsrep_cluster_address=gcomm://127.0.0.1:4567 --wsrep_node_address=127.0.0.1:4577 \
            --wsrep_sst_receive_address=127.0.0.1:4454 \
            --wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:4577; ist.recv_addr=127.0.0.1:4578; gcache.size=64M; $0" \
            >/tmp/pn2.log 2>&1 </dev/null &
    ' "$socket_tls" || smoke_fail "$img: could not start the second node" "$c"
    if ! smoke_wait 120 "$c" eval \
        "[ \"\$(smoke_sql $c /run/mysqld/mysqld2.sock \"SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME='WSREP_LOCAL_STATE_COMMENT'\")\" = Synced ]"; then
        dk exec "$c" tail -n 40 /tmp/pn2.log >&2 || true
        smoke_fail "$img: second node not Synced within 120 s" "$c"
    fi
    log "smoke $img: second node Synced by SST in $(since "$t") s"
    [ "$(smoke_sql "$c" /run/mysqld/mysqld2.sock "SELECT v FROM smoke.t WHERE id = 1")" = from-pn1 ] \
        || smoke_fail "$img: the row written on pn1 is not on the joiner" "$c"
    [ "$(smoke_sql "$c" /run/mysqld/mysqld.sock "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME='WSREP_CLUSTER_SIZE'")" = 2 ] \
        || smoke_fail "$img: wsrep_cluster_size is not 2 after the join" "$c"
    dk exec "$c" grep -q "mariabackup" /tmp/pn2.log || smoke_fail "$img: the joiner log does not mention mariabackup" "$c"
    dk exec "$c" grep -q "Using openssl based encryption with socat" /tmp/pn2.log || smoke_fail "$img: the SST did not run over socat's OpenSSL" "$c"
    dk exec "$c" grep -q "listening at ssl://" /tmp/pn2.log || smoke_fail "$img: the joiner's Galera socket is not TLS" "$c"
    dk exec "$c" mariadb-admin -uroot --socket=/run/mysqld/mysqld2.sock shutdown >/dev/null \
        || smoke_fail "$img: the second node did not shut down" "$c"

    t=${EPOCHREALTIME/./}
    dk stop -t 30 "$c" >/dev/null
    local rc
    rc=$(dk inspect -f '{{.State.ExitCode}}' "$c")
    log "smoke $img: docker stop took $(since "$t") s, exit code $rc"
    [ "$rc" = 0 ] || smoke_fail "$img: mariadbd exited with $rc on docker stop" "$c"
    smoke_cleanup
}

# ---------------------------------------------------------------------------------------------
smoke_mariadb() {
    local img=$1 c1 c2 vol pw pw2 t rc out
    [ -f "$SMOKE_GOLDEN/my-dm1.cnf" ] || die "smoke test: missing golden file $SMOKE_GOLDEN/my-dm1.cnf"
    # Random, with the characters that need escaping in SQL.
    pw="Sm0ke'\\\$\"$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    pw2="Other-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    c1=ha-lab-smoke-mariadb-$$
    c2=ha-lab-smoke-mariadb2-$$
    vol=ha-lab-smoke-mariadb-data-$$
    SMOKE_CONTAINERS+=("ha-lab-smoke-mariadb0-$$" "$c1" "$c2")
    SMOKE_VOLUMES+=("$vol")

    log "smoke $img: refuses an empty datadir without MYSQL_ROOT_PASSWORD(_FILE)"
    rc=0
    out=$(dk run --name "ha-lab-smoke-mariadb0-$$" --network none "$img" 2>&1) || rc=$?
    dk rm -f -v "ha-lab-smoke-mariadb0-$$" >/dev/null 2>&1 || true
    if [ "$rc" = 0 ] || ! grep -q 'neither MYSQL_ROOT_PASSWORD nor MYSQL_ROOT_PASSWORD_FILE is set' <<<"$out"; then
        die "smoke test: $img started without MYSQL_ROOT_PASSWORD (rc $rc): $out"
    fi

    log "smoke $img: first start initialises (rendered my-dm1.cnf and a 0600 password file uploaded, MYSQL_ROOT_PASSWORD_FILE, named volume)"
    local tmp
    tmp=$(smoke_tmp)/mariadb
    mkdir -p "$tmp/etc/mysql/mariadb.conf.d" "$tmp/etc/mysql/ha-secrets"
    cp "$SMOKE_GOLDEN/my-dm1.cnf" "$tmp/etc/mysql/mariadb.conf.d/60-ha-mysql.cnf"
    (umask 077 && printf '%s\n' "$pw" >"$tmp/etc/mysql/ha-secrets/root-password")
    dk volume create "$vol" >/dev/null
    dk create --name "$c1" --network none -e MYSQL_ROOT_PASSWORD_FILE=/etc/mysql/ha-secrets/root-password -v "$vol:/var/lib/mysql" "$img" >/dev/null
    dk cp "$tmp/." "$c1:/"
    t=${EPOCHREALTIME/./}
    dk start "$c1" >/dev/null
    smoke_wait 90 "$c1" dk exec "$c1" mysql -uroot "-p$pw" -e 'select 1' \
        || smoke_fail "$img: root@localhost with the password of MYSQL_ROOT_PASSWORD_FILE did not work within 90 s" "$c1"
    log "smoke $img: mysql -uroot -p... answers $(since "$t") s after start"
    # (No `... | grep -q` under pipefail: grep's early exit would fail the pipeline.)
    if grep -qF -- "$pw" <<<"$(dk logs "$c1" 2>&1)"; then smoke_fail "$img: the password appears in the container log" "$c1"; fi
    if grep -qF -- "$pw" <<<"$(dk inspect "$c1")"; then smoke_fail "$img: the password appears in docker inspect" "$c1"; fi
    if grep -qF -- "$pw" <<<"$(dk exec "$c1" sh -c 'cat /proc/[0-9]*/environ /proc/[0-9]*/cmdline 2>/dev/null | tr "\0" "\n"')"; then
        smoke_fail "$img: the password appears in a process's environment or command line" "$c1"
    fi
    # Also the stack's way: a defaults file with user and password.
    dk exec -i "$c1" bash -c 'mkdir -p /etc/ha-mysql && umask 077 && cat >/etc/ha-mysql/root-client.cnf' <<EOF
[client]
user=root
password="$(sed 's/\\/\\\\/g; s/"/\\"/g' <<<"$pw")"
EOF
    out=$(dk exec "$c1" mysql --defaults-extra-file=/etc/ha-mysql/root-client.cnf -N -B \
        -e "SELECT CONCAT_WS(' ', @@bind_address, @@server_id, @@log_bin, @@gtid_strict_mode, CONCAT('binlog_pos=[', @@gtid_binlog_pos, ']'), (SELECT GROUP_CONCAT(CONCAT(user,'@',host) ORDER BY user) FROM mysql.user))") \
        || smoke_fail "$img: login with --defaults-extra-file failed" "$c1"
    log "smoke $img: $out"
    case "$out" in
        "0.0.0.0 1 ON ON binlog_pos=[] "*) ;;
        *) smoke_fail "$img: unexpected settings (bind_address server_id log_bin gtid_strict_mode, init binlogged?): $out" "$c1" ;;
    esac
    if dk exec "$c1" mysql -uroot -pwrong-password -e 'select 1' >/dev/null 2>&1; then
        smoke_fail "$img: root logs in with a wrong password" "$c1"
    fi
    dk exec "$c1" mysql -uroot "-p$pw" -e "CREATE DATABASE smoke; CREATE TABLE smoke.t (id INT PRIMARY KEY); INSERT INTO smoke.t VALUES (1);" \
        || smoke_fail "$img: write failed" "$c1"
    [ "$(dk exec "$c1" cat /proc/1/comm)" = mariadbd ] || smoke_fail "$img: PID 1 is not mariadbd" "$c1"

    t=${EPOCHREALTIME/./}
    dk stop -t 30 "$c1" >/dev/null
    rc=$(dk inspect -f '{{.State.ExitCode}}' "$c1")
    local stop_s
    stop_s=$(since "$t")
    log "smoke $img: docker stop took $stop_s s, exit code $rc"
    [ "$rc" = 0 ] || smoke_fail "$img: mariadbd exited with $rc on docker stop" "$c1"
    [ "${stop_s%%.*}" -lt 10 ] || smoke_fail "$img: docker stop took $stop_s s (SIGKILL after the timeout?)" "$c1"
    grep -q 'Shutdown complete' <<<"$(dk logs "$c1" 2>&1)" || smoke_fail "$img: no 'Shutdown complete' in the log" "$c1"

    log "smoke $img: restart, and a new container (other MYSQL_ROOT_PASSWORD) on the same datadir: no re-init"
    dk start "$c1" >/dev/null
    smoke_wait 60 "$c1" dk exec "$c1" mysql -uroot "-p$pw" -e 'select 1' \
        || smoke_fail "$img: no login after restart" "$c1"
    [ "$(dk logs "$c1" 2>&1 | grep -c 'initialising an empty data directory')" = 1 ] \
        || smoke_fail "$img: the datadir was initialised again on restart" "$c1"
    dk stop -t 30 "$c1" >/dev/null
    dk create --name "$c2" --network none -e MYSQL_ROOT_PASSWORD="$pw2" -v "$vol:/var/lib/mysql" "$img" >/dev/null
    dk cp "$tmp/." "$c2:/"
    dk start "$c2" >/dev/null
    smoke_wait 60 "$c2" dk exec "$c2" mysql -uroot "-p$pw" -e 'select 1' \
        || smoke_fail "$img: the old password does not work in a new container on the same datadir" "$c2"
    [ "$(dk exec "$c2" mysql -uroot "-p$pw" -N -B -e 'SELECT COUNT(*) FROM smoke.t')" = 1 ] \
        || smoke_fail "$img: the data written before is gone" "$c2"
    if dk exec "$c2" mysql -uroot "-p$pw2" -e 'select 1' >/dev/null 2>&1; then
        smoke_fail "$img: the new MYSQL_ROOT_PASSWORD was applied to an existing datadir" "$c2"
    fi
    grep -q 'already initialised' <<<"$(dk logs "$c2" 2>&1)" || smoke_fail "$img: no 'already initialised' in the log" "$c2"
    dk stop -t 30 "$c2" >/dev/null
    rc=$(dk inspect -f '{{.State.ExitCode}}' "$c2")
    [ "$rc" = 0 ] || smoke_fail "$img: second container exited with $rc" "$c2"

    log "smoke $img: refuses a datadir whose initialisation did not finish"
    dk run --rm --network none -v "$vol:/var/lib/mysql" --entrypoint touch "$img" /var/lib/mysql/.ha-init-incomplete
    rc=0
    out=$(dk run --rm --network none -e MYSQL_ROOT_PASSWORD="$pw2" -v "$vol:/var/lib/mysql" "$img" 2>&1) || rc=$?
    if [ "$rc" = 0 ] || ! grep -q 'did not finish' <<<"$out"; then
        die "smoke test: $img started on a half-initialised datadir (rc $rc): $out"
    fi
    smoke_cleanup
}

# ---------------------------------------------------------------------------------------------
smoke_haproxy() {
    local img=$1 c t rc out tmp
    [ -f "$SMOKE_GOLDEN/haproxy-h1.cfg" ] || die "smoke test: missing golden file $SMOKE_GOLDEN/haproxy-h1.cfg"
    tmp=$(smoke_tmp)/haproxy
    mkdir -p "$tmp"
    cp "$SMOKE_GOLDEN/haproxy-h1.cfg" "$tmp/haproxy.cfg"
    chmod 0755 "$tmp"
    chmod 0644 "$tmp/haproxy.cfg"

    log "smoke $img: haproxy -c with the rendered haproxy-h1.cfg (read-only bind mount)"
    out=$(dk run --rm --network none -v "$tmp:/usr/local/etc/haproxy:ro" "$img" \
        haproxy -c -f /usr/local/etc/haproxy/haproxy.cfg 2>&1) || smoke_fail "$img: haproxy -c failed: $out"
    grep -q 'Configuration file is valid' <<<"$out" || smoke_fail "$img: haproxy -c said: $out"
    dk run --rm --network none --entrypoint sh "$img" -c \
        '! command -v keepalived >/dev/null && command -v ps >/dev/null && command -v ip >/dev/null && test -d /var/lib/haproxy' \
        || smoke_fail "$img: keepalived present, or procps/iproute2//var/lib/haproxy missing"

    c=ha-lab-smoke-haproxy-$$
    SMOKE_CONTAINERS+=("$c")
    log "smoke $img: run, then reload with docker kill -s USR2"
    t=${EPOCHREALTIME/./}
    dk run -d --name "$c" --network none -v "$tmp:/usr/local/etc/haproxy:ro" "$img" >/dev/null
    smoke_wait 20 "$c" dk exec "$c" test -S /var/lib/haproxy/admin.sock \
        || smoke_fail "$img: no stats socket /var/lib/haproxy/admin.sock within 20 s" "$c"
    log "smoke $img: running, stats socket up $(since "$t") s after start"
    local w1 w2
    w1=$(dk exec "$c" pgrep -P 1 -x haproxy | tr '\n' ' ')
    [ -n "$w1" ] || smoke_fail "$img: no worker under the master (PID 1)" "$c"
    dk kill -s USR2 "$c" >/dev/null
    smoke_wait 20 "$c" eval \
        "w2=\$(dk exec $c pgrep -P 1 -x haproxy | tr '\n' ' '); [ -n \"\$w2\" ] && [ \"\$w2\" != \"$w1\" ]" \
        || smoke_fail "$img: no new worker within 20 s of USR2 (workers before: $w1)" "$c"
    w2=$(dk exec "$c" pgrep -P 1 -x haproxy | tr '\n' ' ')
    sleep 1
    smoke_running "$c" || smoke_fail "$img: the container exited after USR2" "$c"
    [ "$(dk exec "$c" cat /proc/1/comm)" = haproxy ] || smoke_fail "$img: PID 1 is no longer haproxy after USR2" "$c"
    log "smoke $img: reloaded: workers ${w1% } -> ${w2% }, master still PID 1, container running"
    dk exec "$c" test -S /var/lib/haproxy/admin.sock || smoke_fail "$img: stats socket gone after reload" "$c"

    t=${EPOCHREALTIME/./}
    dk stop -t 30 "$c" >/dev/null
    rc=$(dk inspect -f '{{.State.ExitCode}}' "$c")
    log "smoke $img: docker stop took $(since "$t") s, exit code $rc"
    smoke_cleanup
}
