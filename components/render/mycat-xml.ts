// MyCat 1.6's three XML files under <home>/conf: server.xml (ports and users),
// schema.xml (schemas, data nodes, MySQL servers) and rule.xml (sharding rules).
// Every value goes through the XML escapers (escape.ts); passwords only into server/schema.xml.
import { Mycat, Topology } from "../../model/schema";
import { xmlAttr, xmlText } from "./escape";
import { file, RenderedFile } from "./file";
import { secretOf, Secrets } from "./secrets";

export function mycatConfDir(m: Mycat): string {
    return `${m.home.replace(/\/+$/, "")}/conf`;
}

/** `name="value"` pairs, escaped, in the order given. */
function xmlAttrs(attrs: Record<string, string | number | boolean>): string {
    return Object.entries(attrs)
        .map(([k, v]) => `${k}="${xmlAttr(String(v))}"`)
        .join(" ");
}

type MycatTable = Mycat["schemas"][number]["tables"][number];

/** A table needs a rule only when it spreads over several data nodes; MyCat routes a single node directly. */
function needsRule(table: MycatTable): boolean {
    return table.type === "sharded" && table.dataNodes.length > 1;
}

/** One tableRule per sharded table: tables in different schemas may share a name, so both go in. */
function tableRuleName(schema: string, table: string): string {
    return `mod-long-${schema}-${table}`;
}

/** mod-long functions are shared by every table spread over the same number of nodes. */
function modLongFunctionName(count: number): string {
    return `mod-long-${count}`;
}

// server.xml: the front-end ports and the users clients log in as.
function property(name: string, value: string | number | boolean): string {
    return `<property ${xmlAttrs({ name })}>${xmlText(String(value))}</property>`;
}

export function renderMycatServerXml(t: Topology, secrets: Secrets): RenderedFile {
    const m = t.mycat;
    if (!m) throw new Error("mycat is not configured");
    const system = [
        property("serverPort", m.ports.server),
        property("managerPort", m.ports.manager),
        // All interfaces: HAProxy and LVS reach MyCat through the container's network address.
        property("bindIp", "0.0.0.0"),
        // utf8mb4 so 4-byte characters survive; MyCat 1.6 maps it to MySQL charset index 45.
        property("charset", "utf8mb4"),
        // Never let a client in without a password (MyCat's nonePasswordLogin).
        property("nonePasswordLogin", 0),
    ];
    const users = m.users.flatMap((u, i) => [
        `    <user ${xmlAttrs({ name: u.name })}>`,
        `        ${property("password", secretOf(secrets, u.passwordSecret, `mycat.users[${i}].passwordSecret`))}`,
        `        ${property("schemas", u.schemas.join(","))}`,
        `        ${property("readOnly", u.readOnly)}`,
        "    </user>",
    ]);
    const lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<!DOCTYPE mycat:server SYSTEM "server.dtd">',
        "<!-- Rendered from the stack topology: edit the stack, not this file. -->",
        '<mycat:server xmlns:mycat="http://io.mycat/">',
        "    <system>",
        ...system.map((p) => `        ${p}`),
        "    </system>",
        ...users,
        "</mycat:server>",
        "",
    ];
    // 0640: it holds the users' passwords.
    return file(`${mycatConfDir(m)}/server.xml`, lines.join("\n"), "0640");
}

// schema.xml: logical schemas and tables, the data nodes they live on,
// and the MySQL servers (dataHosts) behind those nodes.
function schemaElements(m: Mycat): string[] {
    return m.schemas.flatMap((s) => {
        const attrs = {
            name: s.name,
            // true: MyCat strips `schema.` from qualified table names before routing.
            checkSQLschema: "true",
            sqlMaxLimit: s.sqlMaxLimit,
            ...(s.dataNode !== undefined ? { dataNode: s.dataNode } : {}),
        };
        if (s.tables.length === 0) return [`    <schema ${xmlAttrs(attrs)}/>`];
        const tables = s.tables.map((tb) => {
            const ta: Record<string, string> = { name: tb.name, dataNode: tb.dataNodes.join(",") };
            if (tb.type === "global") ta.type = "global";
            else if (needsRule(tb)) ta.rule = tableRuleName(s.name, tb.name);
            return `        <table ${xmlAttrs(ta)}/>`;
        });
        return [`    <schema ${xmlAttrs(attrs)}>`, ...tables, "    </schema>"];
    });
}

