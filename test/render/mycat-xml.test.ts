import { renderMycatRuleXml, renderMycatSchemaXml, renderMycatServerXml } from "../../components/render/mycat-xml";
import { Topology } from "../../model/schema";
import { expectGolden } from "../support/golden";
import { allStackFiles, loadStackFile, stackLabel } from "../support/stacks";
import { xmllint } from "../support/validators";

const stacks = allStackFiles()
    .map((file) => ({ file, label: stackLabel(file), ...loadStackFile(file) }))
    .filter((s) => s.topology.mycat !== undefined);

type Secrets = Readonly<Record<string, string>>;

function renderAll(t: Topology, secrets: Secrets) {
    return { server: renderMycatServerXml(t, secrets), schema: renderMycatSchemaXml(t, secrets), rule: renderMycatRuleXml(t) };
}

/** Attribute values selected by an XPath, read with xmllint itself rather than a regex. */
function xpathValues(xml: string, xpath: string): string[] {
    const v = xmllint(xml, ["--xpath", xpath]);
    if (v.code === 10 || /XPath set is empty/.test(v.output)) return [];
    expect(v.code).toBe(0);
    return [...v.output.matchAll(/\s[\w:]+="([^"]*)"/g)].map((m) => m[1]);
}

function xpathString(xml: string, xpath: string): string {
    const v = xmllint(xml, ["--xpath", `string(${xpath})`]);
    expect(v.code).toBe(0);
    return v.output.trim();
}

function secretKeysIn(text: string, secrets: Secrets): string[] {
    return Object.entries(secrets)
        .filter(([, value]) => text.includes(value))
        .map(([key]) => key)
        .sort();
}

