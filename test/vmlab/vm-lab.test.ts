// The VM lab suite (npm run test:vmlab): Debian VMs, the vmlab stack applied by a real
// `pulumi preview` and `pulumi up` (over warm disks where the stack's install step has run, or
// bare with HA_VMLAB_COLD=1: then it installs everything), verification (systemd, the
// firewalls, IPVS and SQL through LVS included), a second `up` that changes nothing, each VM
// rebooted in turn and a power-loss drill, then `pulumi destroy` and a check that the VMs are
// clean. The VMs are torn down afterwards whatever happened.
import * as path from "path";
import { lvsInstances } from "../../lab/vm/checks";
import { loadLabStack, REPO } from "../../lab/lib/lab-stack";
import { expectSuccess, stream } from "../support/stream";

const MIN = 60_000;
/**
 * The VMs boot over the warm disks of lab/vm/warm.sh (built first when missing: the stack's
 * install step and image pulls cost 20-25 minutes under emulation); HA_VMLAB_COLD=1 boots them
 * bare, so that this run's `pulumi up` installs everything itself.
 */
const WARM = process.env.HA_VMLAB_COLD !== "1";
const vm = (script: string) => path.join(REPO, "lab/vm", script);
const inLab = (args: string[], timeoutMs: number) => stream("bash", [vm("in-lab.sh"), ...args], timeoutMs, {}, "test:vmlab");
const pulumi = (args: string[], timeoutMs: number) => inLab(["bash", path.join(REPO, "lab/stack.sh"), "pulumi", ...args], timeoutMs);

jest.setTimeout(100 * MIN);

afterAll(async () => {
    if (process.env.HA_VMLAB_KEEP === "1") return;
    await stream("bash", [vm("vms.sh"), "down"], 5 * MIN, {}, "test:vmlab");
});

describe("the VM lab", () => {
    it("vmlab:up boots bare VMs, previews and applies the stack, and verification passes", async () => {
        // A clean start: a VM lab left behind by an earlier run goes first.
        expectSuccess(await stream("bash", [vm("down.sh")], 30 * MIN, {}, "test:vmlab"));
        expectSuccess(await stream("bash", [vm("up.sh")], 60 * MIN, { HA_LAB_PREVIEW: "1", HA_VMLAB_WARM: WARM ? "1" : "0" }, "test:vmlab"));
    });

    it("a second pulumi up finds nothing to change", async () => {
        expectSuccess(await pulumi(["preview", "--expect-no-changes"], 15 * MIN));
    });

    it("every VM comes back by itself after a reboot, and a power loss of the VIP holder loses no acknowledged write", async () => {
        expectSuccess(await inLab(["npx", "--no-install", "ts-node", vm("drill.ts")], 45 * MIN));
    });

    it("pulumi destroy leaves the VMs without a trace of the stack (the installed packages stay)", async () => {
        expectSuccess(await pulumi(["destroy", "--yes"], 30 * MIN));
        const lab = loadLabStack();
        const directors = new Set(lvsInstances(lab.topology).flatMap((i) => i.holders ?? []));
        const leftovers: string[] = [];
        for (const h of lab.topology.hosts) {
            const sh = (script: string) => lab.onHost(h.name, ["sh", "-c", script], { timeoutMs: 60_000 });
            const check = (what: string, script: string) => {
                const r = sh(script);
                if (r.code !== 0 || r.stdout.trim() !== "") leftovers.push(`${h.name}: ${what}: ${(r.stdout + r.stderr).trim().slice(0, 300)}`);
            };
            // A host that runs no container has no Docker engine to ask.
            const docker = (script: string) => `if command -v docker >/dev/null; then ${script}; fi`;
            check("containers", docker("docker ps -aq"));
            check("volumes", docker("docker volume ls -q"));
            check("swarm", docker("docker info --format '{{.Swarm.LocalNodeState}}' | grep -vx inactive || true"));
            check("files", "ls -d /etc/keepalived/keepalived.conf /etc/keepalived/scripts /etc/sysctl.d/90-ha-mysql* /var/lib/ha-mysql /etc/ha-mysql /etc/modules-load.d/ha-mysql* 2>/dev/null || true");
            check("keepalived running", "if systemctl is-active -q keepalived; then echo active; fi");
            check("iptables rules", "iptables -S | grep ha-mysql || true");
            check("firewalld rules", "if command -v firewall-cmd >/dev/null && firewall-cmd --state >/dev/null 2>&1; then firewall-cmd --permanent --direct --get-all-rules; fi");
            check("addresses on lo", "ip -4 -o addr show dev lo | grep -v ' 127\\.' || true");
            if (directors.has(h.name)) check("IPVS", "ipvsadm -Ln | tail -n +4");
        }
        expect(leftovers).toEqual([]);
    });
});
