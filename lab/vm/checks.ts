// What only a real machine shows: systemd units enabled and running, the firewalls with their
// VRRP rules, IPVS virtual servers with their real servers, and SQL that went through IPVS,
// proved by the director's counters rather than by the answer alone (a VIP that Docker's own
// NAT or a real server answered directly would answer too).
import { Topology, VrrpInstance } from "../../model/schema";
import { runsDocker, vrrpMembers } from "../../model/derive";
import { sqlEndpoints } from "../../model/endpoints";
import { Check, connectApp, vipHolders } from "../lib/checks";
import { LabStack } from "../lib/lab-stack";

/** The systemd units a host must have enabled and active. */
export function unitsOf(t: Topology, host: string): string[] {
    const h = t.hosts.find((x) => x.name === host);
    const keepalived = t.keepalived.instances.some((i) => i.level === "host" && vrrpMembers(t, i).some((m) => m.host === host));
    return [...(runsDocker(t, host) ? ["docker"] : []), ...(keepalived ? ["keepalived"] : []), ...(h?.firewall.kind === "firewalld" ? ["firewalld"] : [])];
}

export function lvsInstances(t: Topology): VrrpInstance[] {
    return t.keepalived.instances.filter((i) => i.level === "host" && i.forwarding.kind !== "none");
}

export interface IpvsRealServer {
    readonly address: string;
    readonly forward: string;
    readonly weight: number;
    readonly conns: number;
}

/** Pure: `ipvsadm -Ln` (or `--stats`) as virtual service "VIP:PORT" -> its real servers. */
export function parseIpvsadm(text: string, stats = false): Map<string, IpvsRealServer[]> {
    const out = new Map<string, IpvsRealServer[]>();
    let current: IpvsRealServer[] | undefined;
    for (const line of text.split("\n")) {
        const vs = /^(TCP|UDP)\s+(\S+)/.exec(line);
        if (vs) {
            current = [];
            out.set(vs[2], current);
            continue;
        }
        const rs = /^\s+->\s+(\d+\.\d+\.\d+\.\d+:\d+)\s+(.*)$/.exec(line);
        if (!rs || !current) continue;
        const f = rs[2].trim().split(/\s+/);
        // -Ln: Forward Weight ActiveConn InActConn; --stats: Conns InPkts OutPkts InBytes OutBytes.
        if (stats) current.push({ address: rs[1], forward: "", weight: NaN, conns: Number(f[0]) });
        else current.push({ address: rs[1], forward: f[0], weight: Number(f[1]), conns: Number(f[2]) + Number(f[3]) });
    }
    return out;
}

function must(lab: LabStack, host: string, argv: string[]): string {
    const r = lab.onHost(host, argv, { timeoutMs: 30_000 });
    if (r.code !== 0) throw new Error(`${argv.join(" ")} on ${host} failed (${r.code}): ${(r.stderr || r.stdout).trim().slice(-300)}`);
    return r.stdout;
}

async function sqlThroughLvs(lab: LabStack, inst: VrrpInstance): Promise<string> {
    const [holder] = vipHolders(lab, inst);
    if (!holder) throw new Error(`nobody holds ${inst.vip}`);
    const director = vrrpMembers(lab.topology, inst).find((m) => m.name === holder)!.host;
    const out: string[] = [];
    for (const service of inst.forwarding.services) {
        const e = sqlEndpoints(lab.topology).find((x) => x.instance === inst.name && x.port === service.port);
        if (!e) continue;
        const key = `${inst.vip}:${service.port}`;
        const before = parseIpvsadm(must(lab, director, ["ipvsadm", "-Ln", "--stats", "--exact"]), true).get(key) ?? [];
        const n = 2 * service.realServers.length;
        const servedBy: string[] = [];
        for (let i = 0; i < n; i++) {
            const conn = await connectApp(lab, e);
            try {
                const [rows] = await conn.query("SELECT @@hostname AS h");
                servedBy.push((rows as Array<{ h: string }>)[0].h);
            } finally {
                await conn.end();
            }
        }
        const after = parseIpvsadm(must(lab, director, ["ipvsadm", "-Ln", "--stats", "--exact"]), true).get(key) ?? [];
        const delta = after.map((rs) => ({ address: rs.address, conns: rs.conns - (before.find((b) => b.address === rs.address)?.conns ?? 0) }));
        const total = delta.reduce((a, d) => a + d.conns, 0);
        if (total < n) throw new Error(`${n} connections to ${key}, but the director ${director} forwarded ${total}: ${JSON.stringify(delta)}`);
        const idle = delta.filter((d) => d.conns === 0).map((d) => d.address);
        if (inst.forwarding.lbAlgo === "rr" && idle.length) throw new Error(`${key} with rr: real servers ${idle.join(", ")} got none of ${n} connections`);
        out.push(`${n} connections to ${key}: director ${director} forwarded ${delta.map((d) => `${d.conns} to ${d.address}`).join(", ")} (databases ${[...new Set(servedBy)].join(", ")})`);
    }
    return out.join("; ");
}

