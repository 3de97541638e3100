#!/usr/bin/env bash
# Simulated Linux hosts for the lab, on this one machine.
#
# Each host labN (default lab1..lab3, count from HA_LAB_HOSTS) is:
#   - a network namespace ha-labN whose eth0 (10.77.0.1N/24) is a veth port of the bridge
#     halab0 (10.77.0.1/24 in the root namespace, which plays "a LAN client");
#   - a private mount + UTS namespace (hostname labN) with its own /sys, /run, /tmp,
#     /var/lib/docker, /var/lib/containerd, /etc/docker, /etc/keepalived, /etc/ha-mysql,
#     /var/lib/ha-mysql, /etc/sysctl.d, /etc/firewalld and /etc/ssh (own host keys), all
#     bind-mounted from /var/lib/ha-lab/labN/fs/; everything else (/usr, the rest of /etc,
#     /var/lib/ha-lab) is shared with the machine;
#   - its own dockerd (unix:///var/lib/ha-lab/labN/docker.sock from the root namespace,
#     /run/docker.sock inside; address pool 10.(210+N).0.0/16; container cgroups under
#     /ha-labN) and sshd on 10.77.0.1N:22 (root, lab key only);
#   - a long-lived anchor process (ha-lab-anchor-labN) holding the namespaces.
# PIDs: /var/lib/ha-lab/labN/{anchor,dockerd,sshd}.pid; logs: .../labN/{dockerd,sshd,setup}.log.
# SSH: key /var/lib/ha-lab/ssh/lab_key; `ssh -F /var/lib/ha-lab/ssh/config 10.77.0.11` checks
# the hosts' keys against /var/lib/ha-lab/ssh/known_hosts.
# No NAT and no default route: lab traffic never leaves the machine. There is no service
# manager inside a host: a dockerd or sshd that died is started again by `up`.
#
# Usage:
#   hosts.sh up [--images "a.tar b.tar ..."]   create or repair the hosts (idempotent)
#   hosts.sh down [--keep-key]                 remove everything the lab created
#   hosts.sh status                            one line per host
#   hosts.sh exec labN [--] cmd...             run a command inside labN's namespaces
#   hosts.sh ssh labN [cmd...]                 ssh to labN with the lab key
#
#   hosts.sh describe                          one line per host: name, address, Docker socket
#
# Settings: lab/lab.env (directory, bridge, addresses, host count).
# Environment: HA_LAB_HOSTS (1-9, default LAB_HOSTS), HA_LAB_LOAD_PARALLEL (1/0, default 1),
#              HA_LAB_WAIT_SECONDS (default 60).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SETUP_SCRIPT=$SCRIPT_DIR/host-setup.sh

# shellcheck source=lab/lab.env
. "$SCRIPT_DIR/lab.env"
LAB_ROOT=$LAB_DIR
KEY_DIR=$LAB_ROOT/ssh
LAB_KEY=$KEY_DIR/lab_key
CREATED_DIRS_FILE=$LAB_ROOT/created-mountpoints
BRIDGE=$LAB_BRIDGE
NET_PREFIX=$LAB_NET_PREFIX
BRIDGE_CIDR=$NET_PREFIX.1/24
RULE_TAG="ha-lab:$BRIDGE"
DAEMON_PATH=/usr/sbin:/usr/bin:/sbin:/bin
WAIT_SECONDS=${HA_LAB_WAIT_SECONDS:-60}
LOAD_PARALLEL=${HA_LAB_LOAD_PARALLEL:-1}

# Per-host directories: mount point inside the host -> directory name under labN/fs/.
MOUNT_MAP=(
  /var/lib/docker=var-lib-docker
  /var/lib/containerd=var-lib-containerd
  /etc/docker=etc-docker
  /run=run
  /etc/keepalived=etc-keepalived
  /etc/ha-mysql=etc-ha-mysql
  /var/lib/ha-mysql=var-lib-ha-mysql
  /etc/sysctl.d=etc-sysctl.d
  /etc/firewalld=etc-firewalld
  /tmp=tmp
  /etc/ssh=etc-ssh
)
# Seeded from the machine's copy on first creation (the others start empty).
SEEDED_DIRS=(/etc/keepalived /etc/sysctl.d /etc/firewalld)

# curve25519 instead of the default sntrup761 key exchange: 0.35 s instead of 0.53 s per
# connection on this machine (both are accepted by the lab sshd).
SSH_OPTS=(-i "$LAB_KEY" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
  -o BatchMode=yes -o ConnectTimeout=3 -o LogLevel=ERROR -o KexAlgorithms=curve25519-sha256)

if [[ -x /usr/bin/docker ]]; then DOCKER_CLI=/usr/bin/docker; else DOCKER_CLI=docker; fi

