// The steps that make a bare host ready, run for real under dash and bash in a scratch root
// (test/support/scratch-root.ts) whose package manager, systemctl, Docker and firewalld are fakes
// on PATH and whose own copies of the real tools are hidden where a test needs them missing:
// the preflight (each missing piece named with its fix, nothing changed), the install step (only
// what is missing, a held lock waited for a bounded number of times, the package lists updated
// once, services started in order) and the boot unit (installed only under systemd, its script
// running the kept apply scripts in order). The rendered files also pass their validators.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { loadTopology } from "../../model/load";
import { Topology } from "../../model/schema";
import { filesPayload } from "../../components/remote/payload";
import { renderPreflight } from "../../components/render/host-preflight";
import { LOCK_ATTEMPTS, MODULES_LOAD_FILE, renderInstall } from "../../components/render/host-install";
import { BOOT_SCRIPT, BOOT_UNIT, HOST_BOOT_DELETE, hostBootCreate, renderHostBoot } from "../../components/render/host-boot";
import { renderContainerStart, START_UNIT_NAME } from "../../components/render/container-start";
import { FIREWALL_APPLY } from "../../components/render/firewall";
import { LO_VIP_APPLY } from "../../components/render/sysctl";
import { SHIM_APPLY } from "../../components/render/macvlan-shim";
import { expectGolden } from "../support/golden";
import { allStackFiles, goodSecrets, loadStackFile, PROJECT, rawTopology, stackLabel } from "../support/stacks";
import { hasTool, shellcheck } from "../support/validators";
import { RunResult, ScratchRoot, SHELLS, STUBS } from "../support/scratch-root";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = any;

const DEV = "Pulumi.dev.yaml";
const TUTORIAL = "Pulumi.tutorial.yaml";
const LVS_DR = "test/fixtures/tutorial-004.yaml";

function topology(file: string, edit?: (raw: Raw) => void): Topology {
    const raw = structuredClone(rawTopology(file)) as Raw;
    edit?.(raw);
    return loadTopology(PROJECT, raw, goodSecrets()).topology;
}

/** Every copy of the tools a test wants missing on the root's PATH under /usr, which the root shares with this machine. */
function realPaths(...names: string[]): string[] {
    const dirs = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin"];
    return names.flatMap((n) => dirs.map((d) => `${d}/${n}`).filter((p) => fs.existsSync(p) || fs.lstatSync(p, { throwIfNoEntry: false }) !== undefined));
}

const stub = (body: string) => `#!/bin/sh\n. /stub/.lib\n${body}\n`;

/** A Docker engine that answers once it runs ($state/docker-running). */
const FAKE_DOCKER = stub(`case "$1" in info) [ -f "$state/docker-running" ] || { echo "Cannot connect to the Docker daemon" >&2; exit 1; } ;; esac`);
/** firewall-cmd answering --state while firewalld runs; firewall-offline-cmd whose zone admits ssh when told to. */
const FAKE_FIREWALL_CMD = stub(`case "$1" in --state) [ -f "$state/firewalld-running" ] || { echo "not running" >&2; exit 252; } ;; esac`);
const FAKE_OFFLINE_CMD = stub(`case "$1" in --query-service=ssh) [ -f "$state/zone-has-ssh" ] ;; --query-port=*) exit 1 ;; esac`);

/** What installing each package puts on PATH. */
const PROVIDES: Record<string, Record<string, string>> = {
    "docker.io": { docker: FAKE_DOCKER, dockerd: stub("") },
    "docker-ce": { docker: FAKE_DOCKER, dockerd: stub("") },
    apparmor: { apparmor_parser: stub("") },
    keepalived: { keepalived: stub("") },
    ipvsadm: { ipvsadm: stub("") },
    iptables: { iptables: stub("") },
    firewalld: { "firewall-cmd": FAKE_FIREWALL_CMD, "firewall-offline-cmd": FAKE_OFFLINE_CMD },
};

/**
 * apt-get: `install` fails while $state/lock-held counts down (the dpkg lock), fails for a
 * package in $state/unknown-<pkg> until an `update` ran and for one in $state/never-<pkg>
 * always, else puts the packages' commands on PATH.
 */
const FAKE_APT = stub(`case "$1" in
update) touch "$state/updated" ;;
install)
  shift
  n=$(cat "$state/lock-held" 2>/dev/null || echo 0)
  if [ "$n" -gt 0 ]; then echo $((n - 1)) >"$state/lock-held"; echo "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (unattended-upgr)" >&2; exit 100; fi
  for p in "$@"; do
    case $p in -*|Dpkg::*) continue ;; esac
    if [ -f "$state/never-$p" ] || { [ -f "$state/unknown-$p" ] && [ ! -f "$state/updated" ]; }; then echo "E: Unable to locate package $p" >&2; exit 100; fi
  done
  for p in "$@"; do
    case $p in -*|Dpkg::*) continue ;; esac
    [ ! -d "/stub/.provides/$p" ] || cp /stub/.provides/"$p"/* /stub/
  done ;;
esac`);

