// The first step on every host after its key check: what the stack needs there
// (model/host-requirements.ts), checked before anything is installed or changed. It changes
// nothing and reports every problem at once, each naming the host, what is missing and the fix.
//
// systemd (PID 1, /run/systemd/system) and a package manager are needed only when something must
// be installed or started: a host without systemd (the namespace lab's) passes when everything
// is present and running. Kernel modules count when loaded, built in or loadable (modprobe -n).
// A published port passes when it is free or held by Docker (docker-proxy, on a re-run).
import { Topology } from "../../model/schema";
import { HostRequirements, hostRequirements, PACKAGE_MANAGERS, Piece, pieceNamed } from "../../model/host-requirements";
import { shellQuote } from "./escape";

/** Processes that hold a published port on the stack's behalf: Docker's userland proxy. */
export const DOCKER_PORT_HOLDERS = ["docker-proxy", "dockerd"];

/** POSIX sh: true when every command named is on PATH. */
export const HAS = `has() { for c in "$@"; do command -v "$c" >/dev/null 2>&1 || return 1; done; }`;

/** POSIX sh: sets $pm to the first package manager found (empty: none). */
export const FIND_PM = `pm=
for c in ${PACKAGE_MANAGERS.join(" ")}; do if command -v "$c" >/dev/null 2>&1; then pm=$c; break; fi; done`;

/** POSIX sh: sets $systemd to yes when systemd runs as PID 1. */
export const FIND_SYSTEMD = `if [ -d /run/systemd/system ]; then systemd=yes; else systemd=no; fi`;

/**
 * POSIX sh: true when a kernel module is there for the asking: loaded (or built in with
 * parameters, /sys/module), built in (modules.builtin), or loadable (modprobe -n, which loads nothing).
 */
export const MODULE_OK = `module_ok() {
  [ -d "/sys/module/$1" ] && return 0
  grep -qs "^$1 " /proc/modules && return 0
  grep -qs "/$1\\.ko" "/lib/modules/$(uname -r)/modules.builtin" && return 0
  command -v modprobe >/dev/null 2>&1 && modprobe -n -q "$1" 2>/dev/null
}`;

/** The packages that provide a piece, as a message shows them: "docker.io with apt-get, docker-ce with dnf or yum". */
export function packagesText(p: Piece): string {
    const groups = new Map<string, string[]>();
    for (const pm of PACKAGE_MANAGERS) {
        const list = p.packages[pm].join(" ");
        groups.set(list, [...(groups.get(list) ?? []), pm]);
    }
    if (groups.size === 1) return [...groups.keys()][0];
    return [...groups].map(([list, pms]) => `${list} with ${pms.join(" or ")}`).join(", ");
}

/** What to install, as a fix says it: "keepalived", or "docker (docker.io with apt-get, ...)". */
export function installWhat(p: Piece): string {
    const pkgs = packagesText(p);
    return pkgs === p.name ? p.name : `${p.name} (${pkgs})`;
}

/** POSIX sh: true when the piece is installed (for Docker: also when an engine answers). */
export function presentCheck(p: Piece): string {
    const has = `has ${p.commands.join(" ")}`;
    return p.name === "docker" ? `{ docker info >/dev/null 2>&1 || ${has}; }` : has;
}

/** POSIX sh: true when the piece's service runs (pieces without a service always do). */
export function runningCheck(p: Piece): string | undefined {
    if (p.name === "docker") return "docker info >/dev/null 2>&1";
    if (p.name === "firewalld") return "firewall-cmd --state >/dev/null 2>&1";
    return undefined;
}

const q = shellQuote;

function pieceChecks(r: HostRequirements, p: Piece): string {
    const at = `hosts[${r.index}].install.enabled`;
    const what = `${p.name} (${p.why})`;
    const installFix = `install ${installWhat(p)} on ${r.host}`;
    const lines: string[] = [];
    const missing: string[] = [];
    const stopped: string[] = [];
    if (r.install) {
        missing.push(
            `if [ -z "$pm" ]; then problem ${q(`${what} is not installed, and there is no package manager the stack knows (${PACKAGE_MANAGERS.join(", ")})`)} ${q(`${installFix} by hand`)}; fi`,
            `if [ "$systemd" = no ]; then problem ${q(`${what} is not installed, and the stack installs only under systemd`)}" ($nosystemd)" ${q(`boot ${r.host} with systemd, or ${installFix} by hand (a host without systemd is accepted when everything the stack needs is present and running)`)}; fi`,
        );
        if (p.service) {
            stopped.push(
                `if [ "$systemd" = no ]; then problem ${q(`${what} is installed but not running, and the stack starts it only under systemd`)}" ($nosystemd)" ${q(`start ${p.name} on ${r.host} by hand, or boot it with systemd`)}; fi`,
            );
        }
    } else {
        missing.push(`problem ${q(`${what} is not installed, and ${at} is false`)} ${q(`${installFix}, or set ${at}: true`)}`);
        if (p.service) stopped.push(`problem ${q(`${what} is installed but not running, and ${at} is false`)} ${q(`start it (systemctl enable --now ${p.service}), or set ${at}: true`)}`);
    }
    lines.push(`if ${presentCheck(p)}; then`);
    const running = runningCheck(p);
    if (running) {
        lines.push(`  if ${running}; then :; else`, `    start="$start ${p.name}"`, ...stopped.map((l) => `    ${l}`), "  fi");
    } else {
        lines.push("  :");
    }
    lines.push("else", `  install="$install ${p.name}"`, ...missing.map((l) => `  ${l}`), "fi");
    return lines.join("\n");
}

