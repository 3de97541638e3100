set -eu
# Install step of host vm105 (hosts[0]): each piece only when it is missing.
host='vm105'
die() { echo "install on host $host: $1" >&2; exit 1; }
payload=$(mktemp); log=$(mktemp); policy=
trap 'rm -f "$payload" "$log"; if [ -n "$policy" ]; then rm -f "$policy"; fi' EXIT
trap 'exit 1' HUP INT TERM
cat >"$payload"
has() { for c in "$@"; do command -v "$c" >/dev/null 2>&1 || return 1; done; }
if [ -d /run/systemd/system ]; then systemd=yes; else systemd=no; fi
pm=
for c in apt-get dnf yum; do if command -v "$c" >/dev/null 2>&1; then pm=$c; break; fi; done
# A guard a run cut off before its end left behind would keep services from starting.
if grep -qs 'ha-mysql install step' /usr/sbin/policy-rc.d; then rm -f /usr/sbin/policy-rc.d; echo "removed the /usr/sbin/policy-rc.d an earlier run of this step left behind"; fi
case $pm in
  apt-get) pkgs_firewalld='firewalld iptables'; pkgs_docker='docker.io apparmor'; pkgs_keepalived='keepalived' ;;
  dnf) pkgs_firewalld='firewalld iptables'; pkgs_docker='docker-ce'; pkgs_keepalived='keepalived' ;;
  yum) pkgs_firewalld='firewalld iptables'; pkgs_docker='docker-ce'; pkgs_keepalived='keepalived' ;;
  *) pkgs_firewalld=; pkgs_docker=; pkgs_keepalived= ;;
esac
missing=; pkgs=
if has firewall-cmd iptables; then :; else missing="$missing firewalld"; pkgs="$pkgs ${pkgs_firewalld}"; fi
if { docker info >/dev/null 2>&1 || has docker dockerd; }; then :; else missing="$missing docker"; pkgs="$pkgs ${pkgs_docker}"; fi
if has keepalived; then :; else missing="$missing keepalived"; pkgs="$pkgs ${pkgs_keepalived}"; fi
# Runs the package manager; while another run holds its lock, waits and tries again (60 times, 5 s apart).
pm_run() {
  attempt=1
  while :; do
    if "$@" >"$log" 2>&1; then return 0; fi
    if grep -qE 'Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock the administration directory|is another process using it|Waiting for process with pid|Another app is currently holding the yum lock' "$log"; then
      if [ "$attempt" -ge 60 ]; then
        tail -n 3 "$log" >&2
        die "the package manager's lock is still held after 60 attempts 5 s apart (another apt-get, dpkg, unattended-upgrades or dnf run). Fix: let it finish, then run pulumi up again"
      fi
      echo "waiting for the package manager's lock on $host (held by another run; attempt $attempt of 60) ..."
      attempt=$((attempt + 1))
      sleep 5
      continue
    fi
    return 1
  done
}
# Installs the packages; when one is unknown (fresh or stale package lists), updates the lists once and tries again.
pkg_install() {
  refreshed=no
  while :; do
    case $pm in
      apt-get) if pm_run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"; then return 0; fi ;;
      *) if pm_run "$pm" install -y -q "$@"; then return 0; fi ;;
    esac
    if grep -qE 'Unable to locate package|has no installation candidate|Unable to fetch some archives|No match for argument|Unable to find a match|No package .* available' "$log"; then
      if [ "$refreshed" = no ]; then
        refreshed=yes
        echo "updating the package lists on $host ..."
        case $pm in
          apt-get) pm_run apt-get update -q || { tail -n 20 "$log" >&2; die "apt-get update failed. Fix: check the host's apt sources and their mirror"; } ;;
          *) pm_run "$pm" makecache -q || { tail -n 20 "$log" >&2; die "$pm makecache failed. Fix: check the host's repositories"; } ;;
        esac
        continue
      fi
      tail -n 20 "$log" >&2
      die "$*: not every package is available from the host's package sources (hosts[0]). Fix: add a source that has them, or set hosts[0].install.docker.packages to the packages your sources have for the Docker engine"
    fi
    tail -n 20 "$log" >&2
    die "$pm could not install $*"
  done
}
if [ -n "$missing" ]; then
  [ -n "$pm" ] || die "there is no package manager (apt-get, dnf, yum) to install$missing. Fix: install them by hand"
  [ "$systemd" = yes ] || die "installing$missing needs systemd (/run/systemd/system is missing). Fix: install and start them by hand"
