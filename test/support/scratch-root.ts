// A scratch "host" for running remote step scripts for real: a temporary root directory that
// the script sees as / (chroot, in private mount, PID, network and UTS namespaces, so nothing it
// does reaches this machine), with the system's /usr read-only, and stub binaries first on PATH
// for everything that would act on a real host (docker, mysql, ip, iptables, sysctl, modprobe, ...). The
// stubs keep their state under /stub/.state, record each call in /stub/.calls and fail on demand:
// STUB_FAIL=all makes every call fail, STUB_FAIL=N the N-th call of the run. Each container
// named at construction is a root of its own under /containers/<name>, which `docker exec`
// enters (chroot) with the same /usr and stubs.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The shells a script runs under: sh as the host has it (dash where installed), and bash. */
export const SHELLS: readonly string[] = [fs.existsSync("/usr/bin/dash") || fs.existsSync("/bin/dash") ? "dash" : "sh", "bash"];

/** What `docker swarm join-token -q worker` prints on a stubbed manager. */
export const STUB_SWARM_TOKEN = "SWMTKN-1-0stubcafe0stubcafe0stubcafe0stubcafe0stubcafe0-stubjointokensecret0";

// Sourced by every counting stub: records the call, then fails when told to.
const LIB = `name=\${0##*/}
printf '%s\\n' "$name $(printf '%s ' "$@" | tr '\\n' ' ')" >>/stub/.calls
printf x >>/stub/.ticks
n=$(($(wc -c </stub/.ticks)))
if [ "\${STUB_FAIL:-}" = all ] || [ "\${STUB_FAIL:-}" = "$n" ]; then echo "$name: stubbed failure" >&2; exit 1; fi
state=/stub/.state
mkdir -p "$state"
`;

const stub = (body: string) => `#!/bin/sh\n. /stub/.lib\n${body}\n`;

