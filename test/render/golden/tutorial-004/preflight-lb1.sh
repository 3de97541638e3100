set -eu
# Preflight of host lb1 (hosts[0]): checks only; it changes nothing.
host='lb1'
problems=0
problem() { echo "host $host: $1. Fix: $2" >&2; problems=$((problems + 1)); }
has() { for c in "$@"; do command -v "$c" >/dev/null 2>&1 || return 1; done; }
if [ -d /run/systemd/system ]; then systemd=yes; else systemd=no; fi
nosystemd="/run/systemd/system is missing; PID 1 is $(cat /proc/1/comm 2>/dev/null || echo unknown)"
pm=
for c in apt-get dnf yum; do if command -v "$c" >/dev/null 2>&1; then pm=$c; break; fi; done
install=; start=; docker_running=no
if has iptables; then
  :
else
  install="$install iptables"
  if [ -z "$pm" ]; then problem 'iptables (hosts[0].firewall.kind is iptables) is not installed, and there is no package manager the stack knows (apt-get, dnf, yum)' 'install iptables on lb1 by hand'; fi
  if [ "$systemd" = no ]; then problem 'iptables (hosts[0].firewall.kind is iptables) is not installed, and the stack installs only under systemd'" ($nosystemd)" 'boot lb1 with systemd, or install iptables on lb1 by hand (a host without systemd is accepted when everything the stack needs is present and running)'; fi
fi
if { docker info >/dev/null 2>&1 || has docker dockerd; }; then
  if docker info >/dev/null 2>&1; then :; else
    start="$start docker"
    if [ "$systemd" = no ]; then problem 'docker (this host runs the stack'\''s Docker engine) is installed but not running, and the stack starts it only under systemd'" ($nosystemd)" 'start docker on lb1 by hand, or boot it with systemd'; fi
  fi
else
  install="$install docker"
  if [ -z "$pm" ]; then problem 'docker (this host runs the stack'\''s Docker engine) is not installed, and there is no package manager the stack knows (apt-get, dnf, yum)' 'install docker (docker.io apparmor with apt-get, docker-ce with dnf or yum) on lb1 by hand'; fi
  if [ "$systemd" = no ]; then problem 'docker (this host runs the stack'\''s Docker engine) is not installed, and the stack installs only under systemd'" ($nosystemd)" 'boot lb1 with systemd, or install docker (docker.io apparmor with apt-get, docker-ce with dnf or yum) on lb1 by hand (a host without systemd is accepted when everything the stack needs is present and running)'; fi
fi
if has keepalived; then
  :
else
  install="$install keepalived"
  if [ -z "$pm" ]; then problem 'keepalived (keepalived holds VI_1 on this host) is not installed, and there is no package manager the stack knows (apt-get, dnf, yum)' 'install keepalived on lb1 by hand'; fi
  if [ "$systemd" = no ]; then problem 'keepalived (keepalived holds VI_1 on this host) is not installed, and the stack installs only under systemd'" ($nosystemd)" 'boot lb1 with systemd, or install keepalived on lb1 by hand (a host without systemd is accepted when everything the stack needs is present and running)'; fi
fi
if has ipvsadm; then
  :
else
  install="$install ipvsadm"
  if [ -z "$pm" ]; then problem 'ipvsadm (LVS director of VI_1) is not installed, and there is no package manager the stack knows (apt-get, dnf, yum)' 'install ipvsadm on lb1 by hand'; fi
  if [ "$systemd" = no ]; then problem 'ipvsadm (LVS director of VI_1) is not installed, and the stack installs only under systemd'" ($nosystemd)" 'boot lb1 with systemd, or install ipvsadm on lb1 by hand (a host without systemd is accepted when everything the stack needs is present and running)'; fi
fi
if docker info >/dev/null 2>&1; then docker_running=yes; fi
module_ok() {
  [ -d "/sys/module/$1" ] && return 0
  grep -qs "^$1 " /proc/modules && return 0
  grep -qs "/$1\.ko" "/lib/modules/$(uname -r)/modules.builtin" && return 0
  command -v modprobe >/dev/null 2>&1 && modprobe -n -q "$1" 2>/dev/null
}
kernel=$(uname -r)
if ! module_ok ip_vs; then problem 'kernel module ip_vs (LVS director of VI_1) is not available in kernel '"$kernel"': not loaded, not built in, and modprobe finds no such module' 'install the modules of the running kernel (linux-image-'"$kernel"' on Debian, kernel-modules on RHEL) or boot a kernel that has ip_vs'; fi
if ! module_ok ip_vs_rr; then problem 'kernel module ip_vs_rr (the rr scheduler of VI_1) is not available in kernel '"$kernel"': not loaded, not built in, and modprobe finds no such module' 'install the modules of the running kernel (linux-image-'"$kernel"' on Debian, kernel-modules on RHEL) or boot a kernel that has ip_vs_rr'; fi
if [ "$docker_running" = no ]; then
  if ! module_ok overlay; then problem 'kernel module overlay (Docker'\''s overlay2 storage driver) is not available in kernel '"$kernel"': not loaded, not built in, and modprobe finds no such module' 'install the modules of the running kernel (linux-image-'"$kernel"' on Debian, kernel-modules on RHEL) or boot a kernel that has overlay'; fi
  if ! module_ok vxlan; then problem 'kernel module vxlan (the swarm overlay network net1) is not available in kernel '"$kernel"': not loaded, not built in, and modprobe finds no such module' 'install the modules of the running kernel (linux-image-'"$kernel"' on Debian, kernel-modules on RHEL) or boot a kernel that has vxlan'; fi
fi
if command -v firewall-cmd >/dev/null 2>&1 && firewall-cmd --state >/dev/null 2>&1; then
  echo 'warning: host lb1: firewalld is running and hosts[0].firewall.kind is iptables: what the stack'\''s iptables rules admit, firewalld'\''s zone may still reject. Fix: set hosts[0].firewall.kind: firewalld, or stop firewalld'
fi
if [ "$problems" -gt 0 ]; then echo "preflight of $host: $problems problem(s); nothing was changed" >&2; exit 1; fi
echo "preflight of lb1: ok (systemd: $systemd, package manager: ${pm:-none}, to install:${install:- nothing}, to start:${start:- nothing})"