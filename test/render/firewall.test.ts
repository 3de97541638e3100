import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { allStackFiles, loadStackFile, stackLabel } from "../support/stacks";
import { iptablesRestoreTest, shellcheck, Verdict } from "../support/validators";
import { expectGolden } from "../support/golden";
import { firewallRules, iptablesRulesFor, renderFirewall, richRule, vrrpRichRules, vrrpRules, VRRP_GROUP } from "../../components/render/firewall";
import { hostAdmissions } from "../../model/host-requirements";
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
        // Real servers hold no VRRP: they admit their published MyCat ports and the swarm.
        expect(vrrpRules(topology, "mc3")).toEqual([]);
        expect(iptablesRulesFor(topology, "mc3")).not.toMatch(/vrrp/);
    });

    it("admits the swarm's ports from every other host's LAN address, the control port on the manager only, and the published ports from anywhere", () => {
        const { topology } = loadStackFile("Pulumi.dev.yaml");
        const rules = (h: string) => firewallRules(topology, h).map((r) => `${r.chain} ${r.args.join(" ")}`);
        const swarm = (from: string, manager: boolean) => [
            ...(manager ? [`INPUT -i eth0 -s ${from} -p tcp -m tcp --dport 2377 -m comment --comment ha-mysql -j ACCEPT`] : []),
            `INPUT -i eth0 -s ${from} -p tcp -m tcp --dport 7946 -m comment --comment ha-mysql -j ACCEPT`,
            `INPUT -i eth0 -s ${from} -p udp -m udp --dport 7946 -m comment --comment ha-mysql -j ACCEPT`,
            `INPUT -i eth0 -s ${from} -p udp -m udp --dport 4789 -m comment --comment ha-mysql -j ACCEPT`,
        ];
        expect(rules("lab1")).toEqual(expect.arrayContaining([...swarm("10.77.0.12", true), ...swarm("10.77.0.13", true)]));
        expect(rules("lab2")).toEqual(expect.arrayContaining([...swarm("10.77.0.11", false), ...swarm("10.77.0.13", false)]));
        expect(rules("lab2").join("\n")).not.toMatch(/--dport 2377/);
        expect(rules("lab1").filter((r) => / -s 10\.77\.0\.11 /.test(r))).toEqual([]);
        for (const port of [3306, 3307, 3308, 8888]) expect(rules("lab1")).toContain(`INPUT -i eth0 -p tcp -m tcp --dport ${port} -m comment --comment ha-mysql -j ACCEPT`);
        // lab3 publishes nothing and holds no VIP: the swarm's ports only.
        expect(rules("lab3")).toEqual([...swarm("10.77.0.11", false), ...swarm("10.77.0.12", false)]);
        // On a bridge network (one host) there is no swarm to admit.
        const t3 = loadStackFile("test/fixtures/tutorial-003.yaml").topology;
        expect(iptablesRulesFor(t3, "docker1")).not.toMatch(/--dport (2377|7946|4789) /);
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
     * firewall-cmd needs a running firewalld; firewall-offline-cmd takes the same --direct and
     * --zone arguments without one. It runs in a private mount namespace with a tmpfs over
     * /etc/firewalld, so the machine's own configuration is never written. It checks the
     * command's shape (family, table, chain, priority, args; the rich rule language) and that
     * --query-rule and --query-rich-rule find what was added; the iptables arguments themselves
     * are checked by iptables-restore --test above (firewalld hands them to iptables unchanged).
     */
    function offlineCmd(commands: string[][], show = "/etc/firewalld/direct.xml"): Verdict {
        const stage = fs.mkdtempSync(path.join(os.tmpdir(), "fwd-"));
        try {
            if (fs.existsSync("/etc/firewalld/firewalld.conf")) fs.copyFileSync("/etc/firewalld/firewalld.conf", path.join(stage, "firewalld.conf"));
            const script = [
                "set -e",
                'mount -t tmpfs tmpfs /etc/firewalld && cp -a "$0"/. /etc/firewalld/',
                ...commands.map((args) => `firewall-offline-cmd ${args.map((a) => `'${a}'`).join(" ")}`),
                `cat ${show}`,
            ].join("\n");
            return run("unshare", ["--mount", "--propagation", "private", "sh", "-c", script, stage]);
        } finally {
            fs.rmSync(stage, { recursive: true, force: true });
        }
    }

    /**
     * Runs the rendered apply and remove scripts for real against firewalld's own command line:
     * a firewall-cmd on PATH that logs its arguments and hands them to firewall-offline-cmd over
     * one of two private directories mounted on /etc/firewalld, one for the permanent set and one
     * for the running set (--reload does nothing). Returns each run's calls and, after each
     * script, the sorted rich and direct rules of both sets.
     */
    function runScripts(scripts: string[]): { code: number; calls: string[][]; listings: string[] } {
        const stage = fs.mkdtempSync(path.join(os.tmpdir(), "fwd-run-"));
        try {
            if (fs.existsSync("/etc/firewalld/firewalld.conf")) fs.copyFileSync("/etc/firewalld/firewalld.conf", path.join(stage, "firewalld.conf"));
            fs.mkdirSync(path.join(stage, "bin"));
            fs.writeFileSync(
                path.join(stage, "bin", "firewall-cmd"),
                [
                    "#!/bin/sh",
                    'echo "$*" >>"$FW_LOG"',
                    "set_=runtime",
                    'for a do shift; case $a in --permanent) set_=permanent ;; --reload) rm -rf "$FW_STAGE/runtime"; cp -a "$FW_STAGE/permanent" "$FW_STAGE/runtime"; exit 0 ;; *) set -- "$@" "$a" ;; esac; done',
                    `exec unshare --mount --propagation private sh -c 'mount --bind "$0" /etc/firewalld && exec firewall-offline-cmd "$@"' "$FW_STAGE/$set_" "$@"`,
                    "",
                ].join("\n"),
                { mode: 0o755 },
            );
            scripts.forEach((s, i) => fs.writeFileSync(path.join(stage, `s${i}.sh`), s));
            const body = [
                "set -e",
                'stage=$0; mkdir -p /var/lib/ha-mysql; export FW_LOG="$stage/log" FW_STAGE="$stage" PATH="$stage/bin:$PATH"',
                "for set_ in permanent runtime; do mkdir \"$stage/$set_\"; cp firewalld.conf \"$stage/$set_/\" 2>/dev/null || true; done",
                "mount -t tmpfs tmpfs /var/lib/ha-mysql",
                ...scripts.map(
                    (_s, i) =>
                        `echo "=== run ${i}" >>"$FW_LOG"; sh "$stage/s${i}.sh" >/dev/null; echo "=== listing" >>"$FW_LOG"; echo "@@ listing ${i}"; for o in --permanent ""; do firewall-cmd $o --zone=public --list-rich-rules | sed "s/^/$o /"; firewall-cmd $o --direct --get-all-rules | sed "s/^/$o /"; done`,
                ),
                'echo "@@ log"; cat "$FW_LOG"',
            ].join("\n");
            // Some forty firewall-offline-cmd starts: far longer than run()'s minute on a busy machine.
            const r = spawnSync("unshare", ["--mount", "--propagation", "private", "sh", "-c", `cd "$0"; ${body}`, stage], { encoding: "utf8", timeout: 600_000 });
            if (r.error) throw r.error;
            const v = { code: r.status ?? -1, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
            const parts = v.output.split(/^@@ /m);
            const log = (parts.find((p) => p.startsWith("log")) ?? "").split("\n").slice(1);
            const calls: string[][] = [];
            let listing = false;
            for (const l of log) {
                if (l.startsWith("=== run")) calls.push([]);
                else if (l.startsWith("=== listing")) listing = true;
                else if (l.trim() && calls.length > 0 && !listing) calls[calls.length - 1].push(l);
                if (l.startsWith("=== run")) listing = false;
            }
            const listings = parts.filter((p) => p.startsWith("listing")).map((p) =>
                    p
                        .split("\n")
                        .slice(1)
                        .filter((l) => !["", "--permanent"].includes(l.trim()))
                        .sort()
                        .join("\n"),
                );
            if (v.code !== 0) throw new Error(`the scripts failed (${v.code}): ${v.output}`);
            return { code: v.code, calls, listings };
        } finally {
            fs.rmSync(stage, { recursive: true, force: true });
        }
    }

    // One host per stack file: each run costs some forty firewall-offline-cmd starts.
    const onePerStack = named("firewalld").filter(([, c], i, all) => all.findIndex(([, d]) => d.label === c.label) === i);
    it.each(onePerStack)("%s: apply admits every rule in a few firewall-cmd runs, a second apply adds nothing, remove takes everything out", (_n, c) => {
        const { apply, remove } = fw(c);
        const vrrp = vrrpRules(topo(c), c.host);
        const rich = [...vrrpRichRules(vrrp), ...hostAdmissions(topo(c), c.host).map(richRule)];
        const r = runScripts([apply.content, apply.content, remove.content, remove.content]);
        const [afterApply, afterAgain, afterRemove, afterRemoveAgain] = r.listings;
        const direct = vrrp.map((v) => `ipv4 filter ${v.chain} 0 ${v.args.join(" ")}`);
        const both = [...rich, ...direct].flatMap((x) => [`--permanent ${x}`, ` ${x}`]);
        expect(afterApply.split("\n").sort()).toEqual(both.sort());
        expect(afterAgain).toBe(afterApply);
        expect(afterRemove).toBe("");
        expect(afterRemoveAgain).toBe("");
        const adds = (calls: string[]) => calls.filter((l) => /--add-rich-rule|--add-rule|--remove-rich-rule|--remove-rule/.test(l));
        // First apply: the zone (interface, else default), four listings, one add per rich set, one per direct rule, the reload,
        // and the running direct rules listed again.
        expect(r.calls[0].length).toBeLessThanOrEqual(10 + vrrp.length);
        expect(r.calls[0].filter((l) => /--direct --add-rule/.test(l))).toHaveLength(vrrp.length);
        expect(r.calls[0].filter((l) => /--add-rich-rule/.test(l))).toHaveLength(2);
        // A second apply only lists.
        expect(adds(r.calls[1])).toEqual([]);
        expect(r.calls[1].some((l) => /--reload/.test(l))).toBe(false);
        // Remove: one run per rich set, two per direct rule; a second remove changes nothing.
        expect(r.calls[2].filter((l) => /--remove-rich-rule/.test(l))).toHaveLength(2);
        expect(r.calls[2].filter((l) => /--direct --remove-rule/.test(l))).toHaveLength(2 * vrrp.length);
        expect(adds(r.calls[3])).toEqual([]);
    }, 660_000);

    it.each(onePerStack)("%s: apply fails, naming the rule and iptables, when firewalld keeps its direct rules without running them", (_n, c) => {
        const stage = fs.mkdtempSync(path.join(os.tmpdir(), "fwd-nodirect-"));
        try {
            // A firewalld without its ipv4 backend: it takes every rule, and its running set holds no direct rule.
            fs.mkdirSync(path.join(stage, "bin"));
            fs.writeFileSync(path.join(stage, "bin", "firewall-cmd"), '#!/bin/sh\ncase "$*" in *--get-zone-of-interface*|*--get-default-zone*) echo public ;; esac\nexit 0\n', { mode: 0o755 });
            fs.writeFileSync(path.join(stage, "apply.sh"), fw(c).apply.content);
            const r = spawnSync("unshare", ["--mount", "--propagation", "private", "sh", "-c", 'mkdir -p /var/lib/ha-mysql && mount -t tmpfs tmpfs /var/lib/ha-mysql && PATH="$0/bin:$PATH" sh "$0/apply.sh"', stage], { encoding: "utf8", timeout: 60_000 });
            const first = vrrpRules(topo(c), c.host)[0];
            expect(r.status).toBe(1);
            expect(r.stderr).toContain(`firewalld holds the direct rule ${first.chain} ${first.args.join(" ")} but does not run it: its ipv4 backend needs iptables`);
        } finally {
            fs.rmSync(stage, { recursive: true, force: true });
        }
    });

    it.each(named("firewalld"))("%s: firewall-offline-cmd accepts every VRRP direct rule and finds it again", (_n, c) => {
        const rules = vrrpRules(topo(c), c.host);
        expect(rules.length).toBeGreaterThan(0);
        const direct = (op: string) => rules.map((r) => ["--direct", op, "ipv4", "filter", r.chain, "0", ...r.args]);
        const v = offlineCmd([...direct("--add-rule"), ...direct("--query-rule")]);
        expect(v.code).toBe(0);
        expect(v.output.split("\n").filter((l) => l === "yes").length).toBe(rules.length);
        expect((v.output.match(/<rule ipv="ipv4" table="filter"/g) ?? []).length).toBe(rules.length);
        // The apply script queries and adds with exactly these words.
        const { apply } = fw(c);
        for (const r of rules) expect(apply.content).toContain(`add ${r.chain} ${r.args.join(" ")}`);
        expect(apply.content).toMatch(/firewall-cmd --permanent --direct --add-rule ipv4 filter "\$chain" 0 "\$@"/);
    });

    it.each(named("firewalld"))("%s: firewall-offline-cmd accepts VRRP and every port as rich rules of the zone and finds them again", (_n, c) => {
        const rich = [...vrrpRichRules(vrrpRules(topo(c), c.host)), ...hostAdmissions(topo(c), c.host).map(richRule)];
        expect(rich.length).toBeGreaterThan(0);
        const v = offlineCmd([...rich.map((r) => ["--zone=public", `--add-rich-rule=${r}`]), ...rich.map((r) => ["--zone=public", `--query-rich-rule=${r}`])], "/etc/firewalld/zones/public.xml");
        expect(v.code).toBe(0);
        expect(v.output.split("\n").filter((l) => l === "yes").length).toBe(rich.length);
        expect((v.output.match(/<rule family="ipv4">/g) ?? []).length).toBe(rich.length);
        // The apply script admits and the remove script takes out exactly these rules.
        const { apply, remove } = fw(c);
        for (const r of rich) {
            expect(apply.content).toContain(`        '${r}'`);
            expect(remove.content).toContain(`del rich '${r}'`);
        }
        // Rich rules go into the running set as well: they need no reload (which drops Docker's chains).
        expect(apply.content).toContain('for set_ in permanent runtime; do\n    rich "$set_" add');
    });

    it("admits VRRP in a firewalld zone for the multicast group and each unicast peer", () => {
        const rules = vrrpRichRules([
            { chain: "INPUT", args: ["-i", "eth0", "-p", "vrrp", "-d", VRRP_GROUP, "-j", "ACCEPT"] },
            { chain: "OUTPUT", args: ["-o", "eth0", "-p", "vrrp", "-d", VRRP_GROUP, "-j", "ACCEPT"] },
            { chain: "INPUT", args: ["-i", "eth0", "-p", "vrrp", "-s", "10.0.0.2", "-j", "ACCEPT"] },
        ]);
        expect(rules).toEqual([`rule family="ipv4" destination address="${VRRP_GROUP}" protocol value="vrrp" accept`, 'rule family="ipv4" source address="10.0.0.2" protocol value="vrrp" accept']);
    });

    it("firewall-offline-cmd rejects a malformed direct rule and a malformed rich rule (the check can fail)", () => {
        expect(offlineCmd([["--direct", "--add-rule", "ipv4", "filter", "INPUT", "-p", "vrrp", "-j", "ACCEPT"]]).code).not.toBe(0);
        expect(offlineCmd([["--zone=public", '--add-rich-rule=rule family="ipv4" port port="3306" protocol="tcpx" accept']], "/dev/null").code).not.toBe(0);
    });
});