export const STUBS: Record<string, string> = {
    docker: stub(`case "$1" in
exec)
  shift
  while [ $# -gt 0 ]; do case "$1" in -i|-t|-it|-d) shift ;; -e|-u|-w|--user|--env|--workdir) shift 2 ;; -*) shift ;; *) break ;; esac; done
  c=$1; shift
  if [ -d "/containers/$c" ]; then exec chroot "/containers/$c" "$@"; fi
  exec "$@" ;;
run)
  shift; entry=
  while [ $# -gt 0 ]; do case "$1" in -v) mkdir -p "\${2#*:}"; shift 2 ;; --entrypoint) entry=$2; shift 2 ;; --network|--user|-u|-e|--name|-w) shift 2 ;; -*) shift ;; *) break ;; esac; done
  shift
  if [ -n "$entry" ]; then exec "$entry" "$@"; fi ;;
info)
  case "$*" in *LocalNodeState*) cat "$state/swarm" 2>/dev/null || echo inactive ;; *ControlAvailable*) if [ "$(cat "$state/role" 2>/dev/null)" = manager ]; then echo true; else echo false; fi ;; esac ;;
swarm)
  case "$2" in
  init) echo active >"$state/swarm"; echo manager >"$state/role" ;;
  join-token) [ "$(cat "$state/role" 2>/dev/null)" = manager ] || { echo "Error response from daemon: This node is not a swarm manager." >&2; exit 1; }; echo ${STUB_SWARM_TOKEN} ;;
  join) echo active >"$state/swarm"; echo worker >"$state/role" ;;
  leave) rm -f "$state/swarm" "$state/role" ;;
  esac ;;
network)
  case "$2" in
  inspect) [ -f "$state/net-$3" ] || { echo "Error: No such network: $3" >&2; exit 1; }; cat "$state/net-$3" ;;
  create) shift 2; subnet=; net=; while [ $# -gt 0 ]; do case "$1" in --subnet) subnet=$2; shift 2 ;; --opt|-o|--driver|-d|--gateway) shift 2 ;; *) net=$1; shift ;; esac; done; echo "$subnet" >"$state/net-$net" ;;
  rm) rm -f "$state/net-$3" ;;
  esac ;;
inspect)
  eval "c=\\\${$#}"
  case "$*" in
  *State.Error*) [ -f "$state/ctr-$c" ] || { echo "Error: No such object: $c" >&2; exit 1; }; cat "$state/ctr-$c" ;;
  *State.Running*) echo true ;;
  esac ;;
events)
  # The event stream: the names in /stub/.state/events, one a line; then it ends, as when dockerd stops.
  cat "$state/events" 2>/dev/null ;;
start)
  c=$2; [ -f "$state/ctr-$c" ] || { echo "Error: No such container: $c" >&2; exit 1; }
  left=$(cat "$state/fails-$c" 2>/dev/null || echo 0)
  if [ "$left" -gt 0 ]; then echo $((left - 1)) >"$state/fails-$c"; echo "Error response from daemon: attaching to network failed: context deadline exceeded" >&2; exit 1; fi
  echo "true " >"$state/ctr-$c" ;;
node)
  case "$2" in
  ls) cut -d' ' -f1 "$state/nodes" 2>/dev/null ;;
  inspect) eval "id=\\\${$#}"; grep "^$id " "$state/nodes" | cut -d' ' -f2 ;;
  esac ;;
service)
  case "$2" in
  inspect) eval "svc=\\\${$#}"; [ -f "$state/svc-$svc" ] || { echo "Error: no such service: $svc" >&2; exit 1; }; case "$3" in -f) cat "$state/svc-$svc" ;; esac ;;
  create) shift 2; name=; constraint=; image=
    while [ $# -gt 0 ]; do case "$1" in --name) name=$2; shift 2 ;; --constraint) constraint=$2; shift 2 ;; --network|--restart-condition|--stop-grace-period|--label|--entrypoint) shift 2 ;; -*) shift ;; *) image=$1; break ;; esac; done
    echo "$image $constraint" >"$state/svc-$name" ;;
  ps) eval "svc=\\\${$#}"; [ -f "$state/svc-$svc" ] || { echo "Error: no such service: $svc" >&2; exit 1; }; echo "Running 2 seconds ago|" ;;
  rm) rm -f "$state/svc-$3" ;;
  esac ;;
cp)
  c=\${3%%:*}; dst=\${3#*:}; [ ! -d "/containers/$c" ] || dst=/containers/$c$dst; mkdir -p "$dst"; cp -R "$2" "$dst" ;;
esac`),
    // The MySQL/MariaDB client: reads (and drops) SQL on stdin unless -e is given; answers the
    // replica status with both threads running and the wsrep status from /stub/.galera-status.
    mysql: stub(`sql=; next=
for a in "$@"; do if [ -n "$next" ]; then sql=$a; next=; fi; case "$a" in -e|--execute) next=1 ;; --execute=*) sql=\${a#--execute=} ;; esac; done
case "$sql" in
"") cat >/dev/null ;;
*"SLAVE STATUS"*) printf '%s\\n' "Slave_IO_Running: Yes" "Slave_SQL_Running: Yes" ;;
*"REPLICA STATUS"*) printf '%s\\n' "Replica_IO_Running: Yes" "Replica_SQL_Running: Yes" ;;
*wsrep*) cat /stub/.galera-status 2>/dev/null ;;
esac`),
    ip: stub(`case "$*" in *"-4 addr show"|*"-o -4 addr show") cat /stub/.ip-addrs 2>/dev/null ;; esac`),
    iptables: stub(`case "$*" in *" -C "*|"-C "*) exit 1 ;; esac`),
    // firewall-cmd: the zone is public; direct rules are kept per set (permanent, runtime) as
    // firewalld lists them, and a reload makes the running set the permanent one.
    "firewall-cmd": stub(`set_=runtime
for a do [ "$a" = --permanent ] && set_=permanent; done
rules="$state/fwd-direct-$set_"
case "$*" in
*--get-zone-of-interface*) echo public ;;
*--query-rule*|*--query-rich-rule*) exit 1 ;;
*"--direct --get-all-rules"*) cat "$rules" 2>/dev/null || : ;;
*"--direct --add-rule "*) printf '%s\\n' "$*" | sed 's/.*--direct --add-rule //' >>"$rules" ;;
*"--direct --remove-rule "*) r=$(printf '%s\\n' "$*" | sed 's/.*--direct --remove-rule //'); grep -vxF -- "$r" "$rules" >"$rules.new" || :; mv -f "$rules.new" "$rules" ;;
*--reload*) cp "$state/fwd-direct-permanent" "$state/fwd-direct-runtime" 2>/dev/null || : ;;
esac`),
    sysctl: stub(`if [ "$1" = -n ]; then echo 0; fi`),
    systemctl: stub(`case "$1" in is-active) exit 1 ;; esac`),
    // ssh to a host: runs the remote command here, after checking that the identity file is
    // private; keeps a copy of it and of the known_hosts file for the test to compare.
    ssh: stub(`key=; known=
while [ $# -gt 1 ]; do case "$1" in
  -i) key=$2; shift 2 ;;
  -o) case "$2" in UserKnownHostsFile=*) known=\${2#UserKnownHostsFile=} ;; esac; shift 2 ;;
  -p|-l|-F) shift 2 ;;
  -*) shift ;;
  *) shift; break ;;
esac; done
[ -n "$key" ] && [ -f "$key" ] || { echo "ssh: no identity file" >&2; exit 255; }
[ "$(stat -c %a "$key")" = 600 ] || { echo "ssh: the identity file is not private" >&2; exit 255; }
cp "$key" "$state/ssh-identity"
if [ -f "$known" ]; then cp "$known" "$state/ssh-known-hosts"; fi
exec sh -c "$1"`),
    keepalived: stub(""),
    ipvsadm: stub(""),
    // Every kernel module is there for the asking (the preflight's modprobe -n, the install's modprobe).
    modprobe: stub(""),
    "apt-get": stub(""),
    yum: stub(""),
    dpkg: stub(""),
};
STUBS.mariadb = STUBS.mysql;
STUBS.ip6tables = STUBS.iptables;

