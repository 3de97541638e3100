// Drills only real machines allow: a VM rebooted gracefully, one at a time, must bring back by
// itself everything the stack set up (systemd starts docker and keepalived, Docker's restart
// policy the containers, Galera rejoins or replication resumes, the VIPs settle on one holder
// each); and a VM whose
// power is cut (SIGKILL of its qemu) while a client writes through the VIP it holds.
import * as path from "path";
import { VrrpInstance } from "../../model/schema";
import { containersOn, runsDocker, vrrpMembers } from "../../model/derive";
import { vipHolders } from "../lib/checks";
import { Drill, DrillContext, galeraWhole, must, replicating } from "../lib/drills";
import { run, RunResult } from "../lib/exec";
import { LabStack, REPO } from "../lib/lab-stack";

const VMS_SH = path.join(REPO, "lab/vm/vms.sh");

/** lab/vm/vms.sh <args>, bounded. */
export function vms(args: string[], timeoutMs = 300_000): RunResult {
    return run("bash", [VMS_SH, ...args], { timeoutMs });
}

/** The host a VRRP member runs on (host-level members are hosts). */
export function hostOf(lab: LabStack, inst: VrrpInstance, member: string): string {
    return vrrpMembers(lab.topology, inst).find((m) => m.name === member)?.host ?? member;
}

/** Every container the stack places on a host is there and running (a host without any: its Docker engine answers, where it runs one). */
export function containersRunning(lab: LabStack, host: string): boolean {
    if (!runsDocker(lab.topology, host)) return true;
    const r = lab.docker(host)(["ps", "-a", "--format", "{{.Names}} {{.State}}"], { timeoutMs: 20_000 });
    if (r.code !== 0) return false;
    const state = new Map(r.stdout.trim().split("\n").filter(Boolean).map((l) => l.split(" ") as [string, string]));
    return containersOn(lab.topology, host).every((c) => state.get(c.name) === "running");
}

/** The estate is whole: Galera Synced and complete or the dual-master pair replicating both ways, every VIP on exactly one holder, every container running. */
export function estateWhole(ctx: DrillContext): boolean {
    const t = ctx.lab.topology;
    if (t.database.pxc && !galeraWhole(ctx)) return false;
    if (t.database.dualMaster && !replicating(ctx)) return false;
    if (!t.keepalived.instances.every((i) => vipHolders(ctx.lab, i).length === 1)) return false;
    return t.hosts.every((h) => containersRunning(ctx.lab, h.name));
}

/** The VIP holder's VM loses power while the client writes to the topology's database (Galera, else the dual-master pair). */
export const powerLoss = (lab: LabStack): Drill => ({
    name: "vip-holder-power-loss",
    levels: ["host"],
    what: () => "the VIP holder's VM loses power (SIGKILL of its qemu), then boots again",
    backend: lab.topology.database.pxc ? "pxc" : "dualMaster",
    movesVip: true,
    killsServer: undefined,
    inject: async (ctx) => void must(vms(["kill", hostOf(ctx.lab, ctx.inst, ctx.holder)], 30_000), `power loss of ${ctx.holder}`),
    recover: async (ctx) => void must(vms(["start", hostOf(ctx.lab, ctx.inst, ctx.holder)]), `booting ${ctx.holder} again`),
    healthy: async (ctx) => estateWhole(ctx),
});
