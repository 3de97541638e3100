// The install step, after the preflight: what the host lacks of what the stack runs there
// (model/host-requirements.ts) installed with its package manager, each piece only when its
// commands are missing, then firewalld and Docker enabled and started under systemd, in that
// order (Docker registers its interfaces with a firewalld that runs when it starts), and Docker
// waited for where the stack runs it. On an LVS director the kernel modules go into
// /etc/modules-load.d, so that they are loaded again at boot. Packages stay on destroy (docs/components.md#bare-hosts); the
// modules-load.d file goes.
import { Topology } from "../../model/schema";
import { HostRequirements, hostRequirements, PACKAGE_MANAGERS, Piece, pieceNamed } from "../../model/host-requirements";
import { shellQuote } from "./escape";
import { file, RenderedFile } from "./file";
import { FIND_PM, FIND_SYSTEMD, HAS, installWhat, presentCheck } from "./host-preflight";
import { waitFor, WRITE_FILES } from "./step-scripts";

export const MODULES_LOAD_FILE = "/etc/modules-load.d/ha-mysql.conf";

/** Debian's hook that invoke-rc.d and deb-systemd-invoke ask before they start a service. */
export const POLICY_RC_D = "/usr/sbin/policy-rc.d";
const POLICY_MARK = "ha-mysql install step";

/** Attempts while another apt-get, dpkg or dnf run holds the lock, and the pause between them. */
export const LOCK_ATTEMPTS = 60;
export const LOCK_PAUSE_S = 5;
/** Seconds the Docker engine has to answer after it is started. */
export const DOCKER_START_S = 120;

export interface InstallRender {
    /** The step's create (and update) script; reads `files` on stdin. */
    readonly create: string;
    readonly delete: string;
    /** /etc/modules-load.d/ha-mysql.conf on an LVS director; empty elsewhere. */
    readonly files: RenderedFile[];
}

const q = shellQuote;

/** Output of a package manager that means its lock is held by another run. */
const LOCKED = [
    "Could not get lock",
    "Unable to acquire the dpkg frontend lock",
    "Unable to lock the administration directory",
    "is another process using it",
    "Waiting for process with pid",
    "Another app is currently holding the yum lock",
];
/** Output that means a package is unknown to the package lists (or they are stale): refresh them once. */
const NOT_FOUND = ["Unable to locate package", "has no installation candidate", "Unable to fetch some archives", "No match for argument", "Unable to find a match", "No package .* available"];

