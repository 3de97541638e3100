// What the stack's TLS covers, derived from the topology: which accounts must encrypt and the
// names each database node's certificate carries.
import { Topology } from "./schema";
import { haproxyListeners } from "./derive";

/** True when the application accounts and the replication user REQUIRE SSL. */
export function tlsRequired(t: Topology): boolean {
    return t.tls.enabled && (t.tls.requireForClients ?? true);
}

/** One database server's certificate: its common name and subject alternative names. */
export interface TlsSubject {
    /** The node (container) name: the certificate's CN and a DNS name. */
    readonly name: string;
    /** Addresses clients reach it at: its own, and those of the HAProxy nodes and VIPs in front of it. */
    readonly ips: string[];
}

/**
 * A client that verifies the server's identity checks the address it dialled: the node's own
 * for replication and direct logins, a VIP for clients behind HAProxy (which passes TLS through
 * untouched in TCP mode). So every VIP in front of HAProxy, and every HAProxy node's address, is
 * in the certificates of the nodes HAProxy balances over.
 */
export function tlsSubjects(t: Topology): TlsSubject[] {
    const vips = t.keepalived.instances.filter((i) => i.fronts === "haproxy").map((i) => i.vip);
    const proxies = (t.haproxy?.nodes ?? []).flatMap((n) => [n.ip, ...(n.lanIp ? [n.lanIp] : [])]);
    const fronted = (backend: "pxc" | "dualMaster") => t.haproxy !== undefined && haproxyListeners(t).some((l) => l.backend === backend);
    const subject = (name: string, ip: string, backend: "pxc" | "dualMaster"): TlsSubject => ({ name, ips: [...new Set([ip, ...(fronted(backend) ? [...vips, ...proxies] : [])])] });
    return [
        ...(t.database.pxc?.nodes ?? []).map((n) => subject(n.name, n.ip, "pxc")),
        ...(t.database.dualMaster?.servers ?? []).map((s) => subject(s.name, s.ip, "dualMaster")),
    ];
}
