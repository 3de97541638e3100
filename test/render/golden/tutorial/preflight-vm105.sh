set -eu
# Preflight of host vm105 (hosts[0]): checks only; it changes nothing.
host='vm105'
problems=0
problem() { echo "host $host: $1. Fix: $2" >&2; problems=$((problems + 1)); }
has() { for c in "$@"; do command -v "$c" >/dev/null 2>&1 || return 1; done; }
if [ -d /run/systemd/system ]; then systemd=yes; else systemd=no; fi
nosystemd="/run/systemd/system is missing; PID 1 is $(cat /proc/1/comm 2>/dev/null || echo unknown)"
pm=
for c in apt-get dnf yum; do if command -v "$c" >/dev/null 2>&1; then pm=$c; break; fi; done
install=; start=; docker_running=no
if has firewall-cmd iptables; then
  if firewall-cmd --state >/dev/null 2>&1; then :; else
    start="$start firewalld"
    if [ "$systemd" = no ]; then problem 'firewalld (hosts[0].firewall.kind is firewalld; its VRRP direct rules run through iptables) is installed but not running, and the stack starts it only under systemd'" ($nosystemd)" 'start firewalld on vm105 by hand, or boot it with systemd'; fi
  fi
else
  install="$install firewalld"
  if [ -z "$pm" ]; then problem 'firewalld (hosts[0].firewall.kind is firewalld; its VRRP direct rules run through iptables) is not installed, and there is no package manager the stack knows (apt-get, dnf, yum)' 'install firewalld (firewalld iptables) on vm105 by hand'; fi
  if [ "$systemd" = no ]; then problem 'firewalld (hosts[0].firewall.kind is firewalld; its VRRP direct rules run through iptables) is not installed, and the stack installs only under systemd'" ($nosystemd)" 'boot vm105 with systemd, or install firewalld (firewalld iptables) on vm105 by hand (a host without systemd is accepted when everything the stack needs is present and running)'; fi
fi
if { docker info >/dev/null 2>&1 || has docker dockerd; }; then
  if docker info >/dev/null 2>&1; then :; else
    start="$start docker"
    if [ "$systemd" = no ]; then problem 'docker (this host runs the stack'\''s Docker engine) is installed but not running, and the stack starts it only under systemd'" ($nosystemd)" 'start docker on vm105 by hand, or boot it with systemd'; fi
  fi
else
  install="$install docker"
  if [ -z "$pm" ]; then problem 'docker (this host runs the stack'\''s Docker engine) is not installed, and there is no package manager the stack knows (apt-get, dnf, yum)' 'install docker (docker.io apparmor with apt-get, docker-ce with dnf or yum) on vm105 by hand'; fi
  if [ "$systemd" = no ]; then problem 'docker (this host runs the stack'\''s Docker engine) is not installed, and the stack installs only under systemd'" ($nosystemd)" 'boot vm105 with systemd, or install docker (docker.io apparmor with apt-get, docker-ce with dnf or yum) on vm105 by hand (a host without systemd is accepted when everything the stack needs is present and running)'; fi
fi
if has keepalived; then
  :
else
  install="$install keepalived"
  if [ -z "$pm" ]; then problem 'keepalived (keepalived holds VI_LAN on this host) is not installed, and there is no package manager the stack knows (apt-get, dnf, yum)' 'install keepalived on vm105 by hand'; fi
  if [ "$systemd" = no ]; then problem 'keepalived (keepalived holds VI_LAN on this host) is not installed, and the stack installs only under systemd'" ($nosystemd)" 'boot vm105 with systemd, or install keepalived on vm105 by hand (a host without systemd is accepted when everything the stack needs is present and running)'; fi
fi
if docker info >/dev/null 2>&1; then docker_running=yes; fi
module_ok() {
  [ -d "/sys/module/$1" ] && return 0
  grep -qs "^$1 " /proc/modules && return 0
  grep -qs "/$1\.ko" "/lib/modules/$(uname -r)/modules.builtin" && return 0
  command -v modprobe >/dev/null 2>&1 && modprobe -n -q "$1" 2>/dev/null
}
kernel=$(uname -r)
if [ "$docker_running" = no ]; then
  if ! module_ok overlay; then problem 'kernel module overlay (Docker'\''s overlay2 storage driver) is not available in kernel '"$kernel"': not loaded, not built in, and modprobe finds no such module' 'install the modules of the running kernel (linux-image-'"$kernel"' on Debian, kernel-modules on RHEL) or boot a kernel that has overlay'; fi
  if ! module_ok vxlan; then problem 'kernel module vxlan (the swarm overlay network net1) is not available in kernel '"$kernel"': not loaded, not built in, and modprobe finds no such module' 'install the modules of the running kernel (linux-image-'"$kernel"' on Debian, kernel-modules on RHEL) or boot a kernel that has vxlan'; fi
fi
# A published port is free, or held by Docker for the stack's own container (a re-run).
port_free() {
  listeners=$(ss -tlnp "sport = :$1" 2>/dev/null | sed 1d) || listeners=
  [ -n "$listeners" ] || return 0
  others=$(printf '%s\n' "$listeners" | grep -o '"[^"]*",pid=[0-9]*' | grep -v '^"docker-proxy",\|^"dockerd",' | sed 's/^"\([^"]*\)",pid=\([0-9]*\)$/\1 (pid \2)/' | sort -u | tr '\n' ';' | sed 's/;$//; s/;/, /g') || others=
  unnamed=$(printf '%s\n' "$listeners" | grep -vc 'users:' || true)
  if [ -n "$others" ]; then taken_by=$others; return 1; fi
  if [ "$unnamed" != 0 ]; then taken_by="a process ss does not name"; return 1; fi
  return 0
}
if command -v ss >/dev/null 2>&1; then
  if ! port_free 3306; then problem 'TCP port 3306, which HAProxy h1 listener pxc publishes (haproxy.listeners[0].publishPort), is taken by '"$taken_by" 'stop that service or move it to another port, or publish another port in haproxy.listeners[0].publishPort'; fi
  if ! port_free 8066; then problem 'TCP port 8066, which HAProxy h1 listener mycat publishes (haproxy.listeners[1].publishPort), is taken by '"$taken_by" 'stop that service or move it to another port, or publish another port in haproxy.listeners[1].publishPort'; fi
  if ! port_free 8888; then problem 'TCP port 8888, which HAProxy h1 stats page publishes (haproxy.stats.publishPort), is taken by '"$taken_by" 'stop that service or move it to another port, or publish another port in haproxy.stats.publishPort'; fi
else
  echo 'ss (iproute2) is not installed on vm105: the published ports 3306, 8066, 8888 are not checked'
fi
if [ "$problems" -gt 0 ]; then echo "preflight of $host: $problems problem(s); nothing was changed" >&2; exit 1; fi
echo "preflight of vm105: ok (systemd: $systemd, package manager: ${pm:-none}, to install:${install:- nothing}, to start:${start:- nothing})"