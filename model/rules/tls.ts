// TLS settings that would do nothing, or that a component in the path cannot speak.
import { Topology } from "../schema";
import { ConfigIssue, issue } from "../issues";
import { tlsRequired } from "../tls";

/** requireForClients without TLS itself would leave every account unable to log in remotely. */
export function tlsRequirementNeedsTls(t: Topology): ConfigIssue[] {
    if (t.tls.enabled || t.tls.requireForClients !== true) return [];
    return [issue("tls.requireForClients", true, "requires TLS of clients while tls.enabled is false: no server would offer it, so no client could log in", "set tls.enabled: true, or drop tls.requireForClients")];
}

/**
 * MyCat 1.6 speaks the MySQL protocol to its backends without TLS: an account that REQUIRE SSL
 * refuses it, and every query through MyCat fails.
 */
export function mycatBackendsWithoutTls(t: Topology): ConfigIssue[] {
    if (!t.mycat || !tlsRequired(t)) return [];
    const required = new Set([t.database.pxc?.app?.user, t.database.dualMaster?.app?.user, t.database.dualMaster?.replication.user].filter((u): u is string => u !== undefined));
    return t.mycat.dataHosts.flatMap((d, i) =>
        d.writeHosts.flatMap((w, j) =>
            required.has(w.user)
                ? [
                      issue(
                          `mycat.dataHosts[${i}].writeHosts[${j}].user`,
                          w.user,
                          `MyCat connects to its backends without TLS, and ${w.user} must use TLS (tls.requireForClients)`,
                          "give MyCat an account of its own, or set tls.requireForClients: false to let the application accounts log in without TLS",
                      ),
                  ]
                : [],
        ),
    );
}
