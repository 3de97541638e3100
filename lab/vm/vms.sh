#!/usr/bin/env bash
# The VM lab's machines: real Debian 12 VMs under QEMU on this machine, which a stack provisions
# over SSH as if they were fresh cloud VMs. Nothing leaves the machine: the VMs, the bridge, the
# apt repository and the registry all live in the network namespace havm (no route out, no NAT).
#
#   vms.sh build            lab images (lab/images.sh build), lab CA, base image, apt repository,
#                           registry content; each part cached and rebuilt only when its recipe
#                           changes
#   vms.sh up [--vms N]     build (cached), then namespace havm with bridge havm0 10.78.0.1/24 and a
#                           tap per VM, the repository (HTTP :8080) and the registry (HTTPS :5000) on
#                           10.78.0.1, VMs vm1..vmN (N 1-3, default 2) at 10.78.0.11.., each booted
#                           from a copy-on-write overlay with a seed disk for its identity; waits
#                           until each VM's sshd accepts the lab key with the pinned host key and
#                           systemd reports running (or degraded, with the failed units named);
#                           writes /var/lib/ha-vmlab/vms.json. Idempotent: running VMs are only
#                           checked again.
#   vms.sh down             poweroff (bounded), then SIGTERM/SIGKILL by PID file; the servers by
#                           PID; taps, bridge, namespace and /var/lib/ha-vmlab removed (the cache
#                           stays). Works after a partial up.
#   vms.sh exec VM [CMD...] CMD as root on VM over SSH (ssh semantics: the words are joined and
#                           run by the remote shell; no CMD: an interactive shell); exit code passed
#                           through. Connections are shared (ControlMaster, ControlPersist 300 s).
#   vms.sh ns CMD...        CMD inside the havm namespace (for the Pulumi engine, SQL clients)
#   vms.sh kill VM          SIGKILL the VM's qemu: a power loss
#   vms.sh start VM         boot a stopped VM again from its overlay; waits as up does
#   vms.sh reboot VM        systemctl reboot over SSH; waits for the new boot's sshd; seconds
#   vms.sh status           each VM's PID and whether SSH answers; the servers' PIDs
#
# Files: /var/lib/ha-vmlab/vms.json ([{"name","address","hostKey","lanInterface","user",
# "sshKeyPath"}]); ssh/{vm_key,known_hosts,config} (`ip netns exec havm ssh -F
# /var/lib/ha-vmlab/ssh/config vm1`); vmN/{overlay.qcow2,seed.img,qemu.pid,serial.log};
# run/{http,registry}.pid; timings/*.json. Cache: /root/.cache/ha-mysql-iac/vm/.
# Settings: lab/vm/vm.env. Environment: HA_VM_CPUS (default 1), HA_VM_MEMORY_MB (default 1536), HA_VM_TB_SIZE_MB (128),
# HA_VM_WAIT_SECONDS (360), HA_VM_ACCEL (auto: kvm only when /dev/kvm is hardware KVM, else tcg),
# HA_VM_COUNT (default for --vms), HA_VM_DEBIAN_MIRROR (the mirror for build), HA_VM_WARM_DIR
# (new VMs boot over the warm disks of lab/vm/warm.sh instead of the bare base image).
set -euo pipefail
LOG_TAG=vms
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lab/vm/common.sh
. "$HERE/common.sh"
# shellcheck source=lab/lib/steps.sh
. "$HERE/../lib/steps.sh"
SELF=("$BASH" "$HERE/vms.sh")

MEMORY_MB=${HA_VM_MEMORY_MB:-$VM_MEMORY_MB}
TB_SIZE_MB=${HA_VM_TB_SIZE_MB:-$VM_TB_SIZE_MB}
CPUS=${HA_VM_CPUS:-$VM_CPUS}
WAIT_SECONDS=${HA_VM_WAIT_SECONDS:-$VM_WAIT_SECONDS}
HTTP_PIDFILE=$VM_RUN_DIR/http.pid
REGISTRY_PIDFILE=$VM_RUN_DIR/registry.pid
QEMU=qemu-system-x86_64

