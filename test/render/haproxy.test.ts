import { HAPROXY_CFG_PATH, renderHaproxyCfg } from "../../components/render/haproxy";
import { HAPROXY_SYSLOG_ADDRESS } from "../../components/render/rsyslog";
import { Topology } from "../../model/schema";
import { expectGolden } from "../support/golden";
import { allStackFiles, loadStackFile, stackLabel } from "../support/stacks";
import { haproxyCheck } from "../support/validators";

const stacks = allStackFiles()
    .map((file) => ({ file, label: stackLabel(file), ...loadStackFile(file) }))
    .filter((s) => s.topology.haproxy !== undefined);
const cases = stacks.flatMap((s) => (s.topology.haproxy?.nodes ?? []).map((n) => ({ ...s, node: n.name })));

function secretKeysIn(text: string, secrets: Readonly<Record<string, string>>): string[] {
    return Object.entries(secrets)
        .filter(([, value]) => text.includes(value))
        .map(([key]) => key);
}

function expectValid(cfg: string): void {
    const v = haproxyCheck(cfg);
    expect(v.output).toContain("Configuration file is valid");
    expect(v.output).not.toContain("[WARNING]");
    expect(v.code).toBe(0);
}

function variant(t: Topology, edit: (c: Topology) => void): Topology {
    const copy = structuredClone(t);
    edit(copy);
    return copy;
}

