// After a firewalld reload: Docker's own chains are gone until dockerd starts again, which the
// tutorials do by hand; the step checks first and restarts only when the chains are missing.
// stdin (the rules' hash) is read and dropped.
export const DOCKER_RESTART = `set -eu
cat >/dev/null
if iptables -S DOCKER-USER >/dev/null 2>&1; then echo "Docker chains intact, no restart needed"; exit 0; fi
if command -v systemctl >/dev/null && systemctl is-active -q docker; then systemctl restart docker; echo "docker restarted"
else echo "Docker chains are missing and docker is not managed by systemd: restart dockerd by hand" >&2; exit 1; fi`;
