// npm run lab:overlay-probe: the tutorials' container VIP on the swarm overlay, measured on a
// lab brought up by `npm run lab:up`. Puts a spare overlay address on one HAProxy container
// (what keepalived would add there), sends gratuitous ARP for it from that container as
// keepalived would, then asks every simulated host and a database container on every host
// for the MariaDB greeting through it. Removes the address afterwards, whatever happened.
import { haproxyListeners } from "../model/derive";
import { contains, fromInt, toInt } from "../model/net";
import { greets, GREETING } from "./lib/checks";
import { loadLabStack } from "./lib/lab-stack";


function main(): number {
    const lab = loadLabStack();
    const t = lab.topology;
    const holder = t.haproxy?.nodes[0];
    const listener = haproxyListeners(t).find((l) => l.backend === "pxc");
    if (!holder || !listener) throw new Error("the probe needs an HAProxy node and a pxc listener (the dev stack)");
    // A free address below the dynamic range: one past the highest static container address.
    const taken = new Set([...(t.database.pxc?.nodes ?? []), ...(t.database.dualMaster?.servers ?? []), ...(t.haproxy?.nodes ?? [])].map((n) => toInt(n.ip)));
    const vip = fromInt(Math.max(...taken) + 1);
    if (!contains(t.network.subnet, vip)) throw new Error(`no free address after the static ones in ${t.network.subnet}`);
    const dk = (host: string, args: string[]) => lab.docker(host)(args, { timeoutMs: 15_000 });
    const ifOut = dk(holder.host, ["exec", holder.name, "ip", "-o", "-4", "addr", "show"]).stdout;
    const iface = ifOut.split("\n").find((l) => l.includes(` ${holder.ip}/`))?.split(/\s+/)[1];
    if (!iface) throw new Error(`no interface of ${holder.name} holds ${holder.ip}`);
    const prefix = t.network.subnet.split("/")[1];
    console.log(`[overlay-probe] ${vip}/${prefix} on ${holder.name} (${holder.host}, ${iface}); probing ${vip}:${listener.port}`);
    const added = dk(holder.host, ["exec", holder.name, "ip", "addr", "add", `${vip}/${prefix}`, "dev", iface]);
    if (added.code !== 0) throw new Error(`adding ${vip}: ${added.stderr.trim()}`);
    const rows: string[] = [];
    let reached = 0;
    try {
        // keepalived announces a new VIP with gratuitous ARP; iputils arping may be missing in the image.
        const garp = dk(holder.host, ["exec", holder.name, "sh", "-c", `command -v arping >/dev/null && arping -U -c 3 -I ${iface} ${vip} >/dev/null 2>&1 && echo sent || echo "no arping"`]);
        console.log(`[overlay-probe] gratuitous ARP: ${garp.stdout.trim()}`);
        const probe = (who: string, r: { code: number; stdout: string }) => {
            const ok = r.code === 0 && greets(r.stdout);
            if (ok) reached++;
            rows.push(`${who.padEnd(28)} ${ok ? "greeted" : "no answer"}`);
        };
        for (const h of t.hosts) probe(`host ${h.name}`, lab.onHost(h.name, ["timeout", "5", "bash", "-c", GREETING, vip, String(listener.port)]));
        for (const h of t.hosts) {
            const c = (t.database.pxc?.nodes ?? []).find((n) => n.host === h.name);
            if (c) probe(`container ${c.name} on ${h.name}${h.name === holder.host ? " (same host)" : ""}`, dk(h.name, ["exec", c.name, "timeout", "5", "bash", "-c", GREETING, vip, String(listener.port)]));
        }
    } finally {
        const removed = dk(holder.host, ["exec", holder.name, "ip", "addr", "del", `${vip}/${prefix}`, "dev", iface]);
        console.log(`[overlay-probe] removed ${vip}: ${removed.code === 0 ? "ok" : removed.stderr.trim()}`);
    }
    for (const r of rows) console.log(`[overlay-probe] ${r}`);
    console.log(`[overlay-probe] reached from ${reached} of ${rows.length} clients`);
    return 0;
}

process.exit(main());