describe("haproxy.cfg", () => {
    it("has stacks and nodes to render (not vacuous)", () => {
        expect(stacks.map((s) => s.label)).toEqual(expect.arrayContaining(["dev", "tutorial", "tutorial-002"]));
        expect(cases.length).toBeGreaterThanOrEqual(5);
    });

    describe.each(cases.map((c) => [`${c.label} ${c.node}`, c] as const))("%s", (_name, c) => {
        const rendered = renderHaproxyCfg(c.topology, c.node, c.secrets);

        it("matches its golden file", () => {
            expect(rendered.path).toBe(HAPROXY_CFG_PATH);
            expectGolden(`${c.label}/haproxy-${c.node}.cfg`, rendered.content);
        });

        it("passes haproxy -c without warnings", () => expectValid(rendered.content));

        it("binds every listener and the stats page on all addresses", () => {
            const binds = rendered.content.split("\n").filter((l) => l.trim().startsWith("bind "));
            expect(binds.length).toBeGreaterThanOrEqual(2);
            for (const b of binds) expect(b.trim()).toMatch(/^bind \*:\d+$/);
        });

        it("checks every server and cuts sessions of a dead one", () => {
            const blocks = rendered.content.split("\nlisten ").slice(1).filter((b) => !b.startsWith("stats"));
            expect(blocks.length).toBeGreaterThan(0);
            for (const b of blocks) {
                expect(b).toMatch(/default-server check .*on-marked-down shutdown-sessions/);
                expect(b).toMatch(/\n {4}server /);
            }
        });

        it("holds only the stats password, and no default credentials", () => {
            const ha = c.topology.haproxy!;
            expect(secretKeysIn(rendered.content, c.secrets)).toEqual([ha.stats.passwordSecret]);
            expect(rendered.content).toContain(`stats auth '${ha.stats.user}:${c.secrets[ha.stats.passwordSecret]}'`);
            expect(rendered.content).not.toMatch(/admin:admin|stats admin/);
        });
    });

    it("the tutorial-002 fixture balances MyCat on 3307 with the xinetd status check", () => {
        const s = stacks.find((x) => x.label === "tutorial-002")!;
        const cfg = renderHaproxyCfg(s.topology, "haproxy1", s.secrets).content;
        expect(cfg).toContain("listen mycat\n    bind *:3307");
        expect(cfg).toContain("default-server check port 48700");
        expect(cfg).toContain("server mycat1 172.18.0.31:8066");
        expect(cfg).toContain("bind *:48800");
        expect(cfg).toContain("stats uri /admin-status");
    });

    /** The body of one `listen` section. */
    function section(cfg: string, name: string): string {
        const m = new RegExp(`\nlisten ${name}\n([^]*?)\n\n`).exec(cfg);
        if (!m) throw new Error(`no listen ${name}`);
        return m[1];
    }
    const serverLines = (body: string) => body.split("\n").filter((l) => l.startsWith("    server "));
    const PINNED = ["    stick-table type integer size 2 nopurge peers haproxy_nodes", "    stick on int(1)"];

    it("keeps one dual-master writer at a time and sticks to it after a failover", () => {
        const dev = stacks.find((x) => x.label === "dev")!;
        const cfg = renderHaproxyCfg(dev.topology, "h1", dev.secrets).content;
        const body = section(cfg, "dualmaster");
        expect(serverLines(body)).toEqual(["    server dm1 172.18.0.21:3306", "    server dm2 172.18.0.22:3306 backup"]);
        expect(body).toContain("option mysql-check user hacheck");
        for (const line of PINNED) expect(body.split("\n")).toContain(line);
    });

    it("sends Galera writes to one Synced node and keeps them there after a failover", () => {
        const dev = stacks.find((x) => x.label === "dev")!;
        const body = section(renderHaproxyCfg(dev.topology, "h1", dev.secrets).content, "pxc");
        expect(body).toContain("bind *:3306");
        expect(serverLines(body)).toEqual(["    server pn1 172.18.0.2:3306", "    server pn2 172.18.0.3:3306 backup", "    server pn3 172.18.0.4:3306 backup"]);
        for (const line of PINNED) expect(body.split("\n")).toContain(line);
        // Several backups in use at once would be several writers; a balance line would only mislead.
        expect(body).not.toMatch(/allbackups|balance |on-marked-up/);
        expect(body).toContain("default-server check port 9200 ");
        expect(body).toContain("http-check expect status 200");
    });

    it("balances Galera reads over every Synced node", () => {
        const dev = stacks.find((x) => x.label === "dev")!;
        const body = section(renderHaproxyCfg(dev.topology, "h1", dev.secrets).content, "pxc-read");
        expect(body).toContain("bind *:3308");
        expect(body).toContain("balance leastconn");
        expect(serverLines(body)).toEqual(["    server pn1 172.18.0.2:3306", "    server pn2 172.18.0.3:3306", "    server pn3 172.18.0.4:3306"]);
        expect(body).not.toMatch(/backup|stick/);
        expect(body).toContain("default-server check port 9200 ");
    });

    it("shares the pinned writers between every HAProxy node, the local one listening on every address", () => {
        const dev = stacks.find((x) => x.label === "dev")!;
        for (const node of ["h1", "h2"]) {
            const cfg = renderHaproxyCfg(dev.topology, node, dev.secrets).content;
            expect(cfg).toContain(`\n    localpeer ${node}\n`);
            // The local peer listens on every address and has no address of its own; the other has its own.
            const other = node === "h1" ? "    server h2 172.18.0.12:10000" : "    server h1 172.18.0.11:10000";
            const own = `    server ${node}`;
            const lines = node === "h1" ? [own, other] : [other, own];
            expect(cfg).toContain(`\npeers haproxy_nodes\n    bind *:10000\n${lines.join("\n")}\n\n`);
        }
        // MyCat's listener pins nothing: no peers section, no peer port.
        const mycatOnly = stacks.find((x) => x.label === "tutorial-002")!;
        const cfg = renderHaproxyCfg(mycatOnly.topology, "haproxy1", mycatOnly.secrets).content;
        expect(cfg).not.toMatch(/peers|localpeer|stick/);
    });

    describe("check kinds and flavors all pass haproxy -c", () => {
        const dev = stacks.find((x) => x.label === "dev")!;
        const variants: Array<[string, Topology, RegExp]> = [
            ["mysql-check", variant(dev.topology, (t) => (t.haproxy!.check.kind = "mysql-check")), /listen pxc[^]*option mysql-check user hacheck/],
            ["tcp", variant(dev.topology, (t) => (t.haproxy!.check.kind = "tcp")), /listen pxc\n(?:(?!.*option (?:httpchk|mysql-check)).*\n)*\n/],
            ["dual-master mysql80", variant(dev.topology, (t) => (t.database.dualMaster!.flavor = "mysql80")), /listen dualmaster\n(?:(?!.*option mysql-check).*\n)*\n/],
            ["default listeners", variant(dev.topology, (t) => delete t.haproxy!.listeners), /listen pxc\n[^]*listen pxc-read\n {4}bind \*:3308\n[^]*listen dualmaster\n/],
            ["listeners on other ports, read first, peer port moved", variant(dev.topology, (t) => {
                t.haproxy!.listeners = [{ name: "galera-ro", port: 4406, backend: "pxc", role: "read" }, { name: "galera", port: 4407, backend: "pxc", role: "write" }];
                t.haproxy!.peerPort = 4408;
            }), /listen galera-ro\n {4}bind \*:4406\n[^]*listen galera\n {4}bind \*:4407\n[^]*stick on/],
        ];
        it.each(variants)("%s", (_name, t, shape) => {
            const cfg = renderHaproxyCfg(t, "h1", dev.secrets).content;
            expect(cfg).toMatch(shape);
            expectValid(cfg);
        });

        it("syslog logging", () => {
            const cfg = renderHaproxyCfg(dev.topology, "h1", dev.secrets, { log: { kind: "syslog", address: HAPROXY_SYSLOG_ADDRESS } }).content;
            expect(cfg).toContain(`log ${HAPROXY_SYSLOG_ADDRESS} local0 info`);
            expectValid(cfg);
        });
    });

    describe("the validator test can fail", () => {
        const c = cases[0];
        const good = renderHaproxyCfg(c.topology, c.node, c.secrets).content;

        it("rejects a misspelt keyword", () => {
            const bad = good.replace("option redispatch", "option redispatc");
            expect(bad).not.toBe(good);
            const v = haproxyCheck(bad);
            expect(v.code).not.toBe(0);
            expect(v.output).toMatch(/unknown option 'redispatc'/);
        });

        it("rejects a server line without an address", () => {
            const bad = good.replace(/(\nlisten [^]*?\n {4}server \S+) \S+/, "$1");
            expect(bad).not.toBe(good);
            expect(haproxyCheck(bad).code).not.toBe(0);
        });
    });

    describe("refuses what it cannot render", () => {
        const c = cases[0];
        it("an unknown node", () => expect(() => renderHaproxyCfg(c.topology, "nope", c.secrets)).toThrow(/not an HAProxy node/));
        it("a missing stats password", () => expect(() => renderHaproxyCfg(c.topology, c.node, {})).toThrow(/is not set/));
        it("a password with a line break (the loader refuses it before)", () => {
            const key = c.topology.haproxy!.stats.passwordSecret;
            expect(() => renderHaproxyCfg(c.topology, c.node, { ...c.secrets, [key]: "abc\ndef-long-enough" })).toThrow(/control character \(U\+000A\)/);
        });
    });

    describe("quotes the stats password whatever it holds", () => {
        const c = cases[0];
        it("' # $ \\ and spaces stay one word that haproxy -c accepts", () => {
            const key = c.topology.haproxy!.stats.passwordSecret;
            const out = renderHaproxyCfg(c.topology, c.node, { ...c.secrets, [key]: "abc' def#x $HOME \\" }).content;
            expect(out).toContain(`    stats auth '${c.topology.haproxy!.stats.user}:abc'\\'' def#x $HOME \\'\n`);
            const v = haproxyCheck(out);
            expect(v.output).toMatch(/Configuration file is valid/);
            expect(v.code).toBe(0);
        });
    });
});