export function vmChecks(lab: LabStack): Check[] {
    const t = lab.topology;
    const checks: Check[] = [];
    for (const h of t.hosts) {
        const units = unitsOf(t, h.name);
        checks.push({
            name: `${h.name}: systemd running; ${units.join(", ")} enabled and active`,
            run: async () => {
                const state = lab.onHost(h.name, ["systemctl", "is-system-running"]).stdout.trim();
                const bad = units.filter((u) => lab.onHost(h.name, ["systemctl", "is-enabled", "-q", u]).code !== 0 || lab.onHost(h.name, ["systemctl", "is-active", "-q", u]).code !== 0);
                if (bad.length) throw new Error(`not enabled and active: ${bad.join(", ")} (system ${state})`);
                const failed = state === "running" ? "" : `; failed units: ${must(lab, h.name, ["systemctl", "--failed", "--no-legend", "--plain"]).trim().replace(/\n/g, ", ")}`;
                return `system ${state}${failed}`;
            },
        });
        if (h.firewall.kind === "none") continue;
        checks.push({
            name: `${h.name}: ${h.firewall.kind} admits VRRP`,
            run: async () => {
                if (h.firewall.kind === "firewalld") {
                    const state = must(lab, h.name, ["firewall-cmd", "--state"]).trim();
                    // Under emulation a firewall-cmd run (a Python start and a D-Bus call) now and
                    // then answers nothing while the VM is loaded: asked again, it lists the rules.
                    let rules = "";
                    for (let i = 0; i < 3 && !rules.trim(); i++) rules = must(lab, h.name, ["firewall-cmd", "--direct", "--get-all-rules"]);
                    const vrrp = rules.split("\n").filter((l) => l.includes("-p vrrp"));
                    if (!vrrp.length && unitsOf(t, h.name).includes("keepalived")) throw new Error(`firewalld ${state} without a VRRP rule: ${rules.trim()}`);
                    return `firewalld ${state}, ${vrrp.length} VRRP direct rules; zone ${must(lab, h.name, ["firewall-cmd", "--get-default-zone"]).trim()} services ${must(lab, h.name, ["firewall-cmd", "--list-services"]).trim()}, ports ${must(lab, h.name, ["firewall-cmd", "--list-ports"]).trim() || "none"}`;
                }
                const rules = must(lab, h.name, ["iptables", "-S"]).split("\n").filter((l) => l.includes("ha-mysql"));
                if (!rules.some((l) => l.includes("-p vrrp")) && unitsOf(t, h.name).includes("keepalived")) throw new Error(`no VRRP rule among: ${rules.join("; ")}`);
                return `${rules.length} ha-mysql rules, ${rules.filter((l) => l.includes("-p vrrp")).length} for VRRP`;
            },
        });
    }
    for (const inst of lvsInstances(t)) {
        for (const m of vrrpMembers(t, inst)) {
            checks.push({
                name: `${m.host}: ipvsadm -Ln lists ${inst.name}'s virtual servers and their real servers`,
                run: async () => {
                    const text = must(lab, m.host, ["ipvsadm", "-Ln"]);
                    const vs = parseIpvsadm(text);
                    for (const s of inst.forwarding.services) {
                        const rs = vs.get(`${inst.vip}:${s.port}`);
                        if (!rs) throw new Error(`no virtual server ${inst.vip}:${s.port}:\n${text}`);
                        const want = s.realServers.map((r) => `${r.address}:${r.port}`);
                        const missing = want.filter((w) => !rs.some((r) => r.address === w && r.weight > 0));
                        if (missing.length) throw new Error(`real servers missing or weight 0 (TCP_CHECK failing): ${missing.join(", ")}:\n${text}`);
                    }
                    return text.trim().split("\n").slice(3).join(" | ");
                },
            });
        }
        checks.push({ name: `SQL through ${inst.name} ${inst.vip}, forwarded by IPVS (${inst.forwarding.kind})`, run: () => sqlThroughLvs(lab, inst) });
    }
    return checks;
}
