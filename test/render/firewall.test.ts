import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { allStackFiles, loadStackFile, stackLabel } from "../support/stacks";
import { iptablesRestoreTest, shellcheck, Verdict } from "../support/validators";
import { expectGolden } from "../support/golden";
import { firewallRules, iptablesRulesFor, renderFirewall, VRRP_GROUP } from "../../components/render/firewall";
import { run, withNetns } from "../support/netns";

interface Case {
    readonly label: string;
    readonly file: string;
    readonly host: string;
    readonly kind: string;
}

/** Every host of every stack whose firewall renders scripts. */
const CASES: Case[] = allStackFiles().flatMap((file) => {
    const { topology } = loadStackFile(file);
    return topology.hosts.filter((h) => renderFirewall(topology, h.name)).map((h) => ({ label: stackLabel(file), file, host: h.name, kind: h.firewall.kind }));
});
const topo = (c: Case) => loadStackFile(c.file).topology;
const fw = (c: Case) => {
    const out = renderFirewall(topo(c), c.host);
    if (!out) throw new Error(`no firewall for ${c.host}`);
    return out;
};
const named = (kind?: string) => CASES.filter((c) => !kind || c.kind === kind).map((c) => [`${c.label} ${c.host} (${c.kind})`, c] as const);

describe("firewall scripts", () => {
    it("cover both tools and hosts with unicast peers and ports", () => {
        expect(CASES.length).toBeGreaterThan(0);
        expect(CASES.some((c) => c.kind === "iptables")).toBe(true);
        expect(CASES.some((c) => c.kind === "firewalld")).toBe(true);
        expect(CASES.some((c) => / -s \d/.test(iptablesRulesFor(topo(c), c.host)))).toBe(true);
        expect(CASES.some((c) => /--dport/.test(iptablesRulesFor(topo(c), c.host)))).toBe(true);
    });

    it.each(named())("%s matches its golden files", (_n, c) => {
        const { apply, remove } = fw(c);
        expectGolden(`${c.label}/firewall-${c.host}-apply.sh`, apply.content);
        expectGolden(`${c.label}/firewall-${c.host}-remove.sh`, remove.content);
        expectGolden(`${c.label}/firewall-${c.host}.rules`, iptablesRulesFor(topo(c), c.host));
        expect(apply.mode).toBe("0755");
        expect(remove.mode).toBe("0755");
    });

    it.each(named())("%s: the rules pass iptables-restore --test", (_n, c) => {
        const rules = iptablesRulesFor(topo(c), c.host);
        expect(rules).toMatch(/^\*filter\n[\s\S]*\nCOMMIT\n$/);
        const v = iptablesRestoreTest(rules);
        expect(v.output).toBe("");
        expect(v.code).toBe(0);
    });

    it.each(named())("%s: apply and remove are shellcheck clean as POSIX sh", (_n, c) => {
        const { apply, remove } = fw(c);
        for (const s of [apply, remove]) {
            const v = shellcheck(s.content, "sh");
            expect(v.output).toBe("");
            expect(v.code).toBe(0);
        }
    });

    it("admits VRRP to 224.0.0.18 and from/to each unicast peer on the firewall interface", () => {
        const { topology } = loadStackFile("test/fixtures/tutorial-004.yaml");
        const rules = firewallRules(topology, "lb1").map((r) => `${r.chain} ${r.args.join(" ")}`);
        expect(rules).toEqual(
            expect.arrayContaining([
                expect.stringMatching(new RegExp(`^INPUT -i eth0 -p vrrp -d ${VRRP_GROUP.replace(/\./g, "\\.")} `)),
                expect.stringMatching(/^INPUT -i eth0 -p vrrp -s 192\.168\.100\.2 /),
                expect.stringMatching(/^OUTPUT -o eth0 -p vrrp -d 192\.168\.100\.2 /),
                expect.stringMatching(/^INPUT -i eth0 -p tcp -m tcp --dport 8066 /),
            ]),
        );
        // Real servers hold no VRRP and list no ports: nothing to do there.
        expect(renderFirewall(topology, "mc3")).toBeUndefined();
    });

    it("renders nothing for kind none", () => {
        const { topology } = loadStackFile("test/fixtures/tutorial-004.yaml");
        const h = topology.hosts.find((x) => x.name === "lb1");
        if (!h) throw new Error("lb1 missing");
        const t = { ...topology, hosts: topology.hosts.map((x) => (x === h ? { ...x, firewall: { ...x.firewall, kind: "none" as const } } : x)) };
        expect(renderFirewall(t, "lb1")).toBeUndefined();
    });

    it("iptables-restore --test rejects a corrupted rule (the check can fail)", () => {
        const c = CASES[0];
        const bad = iptablesRulesFor(topo(c), c.host).replace(/-p (vrrp|tcp)/, "-p vrrpx");
        expect(iptablesRestoreTest(bad).code).not.toBe(0);
    });

    it.each(named("iptables"))("%s: apply is idempotent and remove undoes it (in a scratch netns)", (_n, c) => {
        const { apply, remove } = fw(c);
        const expected = iptablesRulesFor(topo(c), c.host).split("\n").filter((l) => l.startsWith("-A ")).length;
        withNetns("kf", (ns) => {
            const count = () => run("ip", ["netns", "exec", ns, "iptables", "-S"]).output.split("\n").filter((l) => l.includes("ha-mysql")).length;
            const first = run("ip", ["netns", "exec", ns, "sh", "-c", apply.content]);
            expect(first.code).toBe(0);
            expect(first.output).toMatch(/added:/);
            expect(count()).toBe(expected);
            const again = run("ip", ["netns", "exec", ns, "sh", "-c", apply.content]);
            expect(again.code).toBe(0);
            expect(again.output).not.toMatch(/added:/);
            expect(count()).toBe(expected);
            const gone = run("ip", ["netns", "exec", ns, "sh", "-c", remove.content]);
            expect(gone.code).toBe(0);
            expect(count()).toBe(0);
            expect(run("ip", ["netns", "exec", ns, "sh", "-c", remove.content]).code).toBe(0);
        });
    });

    /**
     * firewall-cmd needs a running firewalld; firewall-offline-cmd takes the same --direct
     * arguments without one. It runs in a private mount namespace with a tmpfs over
     * /etc/firewalld, so the machine's own configuration is never written. It checks the
     * command's shape (family, table, chain, priority, args) and that --query-rule finds
     * what --add-rule stored; the iptables arguments themselves are checked by
     * iptables-restore --test above (firewalld hands them to iptables unchanged).
     */
    function offlineCmd(commands: string[][]): Verdict {
        const stage = fs.mkdtempSync(path.join(os.tmpdir(), "fwd-"));
        try {
            if (fs.existsSync("/etc/firewalld/firewalld.conf")) fs.copyFileSync("/etc/firewalld/firewalld.conf", path.join(stage, "firewalld.conf"));
            const script = [
                "set -e",
                'mount -t tmpfs tmpfs /etc/firewalld && cp -a "$0"/. /etc/firewalld/',
                ...commands.map((args) => `firewall-offline-cmd ${args.map((a) => `'${a}'`).join(" ")}`),
                "cat /etc/firewalld/direct.xml",
            ].join("\n");
            return run("unshare", ["--mount", "--propagation", "private", "sh", "-c", script, stage]);
        } finally {
            fs.rmSync(stage, { recursive: true, force: true });
        }
    }

    it.each(named("firewalld"))("%s: firewall-offline-cmd accepts every direct rule and finds it again", (_n, c) => {
        const rules = firewallRules(topo(c), c.host);
        expect(rules.length).toBeGreaterThan(0);
        const direct = (op: string) => rules.map((r) => ["--direct", op, "ipv4", "filter", r.chain, "0", ...r.args]);
        const v = offlineCmd([...direct("--add-rule"), ...direct("--query-rule")]);
        expect(v.code).toBe(0);
        expect(v.output.split("\n").filter((l) => l === "yes").length).toBe(rules.length);
        expect((v.output.match(/<rule ipv="ipv4" table="filter"/g) ?? []).length).toBe(rules.length);
        // The apply script queries and adds with exactly these words.
        const { apply } = fw(c);
        for (const r of rules) expect(apply.content).toContain(`add ${r.chain} ${r.args.join(" ")}`);
        expect(apply.content).toMatch(/firewall-cmd --permanent --direct --query-rule ipv4 filter "\$chain" 0 "\$@"/);
    });

    it("firewall-offline-cmd rejects a malformed direct rule (the check can fail)", () => {
        const v = offlineCmd([["--direct", "--add-rule", "ipv4", "filter", "INPUT", "-p", "vrrp", "-j", "ACCEPT"]]);
        expect(v.code).not.toBe(0);
    });
});