if [ "$pm" = apt-get ] && [ ! -e /usr/sbin/policy-rc.d ]; then
  if { cat >/usr/sbin/policy-rc.d <<'EOF'
#!/bin/sh
# Written by the ha-mysql install step while apt-get runs, removed when it ends: the step
# starts firewalld, then Docker, itself. Left behind by a run that was cut off: delete it.
case "$1" in docker*|firewalld*) exit 101 ;; esac
exit 0
EOF
  } 2>/dev/null && chmod 0755 /usr/sbin/policy-rc.d; then policy=/usr/sbin/policy-rc.d; fi
fi
  echo "installing$pkgs on $host with $pm ..."
  # shellcheck disable=SC2086 # one word per package
  pkg_install $pkgs
  if [ -n "$policy" ]; then rm -f "$policy"; policy=; fi
  echo "installed$pkgs on $host"
fi
if has firewall-cmd iptables; then :; else die 'firewalld (hosts[0].firewall.kind is firewalld; its VRRP direct rules run through iptables) is still missing after the install: the packages installed ('"${pkgs_firewalld}"') do not provide firewall-cmd and iptables. Fix: install firewalld (firewalld iptables) by hand'; fi
if { docker info >/dev/null 2>&1 || has docker dockerd; }; then :; else die 'docker (this host runs the stack'\''s Docker engine) is still missing after the install: the packages installed ('"${pkgs_docker}"') do not provide docker and dockerd. Fix: set hosts[0].install.docker.packages to packages that do'; fi
if has keepalived; then :; else die 'keepalived (keepalived holds VI_LAN on this host) is still missing after the install: the packages installed ('"${pkgs_keepalived}"') do not provide keepalived. Fix: install keepalived by hand'; fi
if [ "$systemd" = yes ]; then
  started_firewalld=no
  if ! firewall-cmd --state >/dev/null 2>&1; then
    if command -v firewall-offline-cmd >/dev/null 2>&1 && ! { firewall-offline-cmd --query-service=ssh >/dev/null 2>&1 || firewall-offline-cmd --query-port=22/tcp >/dev/null 2>&1; }; then
      firewall-offline-cmd --add-port=22/tcp >/dev/null
      echo "admitted the SSH port 22/tcp in firewalld's default zone before starting it (it stays, as firewalld does)"
    fi
    echo "starting firewalld on $host ..."
    systemctl enable -q --now firewalld || die "firewalld did not start. Fix: see journalctl -u firewalld on $host"
    started_firewalld=yes
  elif ! systemctl is-enabled -q firewalld 2>/dev/null; then
    systemctl enable -q firewalld
    echo "enabled firewalld on $host (it starts at boot)"
  fi
  if systemctl cat docker.service >/dev/null 2>&1; then
    if ! systemctl is-enabled -q docker 2>/dev/null; then
      systemctl enable -q docker
      echo "enabled docker on $host (it starts at boot)"
    fi
    if ! docker info >/dev/null 2>&1; then
      echo "starting docker on $host ..."
      systemctl start docker || die "docker did not start. Fix: see journalctl -u docker on $host"
    elif [ "$started_firewalld" = yes ]; then
      echo "restarting docker on $host: firewalld started after it"
      systemctl restart docker || die "docker did not restart. Fix: see journalctl -u docker on $host"
    fi
  else
    echo "Docker is not a systemd unit on $host: it does not come back by itself after a reboot"
  fi
fi
i=0
until docker info >/dev/null 2>&1; do
  i=$((i+1))
  if [ "$i" -ge 120 ]; then echo "timed out after 120s waiting for the Docker engine on vm105 (docker info)" >&2; exit 1; fi
  [ $((i % 10)) -eq 0 ] && echo "still waiting for the Docker engine on vm105 (docker info) (${i}s)"
  sleep 1
done
echo "the Docker engine on vm105 (docker info): ok after ${i}s"
if [ -f /etc/modules-load.d/ha-mysql.conf ]; then rm -f /etc/modules-load.d/ha-mysql.conf; echo "removed /etc/modules-load.d/ha-mysql.conf (no longer needed)"; fi
echo "host $host has what the stack runs there"