export interface RunResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    /** stdout and stderr, as a failed step's error would carry them. */
    readonly output: string;
}

export interface RunOptions {
    readonly shell?: string;
    readonly stdin?: string;
    /** "all", or the number of the stub call (in this run) that fails. */
    readonly fail?: "all" | number;
    readonly timeoutMs?: number;
    /** Paths under /usr of this machine's binaries the script must not find (whited out of the root's /usr). */
    readonly hide?: readonly string[];
}

export class ScratchRoot {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "scratch-root-"));
    readonly root = path.join(this.dir, "root");

    constructor(containers: readonly string[] = [], stubs: Record<string, string> = STUBS) {
        for (const top of [this.root, ...containers.map((c) => path.join(this.root, "containers", c))]) {
            for (const d of ["usr", "dev", "proc", "tmp", "etc/alternatives", "var/lib", "run", "root", "stub"]) fs.mkdirSync(path.join(top, d), { recursive: true });
            fs.chmodSync(path.join(top, "tmp"), 0o1777);
            for (const l of ["bin", "sbin", "lib", "lib32", "lib64", "libx32"]) {
                const host = `/${l}`;
                if (fs.existsSync(host) && fs.lstatSync(host).isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(host), path.join(top, l));
                else if (fs.existsSync(host)) throw new Error(`${host} is a directory: ScratchRoot expects a merged /usr`);
            }
            for (const f of ["passwd", "group"]) fs.copyFileSync(`/etc/${f}`, path.join(top, "etc", f));
        }
        fs.writeFileSync(path.join(this.root, "stub/.lib"), LIB);
        for (const [name, text] of Object.entries(stubs)) this.write(`/stub/${name}`, text, 0o755);
        // A stub sleep: waits poll once a second, and a stub answers at once.
        this.write("/stub/sleep", "#!/bin/sh\nexit 0\n", 0o755);
    }

    /** The path on this machine of a path inside the root. */
    path(p: string): string {
        return path.join(this.root, p);
    }

    write(p: string, content: string, mode = 0o644): void {
        fs.mkdirSync(path.dirname(this.path(p)), { recursive: true });
        fs.writeFileSync(this.path(p), content, { mode });
        fs.chmodSync(this.path(p), mode);
    }

    read(p: string): string {
        return fs.readFileSync(this.path(p), "utf8");
    }

    exists(p: string): boolean {
        return fs.existsSync(this.path(p));
    }

    mode(p: string): number {
        return fs.statSync(this.path(p)).mode & 0o7777;
    }

    /** The stub calls of the last run, one line each ("docker swarm init ..."). */
    calls(): string[] {
        const f = this.path("/stub/.calls");
        return fs.existsSync(f) ? fs.readFileSync(f, "utf8").split("\n").filter(Boolean) : [];
    }

    /** Every file under the root whose name matches, outside /usr, /dev, /proc and /stub. */
    find(pattern: RegExp): string[] {
        const out: string[] = [];
        const walk = (rel: string) => {
            for (const e of fs.readdirSync(this.path(rel), { withFileTypes: true })) {
                const r = path.posix.join(rel, e.name);
                if (["usr", "dev", "proc", "stub"].includes(e.name) && (rel === "/" || path.posix.dirname(rel) === "/containers")) continue;
                if (e.isDirectory()) walk(r);
                else if (pattern.test(e.name)) out.push(r);
            }
        };
        walk("/");
        return out;
    }

    /** Runs a script as `<shell> -c script` inside the root, stdin from `stdin`. */
    run(script: string, opts: RunOptions = {}): RunResult {
        fs.rmSync(this.path("/stub/.calls"), { force: true });
        fs.rmSync(this.path("/stub/.ticks"), { force: true });
        const wrapper = [
            "set -e",
            // Hidden binaries: whiteouts in a read-only overlay over the system's /usr (so that no
            // shell's `command -v` finds them, bash included, which reports a non-executable file).
            'if [ -n "$5" ]; then',
            '  h="$1/../hide"; mkdir -p "$h"; mount -t tmpfs tmpfs "$h"',
            '  for p in $5; do r=${p#/usr}; mkdir -p "$h$(dirname "$r")"; [ -e "$h$r" ] || mknod "$h$r" c 0 0; done',
            "fi",
            'for top in "$1" "$1"/containers/*; do',
            '  [ -d "$top/usr" ] || continue',
            '  if [ -n "$5" ] && [ "$top" = "$1" ]; then mount -t overlay overlay -o "lowerdir=$h:/usr" "$top/usr"',
            '  else mount --bind /usr "$top/usr"; mount -o remount,bind,ro "$top/usr"; fi',
            '  mount --bind /etc/alternatives "$top/etc/alternatives"',
            '  mount -o remount,bind,ro "$top/etc/alternatives"',
            '  mount --bind /dev "$top/dev"',
            '  mount -t proc proc "$top/proc"',
            '  [ "$top" = "$1" ] || mount --bind "$1/stub" "$top/stub"',
            "done",
            'root=$1; shift',
            'exec chroot "$root" /usr/bin/env -i PATH=/stub:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin HOME=/root LC_ALL=C STUB_FAIL="$1" "$2" -c "$3"',
        ].join("\n");
        const r = spawnSync(
            "unshare",
            ["--mount", "--propagation", "private", "--pid", "--fork", "--net", "--uts", "sh", "-c", wrapper, "sh", this.root, String(opts.fail ?? ""), opts.shell ?? SHELLS[0], script, (opts.hide ?? []).join(" ")],
            { input: opts.stdin ?? "", encoding: "utf8", timeout: opts.timeoutMs ?? 60_000 },
        );
        if (r.error) throw r.error;
        const stdout = r.stdout ?? "";
        const stderr = r.stderr ?? "";
        return { code: r.status ?? -1, stdout, stderr, output: `${stdout}${stderr}` };
    }

    close(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** The file contents of a "path mode base64" payload, by path. */
export function payloadFiles(payload: string): Map<string, string> {
    const files = new Map<string, string>();
    for (const line of payload.split("\n").filter(Boolean)) {
        const m = /^(.*) ([0-7]{3,4}) (\S*)$/.exec(line);
        if (m) files.set(m[1], Buffer.from(m[3], "base64").toString("utf8"));
    }
    return files;
}