function dataHostElements(m: Mycat, secrets: Secrets): string[] {
    return m.dataHosts.flatMap((d, i) => [
        `    <dataHost ${xmlAttrs({
            name: d.name,
            maxCon: d.maxCon,
            minCon: d.minCon,
            balance: d.balance,
            writeType: d.writeType,
            dbType: "mysql",
            dbDriver: "native",
            switchType: d.switchType,
            slaveThreshold: 100,
        })}>`,
        `        <heartbeat>${xmlText(d.heartbeat)}</heartbeat>`,
        ...d.writeHosts.flatMap((w, j) => {
            const password = secretOf(secrets, w.passwordSecret, `mycat.dataHosts[${i}].writeHosts[${j}].passwordSecret`);
            const head = xmlAttrs({ host: w.host, url: w.address, user: w.user, password });
            if (w.readHosts.length === 0) return [`        <writeHost ${head}/>`];
            return [
                `        <writeHost ${head}>`,
                // Read replicas share the writer's account (the schema has one user per writeHost).
                ...w.readHosts.map((r) => `            <readHost ${xmlAttrs({ host: r.host, url: r.address, user: w.user, password })}/>`),
                "        </writeHost>",
            ];
        }),
        "    </dataHost>",
    ]);
}

export function renderMycatSchemaXml(t: Topology, secrets: Secrets): RenderedFile {
    const m = t.mycat;
    if (!m) throw new Error("mycat is not configured");
    const lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<!DOCTYPE mycat:schema SYSTEM "schema.dtd">',
        "<!-- Rendered from the stack topology: edit the stack, not this file. -->",
        '<mycat:schema xmlns:mycat="http://io.mycat/">',
        // The DTD wants every schema, then every dataNode, then every dataHost.
        ...schemaElements(m),
        ...m.dataNodes.map((n) => `    <dataNode ${xmlAttrs({ name: n.name, dataHost: n.dataHost, database: n.database })}/>`),
        ...dataHostElements(m, secrets),
        "</mycat:schema>",
        "",
    ];
    // 0640: it holds the MySQL passwords MyCat logs in with.
    return file(`${mycatConfDir(m)}/schema.xml`, lines.join("\n"), "0640");
}

// rule.xml: one mod-long tableRule per sharded table, each pointing at a
// PartitionByMod function whose count is the number of that table's data nodes.

export function renderMycatRuleXml(t: Topology): RenderedFile {
    const m = t.mycat;
    if (!m) throw new Error("mycat is not configured");
    const sharded = m.schemas.flatMap((s) => s.tables.filter(needsRule).map((tb) => ({ schema: s.name, table: tb })));
    const rules = sharded.flatMap(({ schema, table }) => [
        `    <tableRule ${xmlAttrs({ name: tableRuleName(schema, table.name) })}>`,
        "        <rule>",
        `            <columns>${xmlText(table.shardColumn)}</columns>`,
        `            <algorithm>${xmlText(modLongFunctionName(table.dataNodes.length))}</algorithm>`,
        "        </rule>",
        "    </tableRule>",
    ]);
    // A count larger than the table's node list would route rows to nodes it does not have.
    const counts = [...new Set(sharded.map(({ table }) => table.dataNodes.length))].sort((a, b) => a - b);
    const functions = counts.flatMap((n) => [
        `    <function ${xmlAttrs({ name: modLongFunctionName(n), class: "io.mycat.route.function.PartitionByMod" })}>`,
        `        <property name="count">${n}</property>`,
        "    </function>",
    ]);
    const lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<!DOCTYPE mycat:rule SYSTEM "rule.dtd">',
        "<!-- Rendered from the stack topology: edit the stack, not this file. -->",
        '<mycat:rule xmlns:mycat="http://io.mycat/">',
        ...rules,
        ...functions,
        "</mycat:rule>",
        "",
    ];
    return file(`${mycatConfDir(m)}/rule.xml`, lines.join("\n"));
}