/** systemctl: units enabled and running as files under $state; docker.service exists once dockerd does. */
const FAKE_SYSTEMCTL = stub(`unit() { u=$1; u=\${u%.service}; printf '%s' "$u"; }
case "$1" in
is-enabled) shift; [ "$1" != -q ] || shift; [ -f "$state/enabled-$(unit "$1")" ] ;;
is-active) shift; [ "$1" != -q ] || shift; [ -f "$state/$(unit "$1")-running" ] ;;
enable|disable)
  op=$1; shift; now=; u=
  for a in "$@"; do case $a in -q) ;; --now) now=1 ;; *) u=$(unit "$a") ;; esac; done
  if [ "$op" = enable ]; then touch "$state/enabled-$u"; [ -z "$now" ] || touch "$state/$u-running"
  else rm -f "$state/enabled-$u"; [ -z "$now" ] || rm -f "$state/$u-running"; fi ;;
start|restart) touch "$state/$(unit "$2")-running" ;;
cat) [ "$(unit "$2")" != docker ] || command -v dockerd >/dev/null ;;
esac`);

interface Host {
    readonly root: ScratchRoot;
    run(script: string, stdin?: string, hide?: string[]): RunResult;
}

/**
 * A scratch host: the standard stubs, with `missing` taken off PATH (stub and this machine's
 * copy), fakes for apt-get, systemctl, Docker and firewalld, and systemd as PID 1 when asked.
 * Docker runs unless told otherwise; firewalld only when told to.
 */
function host(shell: string, opts: { systemd?: boolean; missing?: string[]; dockerRunning?: boolean; firewalldRunning?: boolean } = {}): Host {
    const missing = opts.missing ?? [];
    const stubs: Record<string, string> = { ...STUBS, "apt-get": FAKE_APT, systemctl: FAKE_SYSTEMCTL, docker: FAKE_DOCKER, "firewall-cmd": FAKE_FIREWALL_CMD, "firewall-offline-cmd": FAKE_OFFLINE_CMD };
    for (const m of missing) delete stubs[m];
    delete stubs.yum;
    const root = new ScratchRoot([], stubs);
    for (const [pkg, cmds] of Object.entries(PROVIDES)) for (const [cmd, text] of Object.entries(cmds)) root.write(`/stub/.provides/${pkg}/${cmd}`, text, 0o755);
    if (!missing.includes("docker")) root.write("/stub/dockerd", stub(""), 0o755);
    if (opts.dockerRunning ?? true) root.write("/stub/.state/docker-running", "");
    if (opts.firewalldRunning) root.write("/stub/.state/firewalld-running", "");
    if (opts.systemd) root.write("/run/systemd/system/.present", "");
    const hidden = realPaths(...missing, ...(missing.includes("docker") ? ["dockerd"] : []), ...(missing.includes("firewall-cmd") ? ["firewall-offline-cmd"] : []));
    return { root, run: (script, stdin = "", hide = []) => root.run(script, { shell, stdin, hide: [...hidden, ...hide] }) };
}

const calls = (h: Host, tool: string) => h.root.calls().filter((c) => c.startsWith(`${tool} `));