# ---------------------------------------------------------------- output and timing
START_US=${EPOCHREALTIME/./}
now_us() { printf '%s' "${EPOCHREALTIME/./}"; }
fmt_us() { printf '%d.%02d' $(( $1 / 1000000 )) $(( ($1 % 1000000) / 10000 )); }
log() { printf '[hosts %7ss] %s\n' "$(fmt_us $(( $(now_us) - START_US )))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

STEP_NAMES=()
STEP_US=()
STEP_NAME=""
STEP_START=0
step() {
  STEP_NAME=$1
  STEP_START=$(now_us)
  log "== $STEP_NAME"
}
step_done() {
  local d=$(( $(now_us) - STEP_START ))
  STEP_NAMES+=("$STEP_NAME")
  STEP_US+=("$d")
  log "   $STEP_NAME: $(fmt_us "$d")s${1:+ ($1)}"
}
print_timings() {
  local i
  printf '%s\n' "---- timings ($1) ----" >&2
  for i in "${!STEP_NAMES[@]}"; do
    printf '  %-38s %7ss\n' "${STEP_NAMES[$i]}" "$(fmt_us "${STEP_US[$i]}")" >&2
  done
  printf '  %-38s %7ss\n' "total" "$(fmt_us $(( $(now_us) - START_US )))" >&2
}

# ---------------------------------------------------------------- hosts and helpers
host_count() {
  local n=${HA_LAB_HOSTS:-$LAB_HOSTS}
  [[ $n =~ ^[1-9]$ ]] || die "HA_LAB_HOSTS must be 1..9 (got '$n')"
  printf '%s' "$n"
}
default_hosts() {
  local i n
  n=$(host_count)
  for (( i = 1; i <= n; i++ )); do printf 'lab%d\n' "$i"; done
}
host_num() { printf '%s' "${1#lab}"; }
host_ip() { printf '%s.%d' "$NET_PREFIX" $(( LAB_HOST_OCTET + $(host_num "$1") )); }
host_netns() { printf '%s%s' "$LAB_NETNS_PREFIX" "$1"; }
host_veth() { printf 'hl-%s' "$1"; }
host_dir() { printf '%s/%s' "$LAB_ROOT" "$1"; }
host_sock() { printf '%s/%s/docker.sock' "$LAB_ROOT" "$1"; }
host_pool() { printf '10.%d.0.0/16' $(( 210 + $(host_num "$1") )); }
host_cgroup() { printf '/ha-%s' "$1"; }
valid_host() { [[ $1 =~ ^lab[1-9]$ ]]; }

# Docker client against a lab host, bounded in time.
dk() {
  local h=$1 t=$2
  shift 2
  timeout "$t" "$DOCKER_CLI" -H "unix://$(host_sock "$h")" "$@"
}
lab_ssh() {
  local h=$1
  shift
  # shellcheck disable=SC2029 # the command line is meant to be built here
  ssh "${SSH_OPTS[@]}" "root@$(host_ip "$h")" "$@"
}

read_pid() { # file -> pid (empty when missing/garbage)
  local p=""
  if [[ -r $1 ]]; then { read -r p <"$1"; } 2>/dev/null || true; fi
  [[ $p =~ ^[0-9]+$ ]] && printf '%s' "$p"
  return 0
}
pid_alive() { [[ -n ${1:-} && -d /proc/$1 ]] && kill -0 "$1" 2>/dev/null; }
pid_exe() { readlink "/proc/$1/exe" 2>/dev/null || true; }
pid_ns() { readlink "/proc/$1/ns/$2" 2>/dev/null || true; }
pid_comm() { cat "/proc/$1/comm" 2>/dev/null || echo '?'; }
pid_argv0() { local a=""; IFS= read -r -d '' a <"/proc/$1/cmdline" 2>/dev/null || true; printf '%s' "$a"; }
pid_rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
netns_inode() { stat -L -c 'net:[%i]' "/run/netns/$1" 2>/dev/null || true; }

# The anchor process of a host, if it is alive and really in that host's network namespace.
anchor_pid() {
  local h=$1 p
  p=$(read_pid "$(host_dir "$h")/anchor.pid")
  pid_alive "$p" || return 0
  [[ $(pid_argv0 "$p") == "ha-lab-anchor-$h" ]] || return 0
  [[ -n $(netns_inode "$(host_netns "$h")") && $(pid_ns "$p" net) == "$(netns_inode "$(host_netns "$h")")" ]] || return 0
  printf '%s' "$p"
}
# A daemon recorded in a pid file, if alive, with the expected binary, in the anchor's mount ns.
daemon_pid() {
  local h=$1 what=$2 anchor p
  anchor=$(anchor_pid "$h")
  [[ -n $anchor ]] || return 0
  p=$(read_pid "$(host_dir "$h")/$what.pid")
  pid_alive "$p" || return 0
  [[ $(pid_exe "$p") == */$what ]] || return 0
  [[ $(pid_ns "$p" mnt) == "$(pid_ns "$anchor" mnt)" ]] || return 0
  printf '%s' "$p"
}
containerd_pid() { # child containerd of the host's dockerd
  local dpid=$1 s
  local -a f
  [[ -n $dpid ]] || return 0
  for s in /proc/[0-9]*/stat; do
    { read -r -a f <"$s"; } 2>/dev/null || continue
    if [[ ${f[3]:-} == "$dpid" && ${f[1]:-} == "(containerd)" ]]; then
      printf '%s' "${f[0]}"
      return 0
    fi
  done
}
in_host() { # run a command in a host's namespaces
  local h=$1 a
  shift
  a=$(anchor_pid "$h")
  [[ -n $a ]] || die "$h is not running (no anchor process); run: $0 up"
  nsenter -t "$a" -n -m -u -- "$@"
}

require_root() { [[ $EUID -eq 0 ]] || die "must run as root"; }
require_tools() {
  local missing=() c
  for c in ip iptables nsenter unshare setsid mount umount dockerd containerd runc sshd ssh ssh-keygen jq timeout flock ping; do
    command -v "$c" >/dev/null 2>&1 || missing+=("$c")
  done
  [[ -x $DOCKER_CLI ]] || command -v "$DOCKER_CLI" >/dev/null 2>&1 || missing+=(docker)
  ((${#missing[@]} == 0)) || die "missing tools: ${missing[*]} (apt-get install -y docker.io openssh-server openssh-client iproute2 iptables procps util-linux jq iputils-ping)"
  [[ -r $SETUP_SCRIPT ]] || die "missing $SETUP_SCRIPT"
}
take_lock() { # one up/down at a time (lock on this script file, nothing left behind;
  # every daemon started below gets 9<&- so that it does not inherit the lock)
  exec 9<"${BASH_SOURCE[0]}"
  flock -w 300 9 || die "another hosts.sh up/down is still running (waited 300 s)"
}

# ---------------------------------------------------------------- iptables
# Tables whose FORWARD chain needs our ACCEPT rule: the nft-backed iptables always (dockerd
# may set policy DROP later), legacy only when its filter table already exists (checked via
# /proc so that we never instantiate legacy tables ourselves) with policy DROP.
ipt_cmds() {
  echo iptables
  if command -v iptables-legacy >/dev/null 2>&1 \
    && grep -qx filter /proc/net/ip_tables_names 2>/dev/null \
    && [[ $'\n'$(iptables-legacy -S FORWARD 2>/dev/null)$'\n' == *$'\n-P FORWARD DROP\n'* ]]; then
    echo iptables-legacy
  fi
}
RULE_SPEC=(-i "$BRIDGE" -o "$BRIDGE" -m comment --comment "$RULE_TAG" -j ACCEPT)
ensure_fw_rules() {
  local ipt chain
  while read -r ipt; do
    for chain in FORWARD DOCKER-USER; do
      "$ipt" -S "$chain" >/dev/null 2>&1 || continue
      if ! "$ipt" -C "$chain" "${RULE_SPEC[@]}" 2>/dev/null; then
        "$ipt" -I "$chain" 1 "${RULE_SPEC[@]}"
        log "   $ipt -I $chain ${RULE_SPEC[*]}"
      fi
    done
  done < <(ipt_cmds)
  return 0
}
remove_fw_rules() {
  local ipt chain i
  for ipt in iptables iptables-legacy; do
    command -v "$ipt" >/dev/null 2>&1 || continue
    if [[ $ipt == iptables-legacy ]] && ! grep -qx filter /proc/net/ip_tables_names 2>/dev/null; then continue; fi
    for chain in FORWARD DOCKER-USER; do
      "$ipt" -S "$chain" >/dev/null 2>&1 || continue
      for (( i = 0; i < 20; i++ )); do
        "$ipt" -C "$chain" "${RULE_SPEC[@]}" 2>/dev/null || break
        "$ipt" -D "$chain" "${RULE_SPEC[@]}"
        log "   removed: $ipt -D $chain ${RULE_SPEC[*]}"
      done
    done
  done
}

# ---------------------------------------------------------------- up: pieces
ensure_key() {
  mkdir -p "$KEY_DIR"
  chmod 700 "$LAB_ROOT" "$KEY_DIR"
  if [[ ! -s $LAB_KEY || ! -s $LAB_KEY.pub ]]; then
    rm -f "$LAB_KEY" "$LAB_KEY.pub"
    ssh-keygen -q -t ed25519 -N '' -C ha-lab -f "$LAB_KEY"
    log "   generated $LAB_KEY"
  else
    log "   reusing $LAB_KEY"
  fi
  chmod 600 "$LAB_KEY" "$LAB_KEY.pub"
}

ensure_bridge() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    log "   created bridge $BRIDGE"
  fi
  # (no `ip ... | grep -q`: with pipefail, grep's early exit fails the pipeline)
  [[ $(ip -o addr show dev "$BRIDGE") == *" inet $BRIDGE_CIDR "* ]] || ip addr add "$BRIDGE_CIDR" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  ensure_fw_rules
}

ensure_netns() {
  local h=$1 ns veth ip
  ns=$(host_netns "$h")
  veth=$(host_veth "$h")
  ip=$(host_ip "$h")
  if [[ -z $(netns_inode "$ns") ]]; then
    ip netns del "$ns" 2>/dev/null || true
    ip netns add "$ns"
    log "   $h: created netns $ns"
  fi
  if ! ip link show "$veth" >/dev/null 2>&1; then
    ip -n "$ns" link del eth0 2>/dev/null || true
    ip link add "$veth" type veth peer name eth0 netns "$ns"
    log "   $h: created veth $veth <-> $ns:eth0"
  fi
  ip link set "$veth" master "$BRIDGE"
  ip link set "$veth" up
  ip -n "$ns" link set lo up
  [[ $(ip -n "$ns" -o addr show dev eth0) == *" inet $ip/24 "* ]] || ip -n "$ns" addr add "$ip/24" dev eth0
  ip -n "$ns" link set eth0 up
}

ensure_host_fs() { # per-host directories + mount points on the machine
  local h=$1 hd pair target src
  hd=$(host_dir "$h")
  mkdir -p "$hd/fs" "$hd/mnt"
  for pair in "${MOUNT_MAP[@]}"; do
    target=${pair%%=*}
    src=$hd/fs/${pair#*=}
    if [[ ! -d $src ]]; then
      mkdir -p "$src"
      if [[ " ${SEEDED_DIRS[*]} " == *" $target "* && -d $target ]]; then
        cp -a "$target/." "$src/"
      fi
    fi
    if [[ ! -e $target ]]; then
      mkdir -p "$target"
      grep -qxF "$target" "$CREATED_DIRS_FILE" 2>/dev/null || echo "$target" >>"$CREATED_DIRS_FILE"
      log "   created empty mount point $target (removed again by down)"
    fi
    [[ -d $target ]] || die "$target exists and is not a directory"
  done
  chmod 1777 "$hd/fs/tmp"
  # /etc/ssh: the machine's files, own host key, own sshd_config.
  if [[ ! -s $hd/fs/etc-ssh/ssh_host_ed25519_key ]]; then
    cp -a /etc/ssh/. "$hd/fs/etc-ssh/"
    rm -f "$hd/fs/etc-ssh"/ssh_host_*
    ssh-keygen -q -t ed25519 -N '' -C "root@$h" -f "$hd/fs/etc-ssh/ssh_host_ed25519_key"
  fi
  cat >"$hd/fs/etc-ssh/sshd_config.new" <<EOF
# Generated by lab/hosts.sh for lab host $h. Root by lab key only.
ListenAddress $(host_ip "$h"):22
PidFile $hd/sshd.pid
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile $LAB_KEY.pub
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
X11Forwarding no
PrintMotd no
AcceptEnv LANG LC_*
MaxStartups 100:30:200
MaxSessions 64
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
  if cmp -s "$hd/fs/etc-ssh/sshd_config.new" "$hd/fs/etc-ssh/sshd_config"; then
    rm -f "$hd/fs/etc-ssh/sshd_config.new"
  else
    mv -f "$hd/fs/etc-ssh/sshd_config.new" "$hd/fs/etc-ssh/sshd_config"
    touch "$hd/sshd_config.changed"
  fi
}

# known_hosts with every lab host's key + an ssh_config, for strict host key checking:
#   ssh -F /var/lib/ha-lab/ssh/config 10.77.0.11
write_ssh_client_files() {
  local h
  for h in "$@"; do
    printf '%s %s\n' "$(host_ip "$h")" "$(cut -d' ' -f1,2 "$(host_dir "$h")/fs/etc-ssh/ssh_host_ed25519_key.pub")"
  done >"$KEY_DIR/known_hosts"
  cat >"$KEY_DIR/config" <<EOF
# Generated by lab/hosts.sh: ssh -F $KEY_DIR/config <lab host address>
Host $NET_PREFIX.*
  User root
  IdentityFile $LAB_KEY
  IdentitiesOnly yes
  UserKnownHostsFile $KEY_DIR/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
EOF
  chmod 600 "$KEY_DIR/known_hosts" "$KEY_DIR/config"
}

start_ns() { # mount + UTS namespace with its anchor; repairs a host whose anchor died
  local h=$1 hd ns args=() pair i a
  hd=$(host_dir "$h")
  ns=$(host_netns "$h")
  if [[ -n $(anchor_pid "$h") ]]; then
    log "   $h: reusing namespaces (anchor pid $(anchor_pid "$h"))"
    return 0
  fi
  if [[ -n $(collect_host_pids "$h") ]]; then
    log "   $h: anchor gone but lab processes remain: stopping them before re-creating"
    stop_host_procs "$h"
  fi
  rm -rf "$hd/fs/run"
  mkdir -p "$hd/fs/run/sshd" "$hd/fs/run/lock"
  chmod 755 "$hd/fs/run" "$hd/fs/run/sshd"
  chmod 1777 "$hd/fs/run/lock"
  rm -f "$hd/anchor.pid" "$hd/dockerd.pid" "$hd/sshd.pid"
  for pair in "${MOUNT_MAP[@]}"; do
    args+=("${pair%%=*}=$hd/fs/${pair#*=}")
  done
  setsid nsenter --net="/run/netns/$ns" -- \
    unshare --mount --uts --propagation private -- \
    bash "$SETUP_SCRIPT" "$h" "$hd" "${args[@]}" </dev/null >"$hd/setup.log" 2>&1 9<&- &
  for (( i = 0; i < 100; i++ )); do
    a=$(anchor_pid "$h")
    [[ -n $a ]] && break
    sleep 0.05
  done
  [[ -n $a ]] || die "$h: namespace setup failed: $(tail -n 5 "$hd/setup.log" 2>/dev/null)"
  pid_ns "$a" net >"$hd/ns.net"
  pid_ns "$a" mnt >"$hd/ns.mnt"
  log "   $h: namespaces up (anchor pid $a)"
}

start_dockerd() {
  local h=$1 hd
  hd=$(host_dir "$h")
  if [[ -n $(daemon_pid "$h" dockerd) ]]; then
    log "   $h: reusing dockerd pid $(daemon_pid "$h" dockerd)"
    return 0
  fi
  rm -f "$hd/dockerd.pid" "$(host_sock "$h")"
  in_host "$h" env -i PATH="$DAEMON_PATH" HOME=/root LANG=C.UTF-8 setsid -f \
    dockerd \
    -H unix:///run/docker.sock -H "unix://$(host_sock "$h")" \
    --pidfile "$hd/dockerd.pid" \
    --default-address-pool "base=$(host_pool "$h"),size=24" \
    --cgroup-parent "$(host_cgroup "$h")" \
    </dev/null >>"$hd/dockerd.log" 2>&1 9<&-
  log "   $h: started dockerd (log $hd/dockerd.log)"
}

start_sshd() {
  local h=$1 hd p
  hd=$(host_dir "$h")
  p=$(daemon_pid "$h" sshd)
  if [[ -z $p || -e $hd/sshd_config.changed ]]; then
    in_host "$h" /usr/sbin/sshd -t -f /etc/ssh/sshd_config || die "$h: sshd config test failed"
  fi
  if [[ -n $p ]]; then
    if [[ -e $hd/sshd_config.changed ]]; then
      kill -HUP "$p"
      log "   $h: sshd config changed: sent SIGHUP to sshd pid $p"
    else
      log "   $h: reusing sshd pid $p"
    fi
    rm -f "$hd/sshd_config.changed"
    return 0
  fi
  rm -f "$hd/sshd.pid" "$hd/sshd_config.changed"
  in_host "$h" env -i PATH="$DAEMON_PATH" HOME=/root LANG=C.UTF-8 \
    /usr/sbin/sshd -f /etc/ssh/sshd_config -E "$hd/sshd.log" </dev/null 9<&-
  log "   $h: started sshd on $(host_ip "$h"):22 (log $hd/sshd.log)"
}

wait_dockerd() { # all hosts, bounded
  local deadline pending h ok
  deadline=$(( $(now_us) + WAIT_SECONDS * 1000000 ))
  pending=("$@")
  while ((${#pending[@]})); do
    ok=()
    for h in "${pending[@]}"; do
      if [[ -n $(daemon_pid "$h" dockerd) ]] && dk "$h" 5 info -f '{{.ID}}' >/dev/null 2>&1; then
        log "   $h: dockerd answers ($(fmt_us $(( $(now_us) - STEP_START )))s)"
      else
        ok+=("$h")
      fi
    done
    pending=("${ok[@]}")
    ((${#pending[@]})) || break
    if (( $(now_us) > deadline )); then
      for h in "${pending[@]}"; do
        log "   $h: dockerd log tail:"
        tail -n 15 "$(host_dir "$h")/dockerd.log" >&2 || true
      done
      die "dockerd did not answer within ${WAIT_SECONDS}s on: ${pending[*]}"
    fi
    sleep 0.1
  done
}

wait_ssh() { # all hosts in parallel, bounded
  local deadline pending h ok out pids=() tmp
  deadline=$(( $(now_us) + WAIT_SECONDS * 1000000 ))
  tmp=$LAB_ROOT/.wait-ssh
  mkdir -p "$tmp"
  pending=("$@")
  while ((${#pending[@]})); do
    pids=()
    for h in "${pending[@]}"; do
      rm -f "$tmp/$h"
      { timeout 10 ssh "${SSH_OPTS[@]}" "root@$(host_ip "$h")" 'hostname; docker info -f {{.Name}}' \
          2>"$tmp/$h.err" | tr '\n' ' ' >"$tmp/$h"; } </dev/null &
      pids+=("$!")
    done
    for h in "${pids[@]}"; do wait "$h" || true; done
    ok=()
    for h in "${pending[@]}"; do
      out=$(cat "$tmp/$h" 2>/dev/null || true)
      if [[ $out == "$h $h " ]]; then
        log "   $h: ssh root@$(host_ip "$h") -> hostname '$h', docker name '$h' ($(fmt_us $(( $(now_us) - STEP_START )))s)"
      else
        ok+=("$h")
      fi
    done
    pending=("${ok[@]}")
    ((${#pending[@]})) || break
    if (( $(now_us) > deadline )); then
      for h in "${pending[@]}"; do
        log "   $h: ssh answered '$(cat "$tmp/$h" 2>/dev/null)' ($(head -c 300 "$tmp/$h.err" 2>/dev/null)); sshd log tail:"
        tail -n 15 "$(host_dir "$h")/sshd.log" >&2 || true
      done
      die "ssh + docker did not answer within ${WAIT_SECONDS}s on: ${pending[*]}"
    fi
    sleep 0.2
  done
  rm -rf "$tmp"
}

# ---------------------------------------------------------------- images
declare -A TAR_REFS=() TAR_ID=()
read_tar_manifest() {
  local t=$1 m
  m=$(tar -xOf "$t" manifest.json 2>/dev/null) || die "$t: no manifest.json (not a 'docker save' archive?)"
  TAR_REFS[$t]=$(jq -r '[.[] | (.RepoTags // [])[]] | join(" ")' <<<"$m")
  TAR_ID[$t]=$(jq -r '.[0].Config' <<<"$m" | sed -e 's#^blobs/sha256/##' -e 's#\.json$##')
}
tar_present_on() { # host tar -> 0 when every tag (or the image ID) already resolves to the tar's image
  local h=$1 t=$2 want ref got
  want="sha256:${TAR_ID[$t]}"
  if [[ -z ${TAR_REFS[$t]} ]]; then
    got=$(dk "$h" 20 image inspect -f '{{.Id}}' "$want" 2>/dev/null || true)
    [[ $got == "$want" ]]
    return
  fi
  for ref in ${TAR_REFS[$t]}; do
    got=$(dk "$h" 20 image inspect -f '{{.Id}}' "$ref" 2>/dev/null || true)
    [[ $got == "$want" ]] || return 1
  done
}
load_images_on() { # host tars... ; prints one line per tar
  local h=$1 t t0 out
  shift
  for t in "$@"; do
    if tar_present_on "$h" "$t"; then
      log "   $h: $(basename "$t") already present (${TAR_REFS[$t]:-sha256:${TAR_ID[$t]:0:12}})"
      continue
    fi
    t0=$(now_us)
    out=$(dk "$h" 900 load -q -i "$t" 2>&1) || die "$h: docker load $t failed: $out"
    log "   $h: loaded $(basename "$t") in $(fmt_us $(( $(now_us) - t0 )))s: $(tr '\n' ' ' <<<"$out")"
  done
}
load_images() { # hosts -- tars
  local hosts=() tars=() t h pids=() rc=0 p
  while (($#)) && [[ $1 != -- ]]; do hosts+=("$1"); shift; done
  shift
  tars=("$@")
  for t in "${tars[@]}"; do
    [[ -r $t ]] || die "image tar $t not readable"
    read_tar_manifest "$t"
    log "   $(basename "$t"): $(du -h "$t" | cut -f1), tags: ${TAR_REFS[$t]:-<none>}, id ${TAR_ID[$t]:0:12}"
  done
  if [[ $LOAD_PARALLEL == 1 ]]; then
    for h in "${hosts[@]}"; do
      load_images_on "$h" "${tars[@]}" &
      pids+=("$!")
    done
    for p in "${pids[@]}"; do wait "$p" || rc=1; done
    ((rc == 0)) || die "loading images failed (see above)"
  else
    for h in "${hosts[@]}"; do load_images_on "$h" "${tars[@]}"; done
  fi
}

# ---------------------------------------------------------------- checks
run_checks() {
  local hosts=("$@") h1 token f ids=() h id fails=0 other
  h1=${hosts[0]}
  token="ha-lab-check-$$-$RANDOM"
  f=/etc/keepalived/.ha-lab-isolation-check
  # 1. private /etc/keepalived
  if [[ $(lab_ssh "$h1" "echo $token > $f && cat $f") == "$token" ]]; then
    log "   check: $h1 wrote $f over ssh and reads it back"
  else
    log "   check FAILED: $h1 cannot read back $f"; fails=$((fails + 1))
  fi
  if [[ -e $f ]] && grep -qxF "$token" "$f"; then
    log "   check FAILED: $f written on $h1 is visible in the root namespace"; fails=$((fails + 1))
  else
    log "   check: $f of $h1 is not visible in the root namespace"
  fi
  for other in "${hosts[@]:1}"; do
    # read through the other host's namespaces (same view as its sshd, without an ssh handshake)
    if in_host "$other" grep -qxF "$token" "$f" 2>/dev/null; then
      log "   check FAILED: $f written on $h1 is visible on $other"; fails=$((fails + 1))
    else
      log "   check: $f of $h1 is not visible on $other"
    fi
  done
  in_host "$h1" rm -f "$f"
  # 2. distinct docker engine IDs
  for h in "${hosts[@]}"; do
    id=$(dk "$h" 10 info -f '{{.ID}}')
    ids+=("$id")
    log "   check: $h engine ID $id"
  done
  if (( $(printf '%s\n' "${ids[@]}" | sort -u | wc -l) == ${#hosts[@]} )); then
    log "   check: ${#hosts[@]} distinct engine IDs"
  else
    log "   check FAILED: engine IDs are not distinct"; fails=$((fails + 1))
  fi
  # 3. ping over eth0
  for other in "${hosts[@]:1}"; do
    if in_host "$h1" ping -c 1 -W 2 -I eth0 "$(host_ip "$other")" >/dev/null 2>&1; then
      log "   check: $h1 pings $other ($(host_ip "$other")) over eth0"
    else
      log "   check FAILED: $h1 cannot ping $other ($(host_ip "$other")) over eth0"; fails=$((fails + 1))
    fi
  done
  if ping -c 1 -W 2 "$(host_ip "$h1")" >/dev/null 2>&1; then
    log "   check: root namespace (LAN client $NET_PREFIX.1) pings $h1"
  else
    log "   check FAILED: root namespace cannot ping $h1"; fails=$((fails + 1))
  fi
  ((fails == 0)) || die "$fails check(s) failed"
}

print_rss() {
  local h d c s
  printf '%s\n' "---- RSS (MiB) ----" >&2
  printf '  %-6s %-16s %-16s %-16s\n' host dockerd containerd sshd >&2
  for h in "$@"; do
    d=$(daemon_pid "$h" dockerd)
    c=$(containerd_pid "$d")
    s=$(daemon_pid "$h" sshd)
    printf '  %-6s %-16s %-16s %-16s\n' "$h" \
      "${d:+$(( $(pid_rss_kib "$d") / 1024 )) (pid $d)}" \
      "${c:+$(( $(pid_rss_kib "$c") / 1024 )) (pid $c)}" \
      "${s:+$(( $(pid_rss_kib "$s") / 1024 )) (pid $s)}" >&2
  done
}

# ---------------------------------------------------------------- up
cmd_up() {
  local images="" hosts=() h tars=()
  while (($#)); do
    case $1 in
      --images) (($# >= 2)) || die "--images needs a value"; images=$2; shift 2 ;;
      --images=*) images=${1#--images=}; shift ;;
      *) die "up: unknown argument '$1'" ;;
    esac
  done
  require_root
  require_tools
  take_lock
  mapfile -t hosts < <(default_hosts)
  read -r -a tars <<<"$images"

  step "lab key"
  mkdir -p "$LAB_ROOT"
  ensure_key
  step_done

  step "bridge $BRIDGE + FORWARD rules"
  ensure_bridge
  step_done

  step "netns + veth"
  for h in "${hosts[@]}"; do ensure_netns "$h"; done
  step_done "${#hosts[@]} hosts"

  step "per-host dirs + ssh host keys"
  for h in "${hosts[@]}"; do ensure_host_fs "$h"; done
  step_done

  write_ssh_client_files "${hosts[@]}"

  step "mount+uts namespaces"
  for h in "${hosts[@]}"; do start_ns "$h"; done
  step_done

  step "start dockerd + sshd"
  for h in "${hosts[@]}"; do start_dockerd "$h"; done
  for h in "${hosts[@]}"; do start_sshd "$h"; done
  step_done

  step "wait dockerd"
  wait_dockerd "${hosts[@]}"
  step_done

  step "wait ssh + docker over ssh"
  wait_ssh "${hosts[@]}"
  step_done

  if ((${#tars[@]})); then
    step "images (parallel=$LOAD_PARALLEL)"
    load_images "${hosts[@]}" -- "${tars[@]}"
    step_done "${#tars[@]} tar(s)"
  fi

  step "checks"
  run_checks "${hosts[@]}"
  step_done

  printf '%s\n' "---- lab hosts ----" >&2
  for h in "${hosts[@]}"; do
    printf '  %s  %s  ssh root@%s  docker -H unix://%s  (dockerd %s, sshd %s, anchor %s)\n' \
      "$h" "$(host_ip "$h")" "$(host_ip "$h")" "$(host_sock "$h")" \
      "$(daemon_pid "$h" dockerd)" "$(daemon_pid "$h" sshd)" "$(anchor_pid "$h")" >&2
  done
  printf '  ssh key: %s (ssh -F %s/config <address>)   LAN client: %s (root namespace)\n' "$LAB_KEY" "$KEY_DIR" "$BRIDGE_CIDR" >&2
  print_rss "${hosts[@]}"
  print_timings "up"
}

# ---------------------------------------------------------------- down
# Every process that belongs to a host, found by several independent means so that down
# works after a half-failed up: tagged command lines (the anchor "ha-lab-anchor-labN",
# dockerd with -H unix://<host dir>/docker.sock, sshd with -E <host dir>/sshd.log), the
# network namespace /run/netns/ha-labN, the network and mount namespaces of those tagged
# processes (also after `ip netns del`), the host's container cgroup, then all descendants
# (container processes live in other network namespaces). Never pid 1, never this script
# or its ancestors, never a process of the root network or mount namespace by ns match.
collect_host_pids() {
  local h=$1 hd nsid pid path target line rest ppid p c cg
  local -a argv=() queue=()
  local -A found=() kids=() pnet=() pmnt=() nets=() mnts=() skip=()
  hd=$(host_dir "$h")
  local root_net root_mnt
  root_net=$(pid_ns 1 net)
  root_mnt=$(pid_ns 1 mnt)
  p=$$
  while [[ $p =~ ^[0-9]+$ && $p -gt 1 ]]; do
    skip[$p]=1
    { read -r line <"/proc/$p/stat"; } 2>/dev/null || break
    rest=${line##*) }
    read -r _ p _ <<<"$rest"
  done
  skip[1]=1
  skip[$BASHPID]=1
  nsid=$(netns_inode "$(host_netns "$h")")
  [[ -n $nsid ]] && nets[$nsid]=1
  while read -r path target; do
    pid=${path#/proc/}
    pid=${pid%%/*}
    case $path in
      */net) pnet[$pid]=$target ;;
      */mnt) pmnt[$pid]=$target ;;
    esac
  done < <(find /proc/[0-9]*/ns/net /proc/[0-9]*/ns/mnt -maxdepth 0 -printf '%p %l\n' 2>/dev/null)
  for pid in "${!pmnt[@]}"; do
    [[ -n ${skip[$pid]:-} ]] && continue
    if { read -r line <"/proc/$pid/stat"; } 2>/dev/null; then
      rest=${line##*) }
      read -r _ ppid _ <<<"$rest"
      kids[$ppid]+="$pid "
    fi
    { mapfile -d '' -t argv <"/proc/$pid/cmdline"; } 2>/dev/null || argv=()
    ((${#argv[@]})) || continue
    case " ${argv[*]} " in
      " ha-lab-anchor-$h "*|*dockerd*" unix://$hd/docker.sock "*|*sshd*" -E $hd/sshd.log "*)
        found[$pid]=1
        [[ -n ${pnet[$pid]:-} && ${pnet[$pid]} != "$root_net" ]] && nets[${pnet[$pid]}]=1
        [[ -n ${pmnt[$pid]:-} && ${pmnt[$pid]} != "$root_mnt" ]] && mnts[${pmnt[$pid]}]=1
        ;;
    esac
  done
  for pid in "${!pmnt[@]}"; do
    [[ -n ${skip[$pid]:-} ]] && continue
    if [[ -n ${nets[${pnet[$pid]:-x}]:-} || -n ${mnts[${pmnt[$pid]:-x}]:-} ]]; then
      found[$pid]=1
    fi
  done
  for cg in /sys/fs/cgroup/*"$(host_cgroup "$h")"; do
    [[ -d $cg ]] || continue
    while read -r pid; do
      [[ -n $pid && -z ${skip[$pid]:-} ]] && found[$pid]=1
    done < <(find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null)
  done
  queue=("${!found[@]}")
  while ((${#queue[@]})); do
    p=${queue[0]}
    queue=("${queue[@]:1}")
    for c in ${kids[$p]:-}; do
      if [[ -z ${found[$c]:-} && -z ${skip[$c]:-} ]]; then
        found[$c]=1
        queue+=("$c")
      fi
    done
  done
  for p in "${!found[@]}"; do
    [[ -n ${skip[$p]:-} ]] && continue
    pid_alive "$p" && printf '%s\n' "$p"
  done | sort -n
  return 0
}

wait_gone() { # seconds pids...
  local t=$1 i p alive
  shift
  for (( i = 0; i < t * 10; i++ )); do
    alive=0
    for p in "$@"; do pid_alive "$p" && [[ $(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) != Z ]] && alive=1; done
    ((alive)) || return 0
    sleep 0.1
  done
  return 1
}
stop_pid() { # name pid timeout
  local name=$1 p=$2 t=$3
  pid_alive "$p" || return 0
  kill -TERM "$p" 2>/dev/null || true
  if wait_gone "$t" "$p"; then
    log "   stopped $name pid $p (SIGTERM)"
  else
    kill -KILL "$p" 2>/dev/null || true
    wait_gone 5 "$p" || true
    log "   stopped $name pid $p (SIGKILL after ${t}s)"
  fi
}
stop_host_procs() {
  local h=$1 hd d s rest=() p
  hd=$(host_dir "$h")
  d=$(read_pid "$hd/dockerd.pid")
  if pid_alive "$d" && [[ $(pid_exe "$d") == */dockerd ]]; then stop_pid "$h dockerd" "$d" 30; fi
  s=$(read_pid "$hd/sshd.pid")
  if pid_alive "$s" && [[ $(pid_exe "$s") == */sshd ]]; then stop_pid "$h sshd" "$s" 5; fi
  mapfile -t rest < <(collect_host_pids "$h")
  ((${#rest[@]})) || return 0
  for p in "${rest[@]}"; do
    log "   $h: killing remaining pid $p ($(pid_comm "$p"): $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-80))"
    kill -TERM "$p" 2>/dev/null || true
  done
  if ! wait_gone 10 "${rest[@]}"; then
    for p in "${rest[@]}"; do
      pid_alive "$p" && { kill -KILL "$p" 2>/dev/null || true; log "   $h: SIGKILL pid $p"; }
    done
    wait_gone 5 "${rest[@]}" || log "   $h: WARNING: some processes survived SIGKILL"
  fi
}

teardown_host() { # host: remaining processes, netns, veth, cgroups, files
  local h=$1 hd ns veth cg n m t0 mounts=() cgs=() bad=()
  t0=$(now_us)
  hd=$(host_dir "$h")
  ns=$(host_netns "$h")
  veth=$(host_veth "$h")
  stop_host_procs "$h"
  if [[ -n $(netns_inode "$ns") || -e /run/netns/$ns ]]; then
    ip netns del "$ns" 2>/dev/null || true
    log "   $h: deleted netns $ns"
  fi
  if ip link show "$veth" >/dev/null 2>&1; then
    ip link del "$veth" 2>/dev/null || true
    log "   $h: deleted veth $veth"
  fi
  # cgroups docker created for this host's containers (empty once the processes are gone)
  for cg in /sys/fs/cgroup/*"$(host_cgroup "$h")"; do
    [[ -d $cg ]] || continue
    find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true
    if [[ -d $cg ]]; then bad+=("$cg"); else cgs+=("${cg#/sys/fs/cgroup/}"); fi
  done
  ((${#cgs[@]} == 0)) || log "   $h: removed cgroup $(host_cgroup "$h") in ${#cgs[@]} hierarchies"
  ((${#bad[@]} == 0)) || log "   $h: WARNING: cgroups not removable: ${bad[*]}"
  if [[ -d $hd ]]; then
    mapfile -t mounts < <(awk -v p="$hd" '$5 == p || index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r)
    for m in "${mounts[@]}"; do umount -l "$m" && log "   $h: unmounted $m"; done
    n=$(du -sh "$hd" 2>/dev/null | cut -f1)
    rm -rf --one-file-system "$hd"
    log "   $h: removed $hd ($n)"
  fi
  log "   $h: torn down in $(fmt_us $(( $(now_us) - t0 )))s"
}

docker_cleanup() { # host: bounded; a silent or absent dockerd is fine (processes get killed)
  local h=$1 ids=()
  dk "$h" 5 version >/dev/null 2>&1 || return 0
  if dk "$h" 20 swarm leave --force >/dev/null 2>&1; then log "   $h: left swarm"; fi
  mapfile -t ids < <(dk "$h" 10 ps -aq 2>/dev/null || true)
  ((${#ids[@]})) || return 0
  if dk "$h" 60 rm -f "${ids[@]}" >/dev/null 2>&1; then
    log "   $h: removed ${#ids[@]} container(s)"
  else
    log "   $h: WARNING: docker rm -f did not finish (processes are killed below)"
  fi
}

discover_hosts() { # every host something is left of, plus the configured ones
  {
    default_hosts
    local f
    for f in "$LAB_ROOT"/lab* /run/netns/ha-lab*; do
      [[ -e $f ]] || continue
      f=${f##*/}
      f=${f#ha-}
      valid_host "$f" && echo "$f"
    done
    ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed -n 's/^hl-\(lab[1-9]\)@.*/\1/p'
  } | sort -u
}

cmd_down() {
  local keep_key=0 h hd m mounts=() d
  while (($#)); do
    case $1 in
      --keep-key) keep_key=1; shift ;;
      *) die "down: unknown argument '$1'" ;;
    esac
  done
  require_root
  take_lock
  local hosts=() jobs=() daemons=() p
  mapfile -t hosts < <(discover_hosts)

  # 1. All hosts at once: leave the swarm (so that it does not restart tasks), remove containers.
  step "swarm leave + docker rm -f (parallel)"
  for h in "${hosts[@]}"; do
    [[ -S $(host_sock "$h") ]] || continue
    docker_cleanup "$h" &
    jobs+=("$!")
  done
  for p in "${jobs[@]}"; do wait "$p" || true; done
  step_done

  # 2. All hosts at once: SIGTERM every dockerd and sshd, wait (bounded), then SIGKILL.
  step "stop dockerd + sshd (parallel)"
  for h in "${hosts[@]}"; do
    hd=$(host_dir "$h")
    for d in dockerd sshd; do
      p=$(read_pid "$hd/$d.pid")
      if pid_alive "$p" && [[ $(pid_exe "$p") == */$d ]]; then
        kill -TERM "$p" 2>/dev/null || true
        daemons+=("$p")
        log "   $h: SIGTERM $d pid $p"
      fi
    done
  done
  if ((${#daemons[@]})) && ! wait_gone 30 "${daemons[@]}"; then
    for p in "${daemons[@]}"; do
      pid_alive "$p" && { kill -KILL "$p" 2>/dev/null || true; log "   SIGKILL pid $p ($(pid_comm "$p")) after 30 s"; }
    done
    wait_gone 5 "${daemons[@]}" || true
  fi
  step_done

  # 3. All hosts at once: whatever is left of each host (see teardown_host).
  step "per host: processes, netns, veth, cgroups, files (parallel)"
  jobs=()
  for h in "${hosts[@]}"; do
    teardown_host "$h" &
    jobs+=("$!")
  done
  for p in "${jobs[@]}"; do wait "$p" || true; done
  step_done

  step "bridge, firewall rules, mount points"
  if ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link del "$BRIDGE"
    log "   deleted bridge $BRIDGE"
  fi
  remove_fw_rules
  if [[ -r $CREATED_DIRS_FILE ]]; then
    while read -r d; do
      [[ -n $d && -d $d ]] || continue
      if rmdir "$d" 2>/dev/null; then log "   removed mount point $d"; else log "   kept $d (not empty)"; fi
    done <"$CREATED_DIRS_FILE"
    rm -f "$CREATED_DIRS_FILE"
  fi
  mapfile -t mounts < <(awk -v p="$LAB_ROOT" '$5 == p || index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r)
  for m in "${mounts[@]}"; do umount -l "$m" && log "   unmounted $m"; done
  if ((keep_key)); then
    find "$LAB_ROOT" -mindepth 1 -maxdepth 1 ! -name ssh -exec rm -rf --one-file-system {} + 2>/dev/null || true
    log "   kept $KEY_DIR"
  elif [[ -d $LAB_ROOT ]]; then
    rm -rf --one-file-system "$LAB_ROOT"
    log "   removed $LAB_ROOT"
  fi
  step_done
  print_timings "down"
}

# ---------------------------------------------------------------- status / exec
cmd_status() {
  local h ns a d s dans swarm ctr rc=0
  printf '%-6s %-13s %-8s %-8s %-17s %-8s %-10s %s\n' host ip netns anchor dockerd sshd swarm containers
  while read -r h; do
    ns=no; [[ -n $(netns_inode "$(host_netns "$h")") ]] && ns=yes
    a=$(anchor_pid "$h")
    d=$(daemon_pid "$h" dockerd)
    s=$(daemon_pid "$h" sshd)
    dans=down; swarm=-; ctr=-
    if [[ -n $d ]]; then
      if swarm=$(dk "$h" 5 info -f '{{.Swarm.LocalNodeState}}' 2>/dev/null); then
        dans="$d/answers"
        ctr="$(dk "$h" 5 ps -q 2>/dev/null | wc -l) running"
        ctr+=" $(dk "$h" 5 ps --format '{{.Names}}' 2>/dev/null | tr '\n' ' ')"
      else
        dans="$d/silent"; swarm=-
      fi
    fi
    [[ -n $a && -n $d && -n $s && $dans == */answers ]] || rc=1
    printf '%-6s %-13s %-8s %-8s %-17s %-8s %-10s %s\n' "$h" "$(host_ip "$h")" "$ns" "${a:-dead}" "$dans" "${s:-dead}" "$swarm" "$ctr"
  done < <(discover_hosts)
  printf 'bridge %s: %s\n' "$BRIDGE" "$(ip -br addr show "$BRIDGE" 2>/dev/null | awk '{print $2, $3}' || true)"
  [[ -n $(ip -br link show "$BRIDGE" 2>/dev/null) ]] || { echo "bridge $BRIDGE: absent"; rc=1; }
  return "$rc"
}

cmd_exec() {
  (($# >= 1)) || die "usage: $0 exec labN [--] cmd..."
  local h=$1
  shift
  valid_host "$h" || die "bad host '$h' (lab1..lab9)"
  [[ ${1:-} == -- ]] && shift
  (($#)) || set -- bash
  in_host "$h" "$@"
}

# What the dev stack's host section must say; test/unit/lab-description.test.ts compares.
cmd_describe() {
  local h
  while read -r h; do
    printf '%s %s unix://%s\n' "$h" "$(host_ip "$h")" "$(host_sock "$h")"
  done < <(default_hosts)
}

cmd_ssh() {
  (($# >= 1)) || die "usage: $0 ssh labN [cmd...]"
  local h=$1
  shift
  valid_host "$h" || die "bad host '$h' (lab1..lab9)"
  exec ssh "${SSH_OPTS[@]}" "root@$(host_ip "$h")" "$@"
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
  exit "${1:-2}"
}

main() {
  (($#)) || usage
  local cmd=$1
  shift
  host_count >/dev/null # validates HA_LAB_HOSTS before anything runs
  case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    exec) cmd_exec "$@" ;;
    ssh) cmd_ssh "$@" ;;
    describe) cmd_describe "$@" ;;
    -h|--help|help) usage 0 ;;
    *) log "unknown command '$cmd'"; usage ;;
  esac
}

main "$@"