describe("MyCat XML", () => {
    it("has stacks to render (not vacuous)", () => {
        expect(stacks.map((s) => s.label)).toEqual(expect.arrayContaining(["tutorial", "tutorial-002"]));
    });

    describe.each(stacks.map((s) => [s.label, s] as const))("%s", (label, s) => {
        const m = s.topology.mycat!;
        const files = renderAll(s.topology, s.secrets);

        it("matches the golden files", () => {
            expectGolden(`${label}/mycat-server.xml`, files.server.content);
            expectGolden(`${label}/mycat-schema.xml`, files.schema.content);
            expectGolden(`${label}/mycat-rule.xml`, files.rule.content);
        });

        it("goes to <home>/conf, password files not world-readable", () => {
            expect(files.server.path).toBe(`${m.home}/conf/server.xml`);
            expect(files.schema.path).toBe(`${m.home}/conf/schema.xml`);
            expect(files.rule.path).toBe(`${m.home}/conf/rule.xml`);
            expect(files.server.mode).toBe("0640");
            expect(files.schema.mode).toBe("0640");
        });

        it.each(["server", "schema", "rule"] as const)("%s.xml is well-formed (xmllint)", (which) => {
            const v = xmllint(files[which].content);
            expect(v.output).toBe("");
            expect(v.code).toBe(0);
            expect(files[which].content).toContain(`<!DOCTYPE mycat:${which} SYSTEM "${which}.dtd">`);
        });

        it("server.xml sets the ports and every user with its password and schemas", () => {
            const x = files.server.content;
            expect(xpathString(x, "//system/property[@name='serverPort']")).toBe(String(m.ports.server));
            expect(xpathString(x, "//system/property[@name='managerPort']")).toBe(String(m.ports.manager));
            expect(xpathValues(x, "//user/@name")).toEqual(m.users.map((u) => u.name));
            for (const u of m.users) {
                expect(xpathString(x, `//user[@name='${u.name}']/property[@name='password']`)).toBe(s.secrets[u.passwordSecret]);
                expect(xpathString(x, `//user[@name='${u.name}']/property[@name='schemas']`)).toBe(u.schemas.join(","));
            }
        });

        it("schema.xml refers only to data nodes and data hosts it declares", () => {
            const x = files.schema.content;
            const nodes = new Set(xpathValues(x, "//dataNode/@name"));
            expect(nodes.size).toBe(m.dataNodes.length);
            const used = [...xpathValues(x, "//schema/@dataNode"), ...xpathValues(x, "//table/@dataNode").flatMap((v) => v.split(","))];
            expect(used.length).toBeGreaterThan(0);
            for (const n of used) expect(nodes).toContain(n);
            const hosts = new Set(xpathValues(x, "//dataHost/@name"));
            for (const h of xpathValues(x, "//dataNode/@dataHost")) expect(hosts).toContain(h);
        });

        it("schema.xml gives every writeHost and readHost a user and a password", () => {
            const x = files.schema.content;
            const hostCount = Number(xpathString(x, "count(//writeHost) + count(//readHost)"));
            expect(hostCount).toBeGreaterThan(0);
            expect(Number(xpathString(x, "count(//writeHost[@password and @user and @url]) + count(//readHost[@password and @user and @url])"))).toBe(hostCount);
            expect(Number(xpathString(x, "count(//*[@password=''])"))).toBe(0);
        });

        it("rule.xml has one mod-long rule per sharded table, counting that table's nodes", () => {
            const schema = files.schema.content;
            const rule = files.rule.content;
            const sharded = m.schemas.flatMap((sc) => sc.tables.filter((tb) => tb.type === "sharded" && tb.dataNodes.length > 1));
            expect(xpathValues(schema, "//table/@rule")).toHaveLength(sharded.length);
            for (const tb of sharded) {
                const ruleName = xpathString(schema, `//table[@name='${tb.name}']/@rule`);
                expect(xpathString(rule, `//tableRule[@name='${ruleName}']/rule/columns`)).toBe(tb.shardColumn);
                const fn = xpathString(rule, `//tableRule[@name='${ruleName}']/rule/algorithm`);
                expect(xpathString(rule, `//function[@name='${fn}']/@class`)).toBe("io.mycat.route.function.PartitionByMod");
                expect(xpathString(rule, `//function[@name='${fn}']/property[@name='count']`)).toBe(String(tb.dataNodes.length));
            }
            for (const tb of m.schemas.flatMap((sc) => sc.tables.filter((x) => x.type === "global"))) {
                expect(xpathString(schema, `//table[@name='${tb.name}']/@type`)).toBe("global");
                expect(xpathString(schema, `//table[@name='${tb.name}']/@rule`)).toBe("");
            }
        });

        it("holds passwords only where MyCat needs them", () => {
            const userKeys = [...new Set(m.users.map((u) => u.passwordSecret))].sort();
            const hostKeys = [...new Set(m.dataHosts.flatMap((d) => d.writeHosts.map((w) => w.passwordSecret)))].sort();
            expect(secretKeysIn(files.server.content, s.secrets)).toEqual(userKeys);
            expect(secretKeysIn(files.schema.content, s.secrets)).toEqual(hostKeys);
            expect(secretKeysIn(files.rule.content, s.secrets)).toEqual([]);
        });
    });

    describe("escaping and edge cases", () => {
        const base = stacks.find((s) => s.label === "tutorial-002")!;

        it("escapes markup characters in values", () => {
            const t = structuredClone(base.topology);
            t.mycat!.dataHosts[0].heartbeat = `select 1 from dual where 1 < 2 && "a" <> 'b'`;
            const x = renderMycatSchemaXml(t, base.secrets).content;
            expect(x).toContain("<heartbeat>select 1 from dual where 1 &lt; 2 &amp;&amp; \"a\" &lt;&gt; 'b'</heartbeat>");
            expect(xmllint(x).code).toBe(0);
            expect(xpathString(x, "//heartbeat")).toBe(t.mycat!.dataHosts[0].heartbeat);
        });

        it("a sharded table on one data node needs no rule", () => {
            const t = structuredClone(base.topology);
            t.mycat!.schemas[0].tables = [{ name: "solo", dataNodes: ["dn1"], type: "sharded", shardColumn: "id" }];
            expect(renderMycatSchemaXml(t, base.secrets).content).toContain('<table name="solo" dataNode="dn1"/>');
            expect(renderMycatRuleXml(t).content).not.toContain("<tableRule");
            expect(xmllint(renderMycatRuleXml(t).content).code).toBe(0);
        });

        it("a missing password is refused, not rendered empty", () => {
            expect(() => renderMycatSchemaXml(base.topology, {})).toThrow(/is not set/);
            expect(() => renderMycatServerXml(base.topology, {})).toThrow(/is not set/);
        });
    });

    describe("the validator test can fail", () => {
        const s = stacks[0];
        const files = renderAll(s.topology, s.secrets);
        it("rejects a missing closing tag", () => {
            const bad = files.schema.content.replace("</dataHost>", "");
            expect(bad).not.toBe(files.schema.content);
            const v = xmllint(bad);
            expect(v.code).not.toBe(0);
            expect(v.output).toMatch(/mismatch|not closed|Premature end/i);
        });
        it("rejects an unescaped ampersand", () => {
            const bad = files.server.content.replace("utf8mb4", "utf8 & latin1");
            expect(xmllint(bad).code).not.toBe(0);
        });
    });
});