describe.each(SHELLS.map((s) => [s]))("under %s", (shell) => {
    const hosts: Host[] = [];
    const make = (opts?: Parameters<typeof host>[1]) => {
        const h = host(shell, opts);
        hosts.push(h);
        return h;
    };
    afterEach(() => {
        for (const h of hosts.splice(0)) h.root.close();
    });

    describe("preflight", () => {
        const dev = topology(DEV);

        it("passes on a host without systemd where everything is present and running (the namespace lab), and changes nothing", () => {
            const h = make();
            const r = h.run(renderPreflight(dev, "lab1"));
            expect([r.code, r.stdout, r.stderr]).toEqual([0, "preflight of lab1: ok (systemd: no, package manager: apt-get, to install: nothing, to start: nothing)\n", ""]);
            const links = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];
            expect(h.root.find(/./).filter((p) => !p.startsWith("/etc/") && !links.includes(p))).toEqual([]);
            // It only looks: no package manager, systemctl, modprobe or firewall call that changes anything.
            expect(h.root.calls().filter((c) => /^(apt-get|systemctl|iptables) /.test(c) || /^firewall-cmd (?!--state)/.test(c) || /^modprobe (?!-n)/.test(c))).toEqual([]);
        });

        it("with systemd and a package manager, lists what the install step will install and start", () => {
            const h = make({ systemd: true, missing: ["keepalived"], dockerRunning: false });
            const r = h.run(renderPreflight(dev, "lab1"));
            expect([r.code, r.stdout]).toEqual([0, "preflight of lab1: ok (systemd: yes, package manager: apt-get, to install: keepalived, to start: docker)\n"]);
        });

        it.each([
            ["keepalived", "keepalived (keepalived holds VI_HAPROXY on this host) is not installed, and the stack installs only under systemd (/run/systemd/system is missing; PID 1 is"],
            ["iptables", "iptables (hosts[0].firewall.kind is iptables) is not installed, and the stack installs only under systemd"],
            ["docker", "docker (this host runs the stack's Docker engine) is not installed, and the stack installs only under systemd"],
        ])("without systemd, a missing %s fails naming the host, the piece and the fix", (piece, says) => {
            const h = make({ missing: [piece] });
            const r = h.run(renderPreflight(dev, "lab1"));
            expect(r.code).not.toBe(0);
            expect(r.stderr).toContain(`host lab1: ${says}`);
            expect(r.stderr).toMatch(new RegExp(`Fix: boot lab1 with systemd, or install ${piece}.* on lab1 by hand`));
            expect(r.stderr).toMatch(/preflight of lab1: 1 problem\(s\); nothing was changed\n$/);
            expect(r.stdout).toBe("");
        });

        it("without systemd, a Docker engine that does not answer fails: nothing there could start it", () => {
            const h = make({ dockerRunning: false });
            const r = h.run(renderPreflight(dev, "lab2"));
            expect(r.code).not.toBe(0);
            expect(r.stderr).toContain("host lab2: docker (this host runs the stack's Docker engine) is installed but not running, and the stack starts it only under systemd (/run/systemd/system is missing; PID 1 is ");
            expect(r.stderr).toContain("Fix: start docker on lab2 by hand, or boot it with systemd");
        });

        it("refuses cleanly without a package manager when something must be installed", () => {
            const h = make({ systemd: true, missing: ["keepalived", "apt-get"] });
            const r = h.run(renderPreflight(dev, "lab1"), "", realPaths("apt-get", "dnf", "yum"));
            expect(r.code).not.toBe(0);
            expect(r.stderr).toContain("host lab1: keepalived (keepalived holds VI_HAPROXY on this host) is not installed, and there is no package manager the stack knows (apt-get, dnf, yum). Fix: install keepalived on lab1 by hand");
            expect(r.stderr).toMatch(/1 problem\(s\)/);
        });

        it("with install.enabled false, names each missing or stopped piece and the key to change", () => {
            const t = topology(TUTORIAL, (raw) => (raw.hosts[1].install = { enabled: false }));
            const h = make({ systemd: true, missing: ["keepalived"], firewalldRunning: false });
            const r = h.run(renderPreflight(t, "vm107"));
            expect(r.code).not.toBe(0);
            expect(r.stderr).toContain("host vm107: keepalived (keepalived holds VI_LAN on this host) is not installed, and hosts[1].install.enabled is false. Fix: install keepalived on vm107, or set hosts[1].install.enabled: true");
            expect(r.stderr).toContain("host vm107: firewalld (hosts[1].firewall.kind is firewalld; its VRRP direct rules run through iptables) is installed but not running, and hosts[1].install.enabled is false. Fix: start it (systemctl enable --now firewalld), or set hosts[1].install.enabled: true");
            expect(r.stderr).toMatch(/preflight of vm107: 2 problem\(s\)/);
        });

        it("warns, without failing, when firewalld runs on a host whose firewall kind is iptables", () => {
            const h = make({ firewalldRunning: true });
            const r = h.run(renderPreflight(dev, "lab3"));
            expect(r.code).toBe(0);
            expect(r.stdout).toContain("warning: host lab3: firewalld is running and hosts[2].firewall.kind is iptables: what the stack's iptables rules admit, firewalld's zone may still reject. Fix: set hosts[2].firewall.kind: firewalld, or stop firewalld\n");
            fs.rmSync(h.root.path("/stub/.state/firewalld-running"));
            expect(h.run(renderPreflight(dev, "lab3")).stdout).not.toContain("warning");
        });

        it("names the Docker packages of every package manager when Docker is missing", () => {
            const h = make({ missing: ["docker"], firewalldRunning: true });
            const r = h.run(renderPreflight(topology(TUTORIAL), "vm105"));
            expect(r.stderr).toContain("install docker (docker.io apparmor with apt-get, docker-ce with dnf or yum) on vm105 by hand");
        });

        describe("kernel modules", () => {
            // A module this machine has loaded or built in is found whatever the root says.
            const onThisMachine = (m: string) =>
                (fs.existsSync("/proc/modules") && new RegExp(`^${m} `, "m").test(fs.readFileSync("/proc/modules", "utf8"))) ||
                spawnSync("sh", ["-c", `grep -qs "/${m}\\.ko" "/lib/modules/$(uname -r)/modules.builtin"`]).status === 0;
            const lvs = topology(LVS_DR, (raw) => (raw.keepalived.instances[0].forwarding.lbAlgo = "dh"));

            it("an LVS director without IPVS fails naming each module; loaded (/sys/module) or loadable modules pass", () => {
                const h = make({ missing: ["modprobe"] });
                const r = h.run(renderPreflight(lvs, "lb1"));
                const absent = ["ip_vs", "ip_vs_dh"].filter((m) => !onThisMachine(m));
                expect(absent.length).toBeGreaterThan(0);
                expect(r.code).not.toBe(0);
                for (const m of absent) {
                    expect(r.stderr).toMatch(new RegExp(`host lb1: kernel module ${m} \\((LVS director of VI_1|the dh scheduler of VI_1)\\) is not available in kernel \\S+: not loaded, not built in, and modprobe finds no such module\\. Fix: install the modules of the running kernel`));
                }
                for (const m of ["ip_vs", "ip_vs_dh"]) h.root.write(`/sys/module/${m}/refcnt`, "0\n");
                expect(h.run(renderPreflight(lvs, "lb1")).code).toBe(0);
                // A real server needs no IPVS.
                fs.rmSync(h.root.path("/sys"), { recursive: true, force: true });
                expect(h.run(renderPreflight(lvs, "mc3")).code).toBe(0);
                const loadable = make();
                expect(loadable.run(renderPreflight(lvs, "lb1")).code).toBe(0);
                expect(calls(loadable, "modprobe")).toEqual(["modprobe -n -q ip_vs ", "modprobe -n -q ip_vs_dh "]);
            });

            it("overlay and vxlan count only where Docker must be started", () => {
                const h = make({ systemd: true, missing: ["modprobe"], dockerRunning: false });
                const r = h.run(renderPreflight(dev, "lab3"));
                for (const m of ["overlay", "vxlan"].filter((x) => !onThisMachine(x))) expect(r.stderr).toContain(`kernel module ${m} (`);
                h.root.write("/stub/.state/docker-running", "");
                expect(h.run(renderPreflight(dev, "lab3")).code).toBe(0);
            });
        });

        describe("published ports", () => {
            const perl = (name: string, port: number) => `${name} -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(LocalPort => ${port}, Listen => 5, ReuseAddr => 1) or die; sleep 30' & i=0; until ss -tln "sport = :${port}" | grep -q LISTEN || [ $i -ge 50 ]; do i=$((i+1)); /usr/bin/sleep 0.1; done\n`;

            it("a port another process holds fails naming the port, what publishes it and the process", () => {
                const h = make();
                const r = h.run(`${perl("perl", 3307)}${renderPreflight(dev, "lab1")}`);
                expect(r.code).not.toBe(0);
                expect(r.stderr).toMatch(/host lab1: TCP port 3307, which HAProxy h1 listener dualmaster publishes \(haproxy\.listeners\[2\]\.publishPort\), is taken by perl \(pid \d+\)\. Fix: stop that service or move it to another port, or publish another port in haproxy\.listeners\[2\]\.publishPort/);
            });

            it("a port Docker's proxy holds (a re-run) passes, and so does lab3, which publishes nothing", () => {
                const h = make();
                fs.copyFileSync("/usr/bin/perl", h.root.path("/stub/docker-proxy"));
                fs.chmodSync(h.root.path("/stub/docker-proxy"), 0o755);
                expect(h.run(`${perl("docker-proxy", 3306)}${renderPreflight(dev, "lab1")}`).code).toBe(0);
                expect(h.run(`${perl("perl", 3306)}${renderPreflight(dev, "lab3")}`).code).toBe(0);
            });

            it("without ss, says that the ports are not checked", () => {
                const h = make();
                const r = h.run(renderPreflight(dev, "lab1"), "", realPaths("ss"));
                expect([r.code, r.stdout.split("\n")[0]]).toEqual([0, "ss (iproute2) is not installed on lab1: the published ports 3306, 3308, 3307, 8888 are not checked"]);
            });
        });
    });

    describe("install", () => {
        const dev = topology(DEV);
        const install = (t: Topology, name: string) => renderInstall(t, name);
        const go = (h: Host, t: Topology, name: string) => {
            const i = install(t, name);
            return h.run(i.create, filesPayload(i.files));
        };
        const aptInstalls = (h: Host) => calls(h, "apt-get").filter((c) => c.startsWith("apt-get install"));
        const APT = "apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold";

        it("installs nothing where everything is present and running, with or without systemd", () => {
            for (const systemd of [false, true]) {
                const h = make({ systemd });
                const r = go(h, dev, "lab1");
                expect([r.code, r.stderr]).toEqual([0, ""]);
                expect(r.stdout).toMatch(/host lab1 has what the stack runs there\n$/);
                expect(aptInstalls(h)).toEqual([]);
                expect(calls(h, "systemctl").filter((c) => /^systemctl (start|restart|enable)/.test(c))).toEqual(systemd ? ["systemctl enable -q docker "] : []);
            }
        });

        it("installs only what is missing, in one apt-get run, with progress lines, and a second run installs nothing", () => {
            const h = make({ systemd: true, missing: ["keepalived"] });
            const r = go(h, dev, "lab1");
            expect([r.code, r.stderr]).toEqual([0, ""]);
            expect(aptInstalls(h)).toEqual([`${APT} keepalived `]);
            expect(r.stdout).toContain("installing keepalived on lab1 with apt-get ...\ninstalled keepalived on lab1\n");
            expect(h.root.exists("/stub/keepalived")).toBe(true);
            const again = go(h, dev, "lab1");
            expect([again.code, aptInstalls(h)]).toEqual([0, []]);
        });

        it("installs Docker and firewalld on a bare host, starts firewalld (SSH port admitted) before Docker, and waits for Docker", () => {
            const t = topology(TUTORIAL, (raw) => (raw.hosts[0].ssh.port = 2222));
            const h = make({ systemd: true, missing: ["docker", "firewall-cmd", "keepalived"], dockerRunning: false, firewalldRunning: false });
            const r = go(h, t, "vm105");
            expect([r.code, r.stderr]).toEqual([0, ""]);
            expect(aptInstalls(h)).toEqual([`${APT} firewalld iptables docker.io apparmor keepalived `]);
            const order = h.root.calls().filter((c) => /^(firewall-offline-cmd --add|systemctl (enable|start|restart))/.test(c));
            expect(order).toEqual(["firewall-offline-cmd --add-port=2222/tcp ", "systemctl enable -q --now firewalld ", "systemctl enable -q docker ", "systemctl start docker "]);
            expect(r.stdout).toMatch(/admitted the SSH port 2222\/tcp in firewalld's default zone before starting it/);
            expect(r.stdout).toMatch(/the Docker engine on vm105 \(docker info\): ok after \d+s/);
            // On port 22 with the zone's ssh service, firewalld starts as it is.
            const on22 = make({ systemd: true, missing: ["firewall-cmd"], firewalldRunning: false });
            on22.root.write("/stub/.state/zone-has-ssh", "");
            expect(go(on22, topology(TUTORIAL), "vm105").code).toBe(0);
            expect(calls(on22, "firewall-offline-cmd").filter((c) => c.includes("--add"))).toEqual([]);
            // A Docker that ran before firewalld started is restarted, so that it registers with firewalld.
            expect(calls(on22, "systemctl").filter((c) => /--now|start/.test(c))).toEqual(["systemctl enable -q --now firewalld ", "systemctl restart docker "]);
        });

        it("on an LVS director with no container installs keepalived and ipvsadm, and neither installs nor waits for Docker", () => {
            const h = make({ systemd: true, missing: ["docker", "keepalived", "ipvsadm"], dockerRunning: false });
            const r = go(h, topology(LVS_DR), "lb2");
            expect([r.code, r.stderr]).toEqual([0, ""]);
            expect(aptInstalls(h)).toEqual([`${APT} keepalived ipvsadm `]);
            expect(calls(h, "systemctl").filter((c) => /docker/.test(c))).toEqual([]);
            expect(r.stdout).not.toMatch(/Docker engine/);
            expect(renderInstall(topology(LVS_DR), "lb2").create).not.toContain("docker info");
        });

        it("waits while another run holds the dpkg lock, a bounded number of times", () => {
            const h = make({ systemd: true, missing: ["keepalived"] });
            h.root.write("/stub/.state/lock-held", "3\n");
            const r = go(h, dev, "lab1");
            expect(r.code).toBe(0);
            expect(r.stdout.match(/^waiting for the package manager's lock on lab1 \(held by another run; attempt \d+ of \d+\) \.\.\.$/gm)).toHaveLength(3);
            expect(aptInstalls(h)).toHaveLength(4);

            const stuck = make({ systemd: true, missing: ["keepalived"] });
            stuck.root.write("/stub/.state/lock-held", "100000\n");
            const s = go(stuck, dev, "lab1");
            expect(s.code).not.toBe(0);
            expect(aptInstalls(stuck)).toHaveLength(LOCK_ATTEMPTS);
            expect(s.stderr).toContain(`install on host lab1: the package manager's lock is still held after ${LOCK_ATTEMPTS} attempts`);
            expect(s.stderr).toContain("Fix: let it finish, then run pulumi up again");
            expect(stuck.root.exists("/stub/keepalived")).toBe(false);
        });

        it("updates the package lists once when a package is unknown, then installs", () => {
            const h = make({ systemd: true, missing: ["keepalived"] });
            h.root.write("/stub/.state/unknown-keepalived", "");
            const r = go(h, dev, "lab1");
            expect([r.code, r.stdout]).toEqual([0, expect.stringContaining("updating the package lists on lab1 ...\n")]);
            expect(calls(h, "apt-get")).toEqual([`${APT} keepalived `, "apt-get update -q ", `${APT} keepalived `]);
        });

        it("a package no source has fails after one update, naming the packages and the key that chooses them", () => {
            const h = make({ systemd: true, missing: ["docker"] });
            h.root.write("/stub/.state/never-docker.io", "");
            const r = go(h, dev, "lab2");
            expect(r.code).not.toBe(0);
            expect(calls(h, "apt-get").filter((c) => c.startsWith("apt-get update"))).toHaveLength(1);
            expect(r.stderr).toContain("install on host lab2: docker.io apparmor: not every package is available from the host's package sources (hosts[1]). Fix: add a source that has them, or set hosts[1].install.docker.packages to the packages your sources have for the Docker engine");
        });

        it("installs the configured Docker packages", () => {
            const t = topology(DEV, (raw) => (raw.hosts[2].install = { docker: { packages: ["docker-ce", "docker-ce-cli"] } }));
            const h = make({ systemd: true, missing: ["docker"], dockerRunning: false });
            expect(go(h, t, "lab3").code).toBe(0);
            expect(aptInstalls(h)).toEqual([`${APT} docker-ce docker-ce-cli `]);
        });

        it("with dnf: Docker's package, makecache once for an unknown package", () => {
            const h = make({ systemd: true, missing: ["docker", "keepalived", "apt-get"], dockerRunning: false, firewalldRunning: true });
            const dnf = FAKE_APT.replace("update) touch", "makecache) touch").replace(/E: Unable to locate package \$p/g, "No match for argument: $p");
            h.root.write("/stub/dnf", dnf, 0o755);
            h.root.write("/stub/.state/unknown-docker-ce", "");
            const i = install(topology(TUTORIAL), "vm107");
            const r = h.run(i.create, "", realPaths("apt-get"));
            expect([r.code, r.stderr]).toEqual([0, ""]);
            expect(calls(h, "dnf")).toEqual(["dnf install -y -q docker-ce keepalived ", "dnf makecache -q ", "dnf install -y -q docker-ce keepalived "]);
            expect(r.stdout).toContain("installing docker-ce keepalived on vm107 with dnf ...");
        });

        it("refuses cleanly without a package manager, and without systemd", () => {
            const h = make({ systemd: true, missing: ["keepalived", "apt-get"] });
            const r = h.run(install(dev, "lab1").create, "", realPaths("apt-get", "dnf", "yum"));
            expect([r.code === 0, r.stderr]).toEqual([false, "install on host lab1: there is no package manager (apt-get, dnf, yum) to install keepalived. Fix: install them by hand\n"]);
            const nosd = make({ missing: ["keepalived"] });
            const n = go(nosd, dev, "lab1");
            expect([n.code === 0, n.stderr]).toEqual([false, "install on host lab1: installing keepalived needs systemd (/run/systemd/system is missing). Fix: install and start them by hand\n"]);
            expect(aptInstalls(nosd)).toEqual([]);
        });

        it("with install.enabled false installs and starts nothing", () => {
            const t = topology(DEV, (raw) => (raw.hosts[0].install = { enabled: false }));
            const h = make({ systemd: true });
            expect(go(h, t, "lab1").code).toBe(0);
            expect(calls(h, "systemctl").filter((c) => !c.startsWith("systemctl is-") && !c.startsWith("systemctl cat"))).toEqual([]);
            const gone = make({ systemd: true, missing: ["keepalived"] });
            const r = go(gone, t, "lab1");
            expect([r.code === 0, r.stderr, aptInstalls(gone)]).toEqual([false, "install on host lab1: missing: keepalived, and hosts[0].install.enabled is false. Fix: install it, or set hosts[0].install.enabled: true\n", []]);
        });

        it("a Docker engine that never answers fails after the bound, naming the host", () => {
            const h = make({ systemd: true, dockerRunning: false });
            fs.writeFileSync(h.root.path("/stub/systemctl"), FAKE_SYSTEMCTL.replace("start|restart)", "start|restart) ;; never)"));
            const r = go(h, dev, "lab1");
            expect(r.code).not.toBe(0);
            expect(r.stderr).toBe("timed out after 120s waiting for the Docker engine on lab1 (docker info)\n");
        });

        it("a script that skips an install fails its own check (the mutation is caught)", () => {
            const { create } = install(dev, "lab1");
            const skipping = create.replace(' pkgs="$pkgs ${pkgs_keepalived}";', "");
            expect(skipping).not.toBe(create);
            const h = make({ systemd: true, missing: ["keepalived"] });
            const r = h.run(skipping);
            expect(r.code).not.toBe(0);
            expect(r.stderr).toContain("install on host lab1: keepalived (keepalived holds VI_HAPROXY on this host) is still missing after the install");
        });

        it("an LVS director gets its modules loaded and listed in modules-load.d, which the delete removes", () => {
            const t = topology(LVS_DR);
            const h = make({ systemd: true });
            expect(go(h, t, "lb1").code).toBe(0);
            expect(h.root.read(MODULES_LOAD_FILE)).toMatch(/\nip_vs\nip_vs_rr\n$/);
            expect(calls(h, "modprobe")).toEqual(["modprobe ip_vs ", "modprobe ip_vs_rr "]);
            expect(go(h, t, "lb1").stdout).toContain(`unchanged ${MODULES_LOAD_FILE}`);
            // A host that is no director (any more) has none.
            expect(go(h, t, "mc3").stdout).toContain(`removed ${MODULES_LOAD_FILE} (no longer needed)`);
            expect(go(h, t, "lb1").code).toBe(0);
            const del = h.run(install(t, "lb1").delete);
            expect([del.code, h.root.exists(MODULES_LOAD_FILE)]).toEqual([0, false]);
            expect(del.stdout).toContain("the packages installed on lb1 stay, with their services");
        });
    });

    describe("boot unit", () => {
        const dev = topology(DEV);
        const files = (t: Topology, name: string) => renderHostBoot(t, name) ?? [];

        it("without systemd installs nothing and says what a reboot loses", () => {
            const h = make();
            const r = h.run(hostBootCreate("lab1"), filesPayload(files(dev, "lab1")));
            expect([r.code, r.stdout]).toEqual([0, "host lab1 has no systemd: what ha-mysql-host.service would restore after a reboot comes back with the next pulumi up\n"]);
            expect([h.root.exists(BOOT_UNIT), h.root.exists(BOOT_SCRIPT)]).toEqual([false, false]);
            expect(h.run(HOST_BOOT_DELETE).code).toBe(0);
        });

        it("under systemd installs and enables the unit once, and the delete disables and removes it", () => {
            const h = make({ systemd: true });
            const r = h.run(hostBootCreate("lab1"), filesPayload(files(dev, "lab1")));
            expect(r.code).toBe(0);
            expect(calls(h, "systemctl")).toEqual(["systemctl daemon-reload ", "systemctl enable -q ha-mysql-host.service "]);
            expect(h.root.exists("/stub/.state/enabled-ha-mysql-host")).toBe(true);
            expect(h.root.read(BOOT_UNIT)).toContain(`ExecStart=/bin/sh ${BOOT_SCRIPT}`);
            expect(h.run(hostBootCreate("lab1"), filesPayload(files(dev, "lab1"))).stdout).not.toMatch(/^wrote /m);
            const d = h.run(HOST_BOOT_DELETE);
            expect([d.code, h.root.exists(BOOT_UNIT), h.root.exists(BOOT_SCRIPT)]).toEqual([0, false, false]);
            expect(calls(h, "systemctl")).toEqual(["systemctl disable -q --now ha-mysql-host.service ", "systemctl daemon-reload "]);
        });

        it("the boot script runs the kept apply scripts in order, skips absent ones, and fails when one fails", () => {
            const boot = files(topology(LVS_DR), "mc3").find((f) => f.path === BOOT_SCRIPT);
            const devBoot = files(dev, "lab1").find((f) => f.path === BOOT_SCRIPT);
            if (!boot || !devBoot) throw new Error("no boot script");
            expect(boot.content).toContain(`\nrun ${FIREWALL_APPLY}\nrun ${LO_VIP_APPLY}\nexit`);
            expect(devBoot.content).toContain(`\nrun ${FIREWALL_APPLY}\nrun ${SHIM_APPLY}\nexit`);
            const h = make({ systemd: true });
            for (const p of [FIREWALL_APPLY, SHIM_APPLY]) h.root.write(p, `echo "ran ${path.basename(p)}" >>/var/log-boot\n`);
            h.root.write(BOOT_SCRIPT, devBoot.content, 0o755);
            expect(h.run(`sh ${BOOT_SCRIPT}`).code).toBe(0);
            expect(h.root.read("/var/log-boot")).toBe("ran firewall-apply.sh\nran shim-apply.sh\n");
            fs.rmSync(h.root.path(FIREWALL_APPLY));
            h.root.write(SHIM_APPLY, "exit 3\n");
            const r = h.run(`sh ${BOOT_SCRIPT}`);
            expect([r.code, r.stderr]).toEqual([1, `${SHIM_APPLY} failed\n`]);
        });
    });
});

/** What `systemd-analyze verify` says of a unit, besides the units it names that need not exist here. */
function unitProblems(name: string, content: string): string[] {
    if (!hasTool("systemd-analyze")) return [];
    const dir = fs.mkdtempSync(path.join(require("os").tmpdir(), "unit-"));
    try {
        fs.writeFileSync(path.join(dir, name), content);
        const v = spawnSync("systemd-analyze", ["verify", "--man=no", path.join(dir, name)], { encoding: "utf8" });
        // keepalived.service and docker.service need not exist where the unit is checked.
        return `${v.stdout}${v.stderr}`.split("\n").filter((l) => l && !/(keepalived|docker|firewalld)\.service/.test(l));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("rendered host step files", () => {
    const stacks = allStackFiles().map((f) => [stackLabel(f), f] as const);

    it("boot files exist exactly where a host keeps runtime state: iptables rules, LVS-DR VIPs on lo or a macvlan shim", () => {
        const t = loadStackFile(TUTORIAL).topology;
        // firewalld keeps its rules itself.
        expect(t.hosts.map((h) => renderHostBoot(t, h.name))).toEqual([undefined, undefined]);
        const dev = loadStackFile(DEV).topology;
        expect(dev.hosts.map((h) => renderHostBoot(dev, h.name)?.length)).toEqual([2, 2, 2]);
    });

    it.each(stacks)("%s: boot and container-start units pass systemd-analyze verify, their scripts pass shellcheck, and they and modules-load.d files match their golden files", (label, file) => {
        const t = loadStackFile(file).topology;
        for (const h of t.hosts) {
            const boot = renderHostBoot(t, h.name);
            if (boot) {
                const [unit, script] = boot;
                expectGolden(`${label}/boot-${h.name}.service`, unit.content);
                expectGolden(`${label}/boot-${h.name}.sh`, script.content);
                const lint = shellcheck(script.content, "sh");
                expect([h.name, lint.output, lint.code]).toEqual([h.name, "", 0]);
                expect([h.name, unitProblems("ha-mysql-host.service", unit.content)]).toEqual([h.name, []]);
            }
            const start = renderContainerStart(t, h.name);
            if (start) {
                const [unit, script] = start;
                // One golden pair: the files differ between hosts only by the host's name and containers.
                if (label === "dev" && h.name === "lab1") {
                    expectGolden(`${label}/containers-${h.name}.service`, unit.content);
                    expectGolden(`${label}/containers-${h.name}.sh`, script.content);
                }
                const lint = shellcheck(script.content, "sh");
                expect([h.name, lint.output, lint.code]).toEqual([h.name, "", 0]);
                expect([h.name, unitProblems(START_UNIT_NAME, unit.content)]).toEqual([h.name, []]);
            }
            for (const f of renderInstall(t, h.name).files) expectGolden(`${label}/modules-load-${h.name}.conf`, f.content);
        }
    });

    it("systemd-analyze verify rejects a broken unit (the check can fail)", () => {
        if (!hasTool("systemd-analyze")) return;
        const t = loadStackFile(DEV).topology;
        const [unit] = renderHostBoot(t, "lab1") ?? [];
        const dir = fs.mkdtempSync(path.join(require("os").tmpdir(), "unit-"));
        try {
            fs.writeFileSync(path.join(dir, "ha-mysql-host.service"), unit.content.replace("Type=oneshot", "Type=oneshoot"));
            const v = spawnSync("systemd-analyze", ["verify", "--man=no", path.join(dir, "ha-mysql-host.service")], { encoding: "utf8" });
            expect(`${v.stdout}${v.stderr}`).toMatch(/oneshoot/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it.each([
        [DEV, "lab1"],
        [TUTORIAL, "vm105"],
        [LVS_DR, "lb1"],
    ])("%s %s: the preflight and install scripts match their golden files and pass shellcheck at style level", (file, name) => {
        const t = loadStackFile(file).topology;
        const label = stackLabel(file);
        const pre = renderPreflight(t, name);
        const inst = renderInstall(t, name);
        expectGolden(`${label}/preflight-${name}.sh`, pre);
        expectGolden(`${label}/install-${name}.sh`, inst.create);
        for (const s of [pre, inst.create, inst.delete]) {
            const v = shellcheck(s, "sh");
            expect([v.output, v.code]).toEqual(["", 0]);
        }
    });
});