function moduleChecks(r: HostRequirements): string {
    const check = (m: HostRequirements["modules"][number]) =>
        `if ! module_ok ${m.name}; then problem ${q(`kernel module ${m.name} (${m.why}) is not available in kernel `)}"$kernel"${q(": not loaded, not built in, and modprobe finds no such module")} ${q("install the modules of the running kernel (linux-image-")}"$kernel"${q(` on Debian, kernel-modules on RHEL) or boot a kernel that has ${m.name}`)}; fi`;
    const always = r.modules.filter((m) => !m.forDockerStart).map(check);
    const forStart = r.modules.filter((m) => m.forDockerStart).map(check);
    return [
        "kernel=$(uname -r)",
        ...always,
        ...(forStart.length > 0 ? ['if [ "$docker_running" = no ]; then', ...forStart.map((l) => `  ${l}`), "fi"] : []),
    ].join("\n");
}

function portChecks(r: HostRequirements): string {
    if (r.ports.length === 0) return "";
    const holders = DOCKER_PORT_HOLDERS.map((n) => `^"${n}",`).join("\\|");
    return `# A published port is free, or held by Docker for the stack's own container (a re-run).
port_free() {
  listeners=$(ss -tlnp "sport = :$1" 2>/dev/null | sed 1d) || listeners=
  [ -n "$listeners" ] || return 0
  others=$(printf '%s\\n' "$listeners" | grep -o '"[^"]*",pid=[0-9]*' | grep -v '${holders}' | sed 's/^"\\([^"]*\\)",pid=\\([0-9]*\\)$/\\1 (pid \\2)/' | sort -u | tr '\\n' ';' | sed 's/;$//; s/;/, /g') || others=
  unnamed=$(printf '%s\\n' "$listeners" | grep -vc 'users:' || true)
  if [ -n "$others" ]; then taken_by=$others; return 1; fi
  if [ "$unnamed" != 0 ]; then taken_by="a process ss does not name"; return 1; fi
  return 0
}
if command -v ss >/dev/null 2>&1; then
${r.ports
    .map(
        (p) =>
            `  if ! port_free ${p.port}; then problem ${q(`TCP port ${p.port}, which ${p.what} publishes (${p.path}), is taken by `)}"$taken_by" ${q(`stop that service or move it to another port, or publish another port in ${p.path}`)}; fi`,
    )
    .join("\n")}
else
  echo ${q(`ss (iproute2) is not installed on ${r.host}: the published ports ${r.ports.map((p) => p.port).join(", ")} are not checked`)}
fi`;
}

/**
 * A running firewalld still rejects, in its own nftables table, what iptables rules accept: the
 * iptables kind then admits nothing. Said, not refused: a permissive zone works.
 */
function firewalldBesideIptables(r: HostRequirements): string {
    if (!r.pieces.some((p) => p.name === "iptables")) return "";
    const at = `hosts[${r.index}].firewall.kind`;
    return `if command -v firewall-cmd >/dev/null 2>&1 && firewall-cmd --state >/dev/null 2>&1; then
  echo ${q(`warning: host ${r.host}: firewalld is running and ${at} is iptables: what the stack's iptables rules admit, firewalld's zone may still reject. Fix: set ${at}: firewalld, or stop firewalld`)}
fi`;
}

/** The preflight script of one host. It reads nothing on stdin. */
export function renderPreflight(t: Topology, hostName: string): string {
    const r = hostRequirements(t, hostName);
    const summary = `preflight of ${r.host}: ok`;
    const docker = pieceNamed(r, "docker") !== undefined;
    return [
        "set -eu",
        `# Preflight of host ${r.host} (hosts[${r.index}]): checks only; it changes nothing.`,
        `host=${q(r.host)}`,
        "problems=0",
        `problem() { echo "host $host: $1. Fix: $2" >&2; problems=$((problems + 1)); }`,
        HAS,
        FIND_SYSTEMD,
        `nosystemd="/run/systemd/system is missing; PID 1 is $(cat /proc/1/comm 2>/dev/null || echo unknown)"`,
        FIND_PM,
        docker ? "install=; start=; docker_running=no" : "install=; start=",
        ...r.pieces.map((p) => pieceChecks(r, p)),
        // Modules Docker loads itself are checked only while its engine is not running.
        docker ? "if docker info >/dev/null 2>&1; then docker_running=yes; fi" : "",
        MODULE_OK,
        moduleChecks(r),
        portChecks(r),
        firewalldBesideIptables(r),
        `if [ "$problems" -gt 0 ]; then echo "preflight of $host: $problems problem(s); nothing was changed" >&2; exit 1; fi`,
        `echo "${summary} (systemd: $systemd, package manager: \${pm:-none}, to install:\${install:- nothing}, to start:\${start:- nothing})"`,
    ]
        .filter((l) => l !== "")
        .join("\n");
}
