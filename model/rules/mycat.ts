// Rules about MyCat's logical schema: every reference must resolve.
import { Topology } from "../schema";
import { ConfigIssue, issue } from "../issues";
import { duplicatesOf } from "./hosts";
import { isIPv4 } from "../net";

export function mycatReferencesResolve(t: Topology): ConfigIssue[] {
    const m = t.mycat;
    if (!m) return [];
    const out: ConfigIssue[] = [];
    const schemas = new Set(m.schemas.map((s) => s.name));
    const nodes = new Set(m.dataNodes.map((d) => d.name));
    const hosts = new Set(m.dataHosts.map((d) => d.name));
    m.users.forEach((u, i) =>
        u.schemas.forEach((s, j) => {
            if (!schemas.has(s)) out.push(issue(`mycat.users[${i}].schemas[${j}]`, s, `user ${u.name} refers to unknown schema "${s}"`, `use one of: ${[...schemas].join(", ")}`));
        }),
    );
    m.schemas.forEach((s, i) => {
        if (s.dataNode !== undefined && !nodes.has(s.dataNode)) out.push(issue(`mycat.schemas[${i}].dataNode`, s.dataNode, `unknown data node "${s.dataNode}"`, `use one of: ${[...nodes].join(", ")}`));
        if (s.dataNode === undefined && s.tables.length === 0) out.push(issue(`mycat.schemas[${i}]`, s.name, "schema has neither a default dataNode nor tables", "set dataNode or list tables"));
        s.tables.forEach((tb, j) =>
            tb.dataNodes.forEach((d, k) => {
                if (!nodes.has(d)) out.push(issue(`mycat.schemas[${i}].tables[${j}].dataNodes[${k}]`, d, `table ${tb.name} refers to unknown data node "${d}"`, `use one of: ${[...nodes].join(", ")}`));
            }),
        );
    });
    m.dataNodes.forEach((d, i) => {
        if (!hosts.has(d.dataHost)) out.push(issue(`mycat.dataNodes[${i}].dataHost`, d.dataHost, `unknown dataHost "${d.dataHost}"`, `use one of: ${[...hosts].join(", ")}`));
    });
    for (const [list, path] of [
        [m.schemas.map((s) => s.name), "schemas"],
        [m.dataNodes.map((d) => d.name), "dataNodes"],
        [m.dataHosts.map((d) => d.name), "dataHosts"],
        [m.users.map((u) => u.name), "users"],
    ] as const) {
        for (const { value, index } of duplicatesOf([...list])) out.push(issue(`mycat.${path}[${index}].name`, value, `name "${value}" is declared twice`, "give each one its own name"));
    }
    return out;
}

export function mycatPortsDistinct(t: Topology): ConfigIssue[] {
    const m = t.mycat;
    if (!m) return [];
    const { server, manager, status } = m.ports;
    if (new Set([server, manager, status]).size === 3) return [];
    return [issue("mycat.ports", m.ports, "server, manager and status ports must differ", "use e.g. 8066, 9066 and 48700")];
}

/** MyCat's host:port strings: a port the schema's pattern lets through (0, 65536-99999) or a dotted address that is no IPv4 address. */
export function mycatAddressesValid(t: Topology): ConfigIssue[] {
    const m = t.mycat;
    if (!m) return [];
    const out: ConfigIssue[] = [];
    const check = (address: string, path: string) => {
        const cut = address.lastIndexOf(":");
        const host = address.slice(0, cut);
        const port = Number(address.slice(cut + 1));
        if (port < 1 || port > 65535) out.push(issue(path, address, `port ${port} is outside 1-65535`, `use the server's MySQL port, e.g. ${host}:3306`));
        if (/^[0-9.]+$/.test(host) && !isIPv4(host)) out.push(issue(path, address, `"${host}" is not an IPv4 address`, "use the server's IPv4 address or host name, e.g. 172.18.0.2:3306"));
    };
    m.dataHosts.forEach((d, i) =>
        d.writeHosts.forEach((w, j) => {
            const at = `mycat.dataHosts[${i}].writeHosts[${j}]`;
            check(w.address, `${at}.address`);
            w.readHosts.forEach((r, k) => check(r.address, `${at}.readHosts[${k}].address`));
        }),
    );
    return out;
}