# ---------------------------------------------------------------- names
valid_vm() { [[ $1 =~ ^vm[1-9]$ ]] && ((${1#vm} <= VM_MAX_COUNT)); }
vm_ip() { printf '%s.%d' "$VM_NET_PREFIX" $((VM_HOST_OCTET + ${1#vm})); }
vm_tap() { printf 'havm-%s' "$1"; }
vm_mac() { printf '52:54:00:4e:00:%02x' $((VM_HOST_OCTET + ${1#vm})); }
vm_dir() { printf '%s/%s' "$VM_LAB_DIR" "$1"; }
vm_pid() { read_pid "$(vm_dir "$1")/qemu.pid"; }
vm_running() { pid_is "$(vm_pid "$1")" "$QEMU"; }
# The lab's VMs: those with a directory (created by up), in order.
lab_vms() {
	local d
	for d in "$VM_LAB_DIR"/vm[1-9]; do
		[[ -d $d ]] && basename "$d"
	done
	return 0
}
need_vm() {
	valid_vm "$1" || die "no such VM '$1' (vm1..vm$VM_MAX_COUNT)"
	[[ -d $(vm_dir "$1") ]] || die "$1 is not part of the lab: lab/vm/vms.sh up --vms ${1#vm}"
}
netns_exists() { [[ -e /run/netns/$VM_NETNS ]]; }

# ---------------------------------------------------------------- ssh
# Over the shared connection (ControlMaster), for commands.
vm_ssh() {
	local vm=$1
	shift
	ip netns exec "$VM_NETNS" ssh -F "$VM_SSH_CONFIG" "$vm" "$@"
}
# A fresh connection that never becomes a master: for probing whether sshd answers.
vm_probe() {
	local vm=$1
	shift
	timeout 10 ip netns exec "$VM_NETNS" ssh -F "$VM_SSH_CONFIG" -o ControlMaster=no -o ControlPath=none \
		-o ConnectTimeout=3 "$vm" "${@:-true}" 2>/dev/null
}
# Ends the shared connection (after a power loss it would otherwise hang until ServerAlive gives up).
close_master() {
	[[ -f $VM_SSH_CONFIG ]] && netns_exists || return 0
	ip netns exec "$VM_NETNS" ssh -F "$VM_SSH_CONFIG" -O exit "$1" >/dev/null 2>&1 || true
}

write_ssh_files() {
	local vm d
	mkdir -p "$VM_SSH_DIR"
	chmod 0700 "$VM_SSH_DIR"
	{
		for vm in $(lab_vms); do
			d=$(vm_dir "$vm")
			printf '%s,%s %s\n' "$vm" "$(vm_ip "$vm")" "$(cut -d' ' -f1,2 "$d/ssh_host_ed25519_key.pub")"
		done
	} >"$VM_KNOWN_HOSTS.tmp"
	mv "$VM_KNOWN_HOSTS.tmp" "$VM_KNOWN_HOSTS"
	{
		printf '# Written by lab/vm/vms.sh. Use inside the lab namespace:\n'
		printf '#   ip netns exec %s ssh -F %s vm1\n' "$VM_NETNS" "$VM_SSH_CONFIG"
		for vm in $(lab_vms); do
			printf 'Host %s %s\n  HostName %s\n' "$vm" "$(vm_ip "$vm")" "$(vm_ip "$vm")"
		done
		cat <<EOF
Host *
  User root
  IdentityFile $VM_KEY
  IdentitiesOnly yes
  UserKnownHostsFile $VM_KNOWN_HOSTS
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 5
  # A VM that lost power ends its shared connection within ~15 s.
  ServerAliveInterval 5
  ServerAliveCountMax 3
  # One new connection costs ~0.8 s under emulation: share one per VM.
  ControlMaster auto
  ControlPath $VM_SSH_DIR/cm-%C
  ControlPersist 300
  # curve25519 is the cheapest key exchange both ends accept.
  KexAlgorithms curve25519-sha256
  LogLevel ERROR
EOF
	} >"$VM_SSH_CONFIG.tmp"
	mv "$VM_SSH_CONFIG.tmp" "$VM_SSH_CONFIG"
}

# ---------------------------------------------------------------- build
cmd_build() {
	need_root
	mkdir -p "$VM_CACHE_DIR"
	exec 9>"$VM_CACHE_DIR/build.lock"
	flock -w 1200 9 || die "another build holds $VM_CACHE_DIR/build.lock"
	local rc=0
	STEPS_JSON=${STEPS_JSON:-$VM_TIMINGS_DIR/build.json}
	{
		step "lab images" bash "$VM_REPO_ROOT/lab/images.sh" build &&
			step "lab CA" bash "$HERE/registry.sh" ca &&
			step "base image" bash "$HERE/image.sh" build &&
			step "apt repository" bash "$HERE/repo.sh" build &&
			step "registry images" bash "$HERE/registry.sh" push
	} || rc=$?
	steps_summary
	return "$rc"
}

# ---------------------------------------------------------------- up: network and servers
op_network() {
	local n=$1 i vm tap
	if ! netns_exists; then
		ip netns add "$VM_NETNS"
		log "namespace $VM_NETNS created"
	fi
	ip -n "$VM_NETNS" link set lo up
	if ! ip -n "$VM_NETNS" link show "$VM_BRIDGE" >/dev/null 2>&1; then
		# No STP and no forward delay: a tap forwards as soon as its VM opens it.
		ip -n "$VM_NETNS" link add "$VM_BRIDGE" type bridge stp_state 0 forward_delay 0
		ip -n "$VM_NETNS" addr add "$VM_GATEWAY/24" dev "$VM_BRIDGE"
		log "bridge $VM_BRIDGE $VM_GATEWAY/24 created"
	fi
	ip -n "$VM_NETNS" link set "$VM_BRIDGE" up
	for ((i = 1; i <= n; i++)); do
		vm=vm$i
		tap=$(vm_tap "$vm")
		if ! ip -n "$VM_NETNS" link show "$tap" >/dev/null 2>&1; then
			ip -n "$VM_NETNS" tuntap add dev "$tap" mode tap
			ip -n "$VM_NETNS" link set "$tap" master "$VM_BRIDGE"
		fi
		ip -n "$VM_NETNS" link set "$tap" up
	done
	log "taps: $(ip -n "$VM_NETNS" -br link show master "$VM_BRIDGE" | awk '{ print $1 }' | tr '\n' ' ')"
}

# start_server NAME PIDFILE EXE LOG CMD...: CMD in the namespace, detached, its PID in PIDFILE.
# Daemons get neither lock descriptor (8, 9): they would hold the lab's locks after up ends.
start_server() {
	local name=$1 pidfile=$2 exe=$3 logf=$4 pid
	shift 4
	pid=$(read_pid "$pidfile")
	if pid_is "$pid" "$exe"; then
		log "$name: running (pid $pid)"
		return 0
	fi
	rm -f "$pidfile"
	# shellcheck disable=SC2016 # expanded by the inner shell
	setsid sh -c 'echo $$ >"$1"; shift; exec ip netns exec "$@"' sh "$pidfile" "$VM_NETNS" "$@" \
		>"$logf" 2>&1 </dev/null 8>&- 9>&- &
	local i
	for ((i = 0; i < 50; i++)); do
		pid=$(read_pid "$pidfile")
		pid_is "$pid" "$exe" && break
		sleep 0.1
	done
	pid_is "$pid" "$exe" || die "$name did not start (log: $logf)"
	log "$name: started (pid $pid, log $logf)"
}

# wait_url NAME URL [curl options]: bounded wait until URL answers inside the namespace.
wait_url() {
	local name=$1 url=$2 i
	shift 2
	for ((i = 0; i < 100; i++)); do
		ip netns exec "$VM_NETNS" curl -fsS --max-time 2 "$@" -o /dev/null "$url" 2>/dev/null && return 0
		sleep 0.2
	done
	die "$name does not answer on $url after 20 s"
}

op_services() {
	local repo config
	repo=$(bash "$HERE/repo.sh" dir)
	[[ -f $repo/.complete ]] || die "no apt repository for the current recipe: lab/vm/vms.sh build"
	mkdir -p "$VM_RUN_DIR"
	if [[ $(cat "$VM_RUN_DIR/repo" 2>/dev/null || true) != "$repo" ]] && pid_is "$(read_pid "$HTTP_PIDFILE")" python3; then
		log "apt repository: the server serves an older build: restarting it"
		stop_pid "apt repository" "$HTTP_PIDFILE" python3
	fi
	printf '%s\n' "$repo" >"$VM_RUN_DIR/repo"
	start_server "apt repository" "$HTTP_PIDFILE" python3 "$VM_RUN_DIR/http.log" \
		python3 -m http.server "$VM_REPO_PORT" --bind "$VM_GATEWAY" --directory "$repo"
	config=$(bash "$HERE/registry.sh" config)
	start_server "registry" "$REGISTRY_PIDFILE" docker-registry "$VM_RUN_DIR/registry.log" \
		docker-registry serve "$config"
	wait_url "apt repository" "$VM_REPO_URL/Release"
	wait_url "registry" "https://$VM_REGISTRY/v2/" --cacert "$VM_CA_DIR/ca.crt"
	log "apt repository: $VM_REPO_URL ($(find "$repo/debian" -name '*.deb' | wc -l) packages); registry: https://$VM_REGISTRY"
}

# ---------------------------------------------------------------- up: disks and seeds
op_prepare() {
	local n=$1 i vm d img seed backing
	img=$(bash "$HERE/image.sh" dir)
	[[ -f $img/.complete ]] || die "no base image for the current recipe: lab/vm/vms.sh build"
	mkdir -p "$VM_SSH_DIR"
	chmod 0700 "$VM_SSH_DIR"
	[[ -s $VM_KEY ]] || ssh-keygen -q -t ed25519 -N '' -C ha-vmlab -f "$VM_KEY"
	for ((i = 1; i <= n; i++)); do
		vm=vm$i
		d=$(vm_dir "$vm")
		mkdir -p "$d"
		if [[ ! -f $d/overlay.qcow2 ]]; then
			backing=$img/base.qcow2
			if [[ -n ${HA_VM_WARM_DIR:-} ]]; then
				backing=$HA_VM_WARM_DIR/$vm.qcow2
				[[ -f $HA_VM_WARM_DIR/.complete && -f $backing ]] || die "$vm: no warm disk $backing. Fix: lab/vm/warm.sh build (or unset HA_VM_WARM_DIR for a bare VM)"
			fi
			qemu-img create -q -f qcow2 -F qcow2 -b "$backing" "$d/overlay.qcow2.tmp" "${VM_DISK_GB}G"
			mv "$d/overlay.qcow2.tmp" "$d/overlay.qcow2"
			printf '%s\n' "$img" >"$d/image"
			printf '%s\n' "$MEMORY_MB" >"$d/memory-mb"
			log "$vm: overlay ${VM_DISK_GB} GiB over $backing"
		fi
		[[ -s $d/ssh_host_ed25519_key ]] || ssh-keygen -q -t ed25519 -N '' -C "root@$vm" -f "$d/ssh_host_ed25519_key"
		seed=$d/seed
		rm -rf "$seed"
		mkdir -p "$seed"
		printf '%s\n' "$vm" >"$seed/hostname"
		printf '[Match]\nName=eth0\n\n[Network]\nAddress=%s/24\nIPv6AcceptRA=no\n' "$(vm_ip "$vm")" >"$seed/10-eth0.network"
		cp "$d/ssh_host_ed25519_key" "$d/ssh_host_ed25519_key.pub" "$seed/"
		cp "$VM_KEY.pub" "$seed/authorized_keys"
		printf '# The VM lab repository (unsigned, built from Debian on the lab machine): trusted=yes.\ndeb [trusted=yes] %s ./\n' \
			"$VM_REPO_URL" >"$seed/ha-vmlab.list"
		truncate -s 8M "$d/seed.img.tmp"
		mkfs.ext4 -q -F -L "$VM_SEED_LABEL" -d "$seed" "$d/seed.img.tmp"
		mv "$d/seed.img.tmp" "$d/seed.img"
	done
	write_ssh_files
}

# ---------------------------------------------------------------- VMs
real_kvm() {
	[[ -c /dev/kvm ]] && grep -qwE 'vmx|svm' /proc/cpuinfo && [[ -d /sys/module/kvm_intel || -d /sys/module/kvm_amd ]]
}
accel_args() {
	local want=${HA_VM_ACCEL:-auto}
	if [[ $want == auto ]]; then
		# /dev/kvm here may be a software hypervisor (kvm_pvm) that cannot run Debian's kernel.
		if real_kvm; then want=kvm; else want=tcg; fi
	fi
	case $want in
	kvm) printf '%s\n' -accel kvm -cpu host ;;
	tcg) printf '%s\n' -accel "tcg,thread=multi,tb-size=$TB_SIZE_MB" -cpu max ;;
	*) die "HA_VM_ACCEL must be auto, kvm or tcg (got '$want')" ;;
	esac
}

launch_vm() {
	local vm=$1 d img mem accel
	d=$(vm_dir "$vm")
	img=$(cat "$d/image")
	mem=$(cat "$d/memory-mb" 2>/dev/null || printf '%s' "$MEMORY_MB")
	[[ -f $img/vmlinuz ]] || die "$vm: its image $img is gone: lab/vm/vms.sh down, then up"
	ip -n "$VM_NETNS" link show "$(vm_tap "$vm")" >/dev/null 2>&1 || die "$vm: no tap $(vm_tap "$vm"): lab/vm/vms.sh up"
	mapfile -t accel < <(accel_args)
	# The previous boot's console stays readable after a power loss.
	[[ ! -f $d/serial.log ]] || mv "$d/serial.log" "$d/serial.prev.log"
	rm -f "$d/qemu.pid"
	printf '%s\n' "${EPOCHREALTIME/./}" >"$d/launched"
	: >"$d/boot-pending"
	if ! ip netns exec "$VM_NETNS" "$QEMU" -name "$vm" -machine q35 "${accel[@]}" -smp "$CPUS" -m "$mem" \
		-nodefaults -no-user-config -display none \
		-kernel "$img/vmlinuz" -initrd "$img/initrd.img" \
		-append "root=/dev/vda rw console=ttyS0,115200 net.ifnames=0 panic=10" \
		-drive "if=none,id=root,file=$d/overlay.qcow2,format=qcow2,discard=unmap" \
		-device virtio-blk-pci,drive=root,serial=havm-root \
		-drive "if=none,id=seed,file=$d/seed.img,format=raw,readonly=on" \
		-device virtio-blk-pci,drive=seed,serial=havm-seed \
		-netdev "tap,id=lan,ifname=$(vm_tap "$vm"),script=no,downscript=no" \
		-device "virtio-net-pci,netdev=lan,mac=$(vm_mac "$vm"),romfile=" \
		-device virtio-rng-pci \
		-serial "file:$d/serial.log" \
		-qmp "unix:$d/qmp.sock,server=on,wait=off" \
		-pidfile "$d/qemu.pid" -daemonize >"$d/qemu.log" 2>&1 </dev/null 8>&- 9>&-; then
		cat "$d/qemu.log" >&2
		die "$vm: qemu did not start"
	fi
	log "$vm: qemu pid $(vm_pid "$vm") (${accel[1]%%,*}, $CPUS vCPU, ${mem} MiB, console $d/serial.log)"
}

op_boot() {
	local n=$1 i vm
	for ((i = 1; i <= n; i++)); do
		vm=vm$i
		if vm_running "$vm"; then
			log "$vm: running (pid $(vm_pid "$vm"))"
		else
			launch_vm "$vm"
		fi
	done
}

# wait_vm VM LABEL: bounded wait for sshd (pinned key, a fresh connection) and systemd, both over
# one connection per try (each costs ~0.8 s under emulation). LABEL boot/start/reboot: seconds
# since the launch, also written to timings/LABEL-VM.json; LABEL check: a running VM checked again.
wait_vm() {
	local vm=$1 label=$2 d launched deadline next_note pid sshd_s="" state="" failed="" line n remote
	d=$(vm_dir "$vm")
	launched=$(cat "$d/launched" 2>/dev/null || printf '%s' "${EPOCHREALTIME/./}")
	[[ $label != check ]] || launched=${EPOCHREALTIME/./}
	# is-system-running exits non-zero unless running; the state is on stdout either way.
	remote="echo ssh-ok; timeout $WAIT_SECONDS systemctl is-system-running --wait;"
	remote+=" systemctl --failed --no-legend --plain | awk '{ print \$1 }' | tr '\n' ' '; echo"
	deadline=$((SECONDS + WAIT_SECONDS))
	next_note=$((SECONDS + 60))
	while ((SECONDS < deadline)); do
		pid=$(vm_pid "$vm")
		if ! pid_is "$pid" "$QEMU"; then
			tail -n 20 "$d/serial.log" >&2 || true
			die "$vm: qemu is not running (console: $d/serial.log)"
		fi
		n=0
		while IFS= read -r line; do
			case $n in
			0) [[ $line != ssh-ok ]] || sshd_s=$(since "$launched") ;;
			1) state=$line ;;
			2) failed=${line% } ;;
			esac
			n=$((n + 1))
		done < <(timeout $((WAIT_SECONDS + 20)) ip netns exec "$VM_NETNS" ssh -F "$VM_SSH_CONFIG" \
			-o ControlMaster=no -o ControlPath=none -o ConnectTimeout=3 "$vm" "$remote" 2>/dev/null)
		[[ -z $sshd_s ]] || break
		if ((SECONDS >= next_note)); then
			log "$vm: no sshd yet after $(since "$launched") s; console: $(tail -n 1 "$d/serial.log" 2>/dev/null | tr -cd '[:print:]' | cut -c1-100)"
			next_note=$((SECONDS + 60))
		fi
		sleep 1
	done
	[[ -n $sshd_s ]] || die "$vm: sshd did not accept the lab key within $WAIT_SECONDS s (console: $d/serial.log)"
	local sys_s
	sys_s=$(since "$launched")
	rm -f "$d/boot-pending"
	if [[ $label != check ]]; then
		mkdir -p "$VM_TIMINGS_DIR"
		jq -n --arg vm "$vm" --arg ev "$label" --argjson sshd "$sshd_s" --argjson sys "$sys_s" \
			--arg state "$state" --arg failed "$failed" \
			'{vm: $vm, event: $ev, sshdSeconds: $sshd, systemSeconds: $sys, systemState: $state,
			  failedUnits: ($failed | split(" ") | map(select(. != "")))}' >"$VM_TIMINGS_DIR/$label-$vm.json"
	fi
	local what="sshd after $sshd_s s, systemd $state after $sys_s s ($label)"
	[[ $label != check ]] || what="running: sshd and systemd ($state) answer, checked in $sys_s s"
	case $state in
	running) log "$vm: $what" ;;
	degraded) log "$vm: $what; failed units: ${failed:-?}" ;;
	*) die "$vm: systemd state '${state:-no answer}' after $sys_s s" ;;
	esac
}

op_wait() {
	local n=$1 i pids=() rc=0 p label
	for ((i = 1; i <= n; i++)); do
		if [[ -f $(vm_dir "vm$i")/boot-pending ]]; then label=boot; else label=check; fi
		wait_vm "vm$i" "$label" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	return "$rc"
}

op_describe() {
	local vm d out=[]
	for vm in $(lab_vms); do
		d=$(vm_dir "$vm")
		out=$(jq -c --arg name "$vm" --arg addr "$(vm_ip "$vm")" \
			--arg key "$(cut -d' ' -f1,2 "$d/ssh_host_ed25519_key.pub")" --arg keypath "$VM_KEY" \
			'. + [{name: $name, address: $addr, hostKey: $key, lanInterface: "eth0", user: "root", sshKeyPath: $keypath}]' <<<"$out")
	done
	jq . <<<"$out" >"$VM_LAB_DIR/vms.json.tmp"
	mv "$VM_LAB_DIR/vms.json.tmp" "$VM_LAB_DIR/vms.json"
	log "wrote $VM_LAB_DIR/vms.json ($(jq length "$VM_LAB_DIR/vms.json") VMs; key $VM_KEY)"
}

cmd_up() {
	local n=${HA_VM_COUNT:-$VM_COUNT} have
	while [[ $# -gt 0 ]]; do
		case $1 in
		--vms)
			n=${2:-}
			shift 2 || die "--vms needs a number"
			;;
		*) die "up: unknown argument '$1' (up [--vms N])" ;;
		esac
	done
	if ! [[ $n =~ ^[1-9]$ ]] || ((n > VM_MAX_COUNT)); then die "--vms must be 1..$VM_MAX_COUNT (got '$n')"; fi
	need_root
	have=$(lab_vms | wc -l)
	((n >= have)) || die "the lab has $have VMs; fewer needs lab/vm/vms.sh down first"
	mkdir -p "$VM_LAB_DIR" "$VM_TIMINGS_DIR"
	chmod 0755 "$VM_LAB_DIR"
	exec 8>"$VM_LAB_DIR/.lock"
	flock -w 30 8 || die "another vms.sh up/down holds $VM_LAB_DIR/.lock"
	local rc=0
	STEPS_JSON=$VM_TIMINGS_DIR/up.json
	{
		step "build (cached)" "${SELF[@]}" build &&
			step "network" "${SELF[@]}" _op network "$n" &&
			step "repository and registry" "${SELF[@]}" _op services &&
			step "disks and seeds" "${SELF[@]}" _op prepare "$n" &&
			step "qemu" "${SELF[@]}" _op boot "$n" &&
			step "VMs to sshd and systemd" "${SELF[@]}" _op wait "$n" &&
			step "vms.json" "${SELF[@]}" _op describe
	} || rc=$?
	steps_summary
	if [[ $rc -eq 0 ]]; then
		printf '\nVMs: %s\n  lab/vm/vms.sh exec vm1 <command>    lab/vm/vms.sh ns <command>    lab/vm/vms.sh down\n' "$VM_LAB_DIR/vms.json" >&2
	else
		printf '\nvms.sh up failed (rc %s): fix and re-run (idempotent), or lab/vm/vms.sh down\n' "$rc" >&2
	fi
	return "$rc"
}

# ---------------------------------------------------------------- down
# stop_pid NAME PIDFILE EXE: SIGTERM, bounded wait, SIGKILL.
stop_pid() {
	local name=$1 pidfile=$2 exe=$3 pid
	pid=$(read_pid "$pidfile")
	if pid_is "$pid" "$exe"; then
		kill -TERM "$pid" 2>/dev/null || true
		if ! wait_gone "$pid" 10; then
			log "$name: still running 10 s after SIGTERM: SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
			wait_gone "$pid" 5 || log "$name: pid $pid survives SIGKILL"
		fi
		log "$name: stopped (pid $pid)"
	fi
	rm -f "$pidfile"
}

stop_vm() {
	local vm=$1 pid t
	pid=$(vm_pid "$vm")
	if ! pid_is "$pid" "$QEMU"; then
		rm -f "$(vm_dir "$vm")/qemu.pid"
		return 0
	fi
	t=${EPOCHREALTIME/./}
	if [[ -f $VM_SSH_CONFIG ]] && netns_exists && timeout 15 ip netns exec "$VM_NETNS" ssh -F "$VM_SSH_CONFIG" \
		-o ControlMaster=no -o ControlPath=none -o ConnectTimeout=3 "$vm" 'systemctl poweroff' >/dev/null 2>&1; then
		if wait_gone "$pid" 60; then
			log "$vm: powered off in $(since "$t") s"
			rm -f "$(vm_dir "$vm")/qemu.pid"
			return 0
		fi
		log "$vm: still running 60 s after poweroff"
	else
		log "$vm: no SSH: stopping qemu without a guest shutdown"
	fi
	kill -TERM "$pid" 2>/dev/null || true
	if ! wait_gone "$pid" 10; then
		kill -KILL "$pid" 2>/dev/null || true
		wait_gone "$pid" 5 || log "$vm: qemu pid $pid survives SIGKILL"
	fi
	log "$vm: qemu stopped (pid $pid) in $(since "$t") s"
	rm -f "$(vm_dir "$vm")/qemu.pid"
}

cmd_down() {
	need_root
	if [[ -d $VM_LAB_DIR ]]; then
		exec 8>"$VM_LAB_DIR/.lock"
		flock -w 30 8 || die "another vms.sh up/down holds $VM_LAB_DIR/.lock"
	fi
	local vm pids=() p tap
	for vm in $(lab_vms); do
		stop_vm "$vm" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || true; done
	for vm in $(lab_vms); do close_master "$vm"; done
	stop_pid "apt repository" "$HTTP_PIDFILE" python3
	stop_pid "registry" "$REGISTRY_PIDFILE" docker-registry
	if netns_exists; then
		# Whatever still runs in the namespace belongs to the lab (an ssh master that did not
		# exit, a client started through `vms.sh ns`): it goes with the namespace.
		for p in $(ip netns pids "$VM_NETNS" 2>/dev/null); do
			log "pid $p ($(cat "/proc/$p/comm" 2>/dev/null || true)) still runs in $VM_NETNS: SIGTERM"
			kill -TERM "$p" 2>/dev/null || true
			wait_gone "$p" 5 || kill -KILL "$p" 2>/dev/null || true
		done
		for tap in $(ip -n "$VM_NETNS" -o link show type tun 2>/dev/null | awk -F': ' '{ print $2 }' | cut -d@ -f1); do
			ip -n "$VM_NETNS" link del "$tap"
		done
		ip -n "$VM_NETNS" link del "$VM_BRIDGE" 2>/dev/null || true
		ip netns del "$VM_NETNS"
		log "namespace $VM_NETNS, its bridge and taps removed"
	fi
	rm -rf "$VM_LAB_DIR"
	log "removed $VM_LAB_DIR (the cache $VM_CACHE_DIR stays)"
}

# ---------------------------------------------------------------- single VMs
cmd_exec() {
	[[ $# -ge 1 ]] || die "usage: vms.sh exec VM [COMMAND...]"
	local vm=$1
	shift
	need_vm "$vm"
	netns_exists || die "the lab is down: lab/vm/vms.sh up"
	if [[ $# -eq 0 ]]; then
		exec ip netns exec "$VM_NETNS" ssh -F "$VM_SSH_CONFIG" -t "$vm"
	fi
	exec ip netns exec "$VM_NETNS" ssh -F "$VM_SSH_CONFIG" "$vm" -- "$@"
}

cmd_ns() {
	[[ $# -ge 1 ]] || die "usage: vms.sh ns COMMAND..."
	netns_exists || die "the lab is down: lab/vm/vms.sh up"
	exec ip netns exec "$VM_NETNS" "$@"
}

cmd_kill() {
	[[ $# -eq 1 ]] || die "usage: vms.sh kill VM"
	need_root
	need_vm "$1"
	local pid
	pid=$(vm_pid "$1")
	pid_is "$pid" "$QEMU" || die "$1 is not running"
	kill -KILL "$pid"
	wait_gone "$pid" 5 || die "$1: qemu pid $pid survives SIGKILL"
	rm -f "$(vm_dir "$1")/qemu.pid"
	close_master "$1"
	log "$1: power cut (SIGKILL to qemu pid $pid)"
}

cmd_start() {
	[[ $# -eq 1 ]] || die "usage: vms.sh start VM"
	need_root
	need_vm "$1"
	netns_exists || die "the lab is down: lab/vm/vms.sh up"
	if vm_running "$1"; then
		log "$1: already running (pid $(vm_pid "$1"))"
		wait_vm "$1" check
		return 0
	fi
	close_master "$1"
	launch_vm "$1"
	wait_vm "$1" start
}

cmd_reboot() {
	[[ $# -eq 1 ]] || die "usage: vms.sh reboot VM"
	need_root
	need_vm "$1"
	local vm=$1 old id t gone="" deadline d
	d=$(vm_dir "$vm")
	old=$(vm_probe "$vm" cat /proc/sys/kernel/random/boot_id) || die "$vm: no SSH before the reboot"
	t=${EPOCHREALTIME/./}
	vm_probe "$vm" 'systemctl reboot' >/dev/null || true
	close_master "$vm"
	deadline=$((SECONDS + WAIT_SECONDS))
	while ((SECONDS < deadline)); do
		vm_running "$vm" || die "$vm: qemu exited during the reboot (console: $d/serial.log)"
		id=$(vm_probe "$vm" cat /proc/sys/kernel/random/boot_id || true)
		if [[ -z $id ]]; then
			[[ -n $gone ]] || gone=$(since "$t")
		elif [[ $id != "$old" ]]; then
			break
		fi
		sleep 0.5
	done
	[[ -n $id && $id != "$old" ]] || die "$vm: no new boot answered SSH within $WAIT_SECONDS s"
	local back
	back=$(since "$t")
	printf '%s\n' "$t" >"$d/launched"
	log "$vm: reboot: sshd gone after ${gone:-?} s, new boot's sshd after $back s"
	wait_vm "$vm" reboot
}

cmd_status() {
	local vm pid state ssh_state
	if ! netns_exists; then
		log "the lab is down (no namespace $VM_NETNS)"
	fi
	for vm in $(lab_vms); do
		pid=$(vm_pid "$vm")
		if pid_is "$pid" "$QEMU"; then
			state="pid $pid, $(($(ps -o rss= -p "$pid") / 1024)) MiB RSS"
			if vm_probe "$vm" true; then ssh_state="ssh ok"; else ssh_state="ssh NOT answering"; fi
		else
			state="not running"
			ssh_state="-"
		fi
		printf '%-4s %-12s %-30s %s\n' "$vm" "$(vm_ip "$vm")" "$state" "$ssh_state"
	done
	pid=$(read_pid "$HTTP_PIDFILE")
	if pid_is "$pid" python3; then printf 'apt repository  %s (pid %s)\n' "$VM_REPO_URL" "$pid"; else printf 'apt repository  not running\n'; fi
	pid=$(read_pid "$REGISTRY_PIDFILE")
	if pid_is "$pid" docker-registry; then printf 'registry        https://%s (pid %s)\n' "$VM_REGISTRY" "$pid"; else printf 'registry        not running\n'; fi
}

# ---------------------------------------------------------------- main
main() {
	local cmd=${1:-help}
	[[ $# -eq 0 ]] || shift
	case $cmd in
	build) cmd_build ;;
	up) cmd_up "$@" ;;
	down) cmd_down ;;
	exec) cmd_exec "$@" ;;
	ns) cmd_ns "$@" ;;
	kill) cmd_kill "$@" ;;
	start) cmd_start "$@" ;;
	reboot) cmd_reboot "$@" ;;
	status) cmd_status ;;
	_op)
		# The steps of up, each in its own process so that `set -e` holds inside it.
		local op=$1
		shift
		"op_$op" "$@"
		;;
	-h | --help | help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0" ;;
	*) die "unknown subcommand '$cmd' (build, up, down, exec, ns, kill, start, reboot, status)" ;;
	esac
}

main "$@"
