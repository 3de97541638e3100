import { allStackFiles, loadStackFile, stackLabel } from "../support/stacks";
import { shellcheck, withTempFile } from "../support/validators";
import { expectGolden } from "../support/golden";
import { renderSysctl, SYSCTL_DROP_IN } from "../../components/render/sysctl";
import { run, withNetns } from "../support/netns";

interface Case {
    readonly label: string;
    readonly file: string;
    readonly host: string;
}

const CASES: Case[] = allStackFiles().flatMap((file) => {
    const { topology } = loadStackFile(file);
    return topology.hosts.map((h) => ({ label: stackLabel(file), file, host: h.name }));
});
const render = (c: Case) => renderSysctl(loadStackFile(c.file).topology, c.host);
const named = (pred: (c: Case) => boolean = () => true) => CASES.filter(pred).map((c) => [`${c.label} ${c.host}`, c] as const);
const withDropIn = (c: Case) => render(c).files.length > 0;
const withLoVip = (c: Case) => render(c).loopbackVip !== undefined;

describe("sysctl drop-in", () => {
    it("is rendered for hosts of every kind", () => {
        expect(CASES.filter(withDropIn).length).toBeGreaterThan(0);
        expect(CASES.filter(withLoVip).length).toBeGreaterThan(0);
    });

    it.each(named(withDropIn))("%s matches its golden file", (_n, c) => {
        const [f] = render(c).files;
        expect(f.path).toBe(SYSCTL_DROP_IN);
        expectGolden(`${c.label}/sysctl-${c.host}.conf`, f.content);
    });

    it.each(named(withDropIn))("%s: sysctl -p accepts every line in a scratch netns and the values stick", (_n, c) => {
        const [f] = render(c).files;
        const settings = f.content.split("\n").filter((l) => /^[a-z]/.test(l)).map((l) => l.split(" = "));
        expect(settings.length).toBeGreaterThan(0);
        withTempFile("90-ha-mysql.conf", f.content, (file) =>
            withNetns("ks", (ns) => {
                const v = run("ip", ["netns", "exec", ns, "sysctl", "-p", file]);
                expect(v.code).toBe(0);
                for (const [key, value] of settings) expect(run("ip", ["netns", "exec", ns, "sysctl", "-n", key]).output.trim()).toBe(value);
            }),
        );
    });

    it("sysctl -p rejects an unknown key (the check can fail)", () => {
        withTempFile("bad.conf", "net.ipv4.ip_forwardd = 1\n", (file) => withNetns("ks", (ns) => expect(run("ip", ["netns", "exec", ns, "sysctl", "-p", file]).code).not.toBe(0)));
    });

    it("sets what each role needs", () => {
        const t4 = loadStackFile("test/fixtures/tutorial-004.yaml").topology;
        const text = (t: typeof t4, h: string) => renderSysctl(t, h).files.map((f) => f.content).join("");
        // LVS-DR directors: they hold the VIP, forward nothing (DR rewrites the MAC only).
        expect(text(t4, "lb1")).toMatch(/^net\.ipv4\.ip_nonlocal_bind = 1$/m);
        expect(text(t4, "lb1")).not.toMatch(/ip_forward/);
        // LVS-DR real servers: ARP discipline on all and lo; Docker needs forwarding.
        for (const key of ["all.arp_ignore = 1", "all.arp_announce = 2", "lo.arp_ignore = 1", "lo.arp_announce = 2"]) {
            expect(text(t4, "mc4")).toContain(`net.ipv4.conf.${key}`);
        }
        expect(text(t4, "mc4")).toMatch(/^net\.ipv4\.ip_forward = 1$/m);
        expect(renderSysctl(t4, "lb1").loopbackVip).toBeUndefined();
        // LVS-NAT director (tutorial 003).
        const t3 = loadStackFile("test/fixtures/tutorial-003.yaml").topology;
        expect(text(t3, "docker1")).toMatch(/LVS-NAT[\s\S]*^net\.ipv4\.ip_forward = 1$/m);
    });
});

describe("LVS-DR VIP on lo", () => {
    it.each(named(withLoVip))("%s matches its golden files and is shellcheck clean", (_n, c) => {
        const lo = render(c).loopbackVip;
        if (!lo) throw new Error("no lo scripts");
        expectGolden(`${c.label}/sysctl-${c.host}-lo-vip-apply.sh`, lo.apply.content);
        expectGolden(`${c.label}/sysctl-${c.host}-lo-vip-remove.sh`, lo.remove.content);
        for (const s of [lo.apply, lo.remove]) {
            expect(s.mode).toBe("0755");
            const v = shellcheck(s.content, "sh");
            expect(v.output).toBe("");
            expect(v.code).toBe(0);
        }
    });

    it("shellcheck flags a broken variant (the check can fail)", () => {
        const c = CASES.find(withLoVip);
        if (!c) throw new Error("no DR real server");
        const broken = render(c).loopbackVip?.apply.content.replace('ip addr add "$1" dev lo', "ip addr add $1 dev lo") ?? "";
        expect(shellcheck(broken, "sh").code).not.toBe(0);
    });

    it.each(named(withLoVip))("%s: apply adds the VIP/32 once, remove takes it away (in a scratch netns)", (_n, c) => {
        const lo = render(c).loopbackVip;
        if (!lo) throw new Error("no lo scripts");
        const vips = [...lo.apply.content.matchAll(/(\d+\.\d+\.\d+\.\d+)\/32/g)].map((m) => m[1]);
        expect(vips.length).toBeGreaterThan(0);
        withNetns("ks", (ns) => {
            run("ip", ["-n", ns, "link", "set", "lo", "up"]);
            const onLo = () => run("ip", ["-n", ns, "-4", "-o", "addr", "show", "dev", "lo"]).output;
            expect(run("ip", ["netns", "exec", ns, "sh", "-c", lo.apply.content]).code).toBe(0);
            const again = run("ip", ["netns", "exec", ns, "sh", "-c", lo.apply.content]);
            expect(again.code).toBe(0);
            expect(again.output).toMatch(/already on lo/);
            for (const vip of vips) expect(onLo().split("\n").filter((l) => l.includes(` ${vip}/32 `)).length).toBe(1);
            expect(run("ip", ["netns", "exec", ns, "sh", "-c", lo.remove.content]).code).toBe(0);
            for (const vip of vips) expect(onLo()).not.toContain(`${vip}/32`);
            expect(run("ip", ["netns", "exec", ns, "sh", "-c", lo.remove.content]).code).toBe(0);
        });
    });
});