const alternatives = (xs: string[]) => xs.map((x) => x.replace(/'/g, "")).join("|");

function packageVariables(r: HostRequirements): string {
    const v = (p: Piece) => `pkgs_${p.name}`;
    const cases = PACKAGE_MANAGERS.map((pm) => `  ${pm}) ${r.pieces.map((p) => `${v(p)}=${q(p.packages[pm].join(" "))}`).join("; ")} ;;`);
    return [`case $pm in`, ...cases, `  *) ${r.pieces.map((p) => `${v(p)}=`).join("; ")} ;;`, "esac"].join("\n");
}

function pmFunctions(r: HostRequirements): string {
    const where = `hosts[${r.index}]`;
    const docker = pieceNamed(r, "docker");
    const choose = docker?.packagesKey ? `, or set ${docker.packagesKey} to the packages your sources have for the Docker engine` : "";
    return `# Runs the package manager; while another run holds its lock, waits and tries again (${LOCK_ATTEMPTS} times, ${LOCK_PAUSE_S} s apart).
pm_run() {
  attempt=1
  while :; do
    if "$@" >"$log" 2>&1; then return 0; fi
    if grep -qE '${alternatives(LOCKED)}' "$log"; then
      if [ "$attempt" -ge ${LOCK_ATTEMPTS} ]; then
        tail -n 3 "$log" >&2
        die "the package manager's lock is still held after ${LOCK_ATTEMPTS} attempts ${LOCK_PAUSE_S} s apart (another apt-get, dpkg, unattended-upgrades or dnf run). Fix: let it finish, then run pulumi up again"
      fi
      echo "waiting for the package manager's lock on $host (held by another run; attempt $attempt of ${LOCK_ATTEMPTS}) ..."
      attempt=$((attempt + 1))
      sleep ${LOCK_PAUSE_S}
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
    if grep -qE '${alternatives(NOT_FOUND)}' "$log"; then
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
      die "$*: not every package is available from the host's package sources (${where}). Fix: add a source that has them${choose}"
    fi
    tail -n 20 "$log" >&2
    die "$pm could not install $*"
  done
}`;
}

/**
 * While apt-get installs Docker or firewalld, Debian's maintainer scripts would start them at
 * once: firewalld before the SSH port is admitted, Docker before firewalld. A policy-rc.d that
 * refuses those two (exit 101) keeps them stopped until this step starts them in order; it is
 * written only where the host has none, and removed however the step ends.
 */
function policyGuard(): string {
    return `if [ "$pm" = apt-get ] && [ ! -e ${POLICY_RC_D} ]; then
  if { cat >${POLICY_RC_D} <<'EOF'
#!/bin/sh
# Written by the ${POLICY_MARK} while apt-get runs, removed when it ends: the step
# starts firewalld, then Docker, itself. Left behind by a run that was cut off: delete it.
case "$1" in docker*|firewalld*) exit 101 ;; esac
exit 0
EOF
  } 2>/dev/null && chmod 0755 ${POLICY_RC_D}; then policy=${POLICY_RC_D}; fi
fi`;
}

/** firewalld starts with its default zone, which admits SSH on port 22 only: the host's SSH port goes in first. */
function admitSshPort(sshPort: number): string {
    const admitted = sshPort === 22 ? `firewall-offline-cmd --query-service=ssh >/dev/null 2>&1 || firewall-offline-cmd --query-port=22/tcp >/dev/null 2>&1` : `firewall-offline-cmd --query-port=${sshPort}/tcp >/dev/null 2>&1`;
    return `if command -v firewall-offline-cmd >/dev/null 2>&1 && ! { ${admitted}; }; then
      firewall-offline-cmd --add-port=${sshPort}/tcp >/dev/null
      echo "admitted the SSH port ${sshPort}/tcp in firewalld's default zone before starting it (it stays, as firewalld does)"
    fi`;
}

function services(r: HostRequirements, sshPort: number): string {
    const fw = pieceNamed(r, "firewalld") !== undefined;
    const docker = pieceNamed(r, "docker") !== undefined;
    if (!fw && !docker) return "# Nothing here for systemd to enable or start.";
    // started_firewalld tells the Docker part below whether Docker must register again.
    const out: string[] = ['if [ "$systemd" = yes ]; then', ...(docker ? ["  started_firewalld=no"] : [])];
    if (fw) {
        out.push(
            "  if ! firewall-cmd --state >/dev/null 2>&1; then",
            `    ${admitSshPort(sshPort)}`,
            '    echo "starting firewalld on $host ..."',
            '    systemctl enable -q --now firewalld || die "firewalld did not start. Fix: see journalctl -u firewalld on $host"',
            ...(docker ? ["    started_firewalld=yes"] : []),
            "  elif ! systemctl is-enabled -q firewalld 2>/dev/null; then",
            "    systemctl enable -q firewalld",
            '    echo "enabled firewalld on $host (it starts at boot)"',
            "  fi",
        );
    }
    if (!docker) return [...out, "fi"].join("\n");
    out.push(
        "  if systemctl cat docker.service >/dev/null 2>&1; then",
        "    if ! systemctl is-enabled -q docker 2>/dev/null; then",
        "      systemctl enable -q docker",
        '      echo "enabled docker on $host (it starts at boot)"',
        "    fi",
        "    if ! docker info >/dev/null 2>&1; then",
        '      echo "starting docker on $host ..."',
        '      systemctl start docker || die "docker did not start. Fix: see journalctl -u docker on $host"',
        '    elif [ "$started_firewalld" = yes ]; then',
        '      echo "restarting docker on $host: firewalld started after it"',
        '      systemctl restart docker || die "docker did not restart. Fix: see journalctl -u docker on $host"',
        "    fi",
        "  else",
        '    echo "Docker is not a systemd unit on $host: it does not come back by itself after a reboot"',
        "  fi",
        "fi",
    );
    return out.join("\n");
}

function modules(r: HostRequirements): string {
    const boot = r.modules.filter((m) => m.loadAtBoot).map((m) => m.name);
    if (boot.length === 0) {
        return `if [ -f ${MODULES_LOAD_FILE} ]; then rm -f ${MODULES_LOAD_FILE}; echo "removed ${MODULES_LOAD_FILE} (no longer needed)"; fi`;
    }
    return `${WRITE_FILES} <"$payload"
for m in ${boot.join(" ")}; do
  if [ ! -d "/sys/module/$m" ]; then modprobe "$m" || die "could not load the kernel module $m. Fix: see the preflight's module check"; echo "loaded $m"; fi
done`;
}

/** The install step of one host. */
export function renderInstall(t: Topology, hostName: string): InstallRender {
    const r = hostRequirements(t, hostName);
    const h = t.hosts[r.index];
    const boot = r.modules.filter((m) => m.loadAtBoot);
    const files = boot.length > 0 ? [file(MODULES_LOAD_FILE, `# Kernel modules ${r.host} needs at boot (${boot.map((m) => m.why).filter((w, i, all) => all.indexOf(w) === i).join("; ")}), rendered by ha-mysql; removed on destroy.\n${boot.map((m) => m.name).join("\n")}\n`)] : [];
    const at = `hosts[${r.index}].install.enabled`;
    const detect = r.pieces.map((p) => `if ${presentCheck(p)}; then :; else missing="$missing ${p.name}"; pkgs="$pkgs \${pkgs_${p.name}}"; fi`);
    const verify = r.pieces.map(
        (p) => `if ${presentCheck(p)}; then :; else die ${q(`${p.name} (${p.why}) is still missing after the install: the packages installed (`)}"\${pkgs_${p.name}}"${q(`) do not provide ${p.commands.join(" and ")}. Fix: ${p.packagesKey ? `set ${p.packagesKey} to packages that do` : `install ${installWhat(p)} by hand`}`)}; fi`,
    );
    const installPart = r.install
        ? `if [ -n "$missing" ]; then
  [ -n "$pm" ] || die "there is no package manager (${PACKAGE_MANAGERS.join(", ")}) to install$missing. Fix: install them by hand"
  [ "$systemd" = yes ] || die "installing$missing needs systemd (/run/systemd/system is missing). Fix: install and start them by hand"
${policyGuard()}
  echo "installing$pkgs on $host with $pm ..."
  # shellcheck disable=SC2086 # one word per package
  pkg_install $pkgs
  if [ -n "$policy" ]; then rm -f "$policy"; policy=; fi
  echo "installed$pkgs on $host"
fi`
        : `if [ -n "$missing" ]; then die "missing:$missing, and ${at} is false. Fix: install it, or set ${at}: true"; fi`;
    const create = [
        "set -eu",
        `# Install step of host ${r.host} (hosts[${r.index}]): each piece only when it is missing.`,
        `host=${q(r.host)}`,
        `die() { echo "install on host $host: $1" >&2; exit 1; }`,
        "payload=$(mktemp); log=$(mktemp); policy=",
        `trap 'rm -f "$payload" "$log"; if [ -n "$policy" ]; then rm -f "$policy"; fi' EXIT`,
        "trap 'exit 1' HUP INT TERM",
        'cat >"$payload"',
        HAS,
        FIND_SYSTEMD,
        FIND_PM,
        `# A guard a run cut off before its end left behind would keep services from starting.`,
        `if grep -qs ${q(POLICY_MARK)} ${POLICY_RC_D}; then rm -f ${POLICY_RC_D}; echo "removed the ${POLICY_RC_D} an earlier run of this step left behind"; fi`,
        packageVariables(r),
        "missing=; pkgs=",
        ...detect,
        ...(r.install ? [pmFunctions(r)] : []),
        installPart,
        ...verify,
        ...(r.install ? [services(r, h.ssh.port)] : []),
        ...(pieceNamed(r, "docker") ? [waitFor(`the Docker engine on ${r.host} (docker info)`, "docker info >/dev/null 2>&1", DOCKER_START_S)] : []),
        modules(r),
        `echo "host $host has what the stack runs there"`,
    ].join("\n");
    const del = [
        "set -eu",
        `if [ -f ${MODULES_LOAD_FILE} ]; then rm -f ${MODULES_LOAD_FILE}; echo "removed ${MODULES_LOAD_FILE}"; fi`,
        `if grep -qs ${q(POLICY_MARK)} ${POLICY_RC_D}; then rm -f ${POLICY_RC_D}; fi`,
        `echo ${q(`the packages installed on ${r.host} stay, with their services (docs/components.md#bare-hosts)`)}`,
    ].join("\n");
    return { create, delete: del, files };
}
