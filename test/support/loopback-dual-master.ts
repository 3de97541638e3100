// A dual-master topology whose two servers sit on loopback addresses (all of 127/8 is on lo), so
// render tests can run the rendered SQL and option files against a real mariadbd on `port`.
import { spawnSync } from "child_process";
import * as path from "path";
import { LoadedStack, loadTopology } from "../../model/load";
import { ROOT_CLIENT_CNF } from "../../components/render/client-cnf";
import { MariadbServer } from "./mariadb";
import { SecretLookup } from "../../model/rules/secrets";
import { goodSecrets, PROJECT } from "./stacks";

/** dm2's address: a test server listening there is the source dm1's replica logs in to. */
export const DM2_IP = "127.0.0.22";

/**
 * `dualMaster` holds the section's fields besides image, flavor, port and servers (replication,
 * app); `top` further top-level sections, by default TLS off (test/render/tls.test.ts turns it on).
 */
export function loopbackDualMaster(port: number, dualMaster: Record<string, unknown>, secrets: Record<string, SecretLookup> = {}, top: Record<string, unknown> = { tls: { enabled: false } }): LoadedStack {
    return loadTopology(
        PROJECT,
        {
            hosts: [{ name: "box", ssh: { address: "10.99.0.11" }, lan: { interface: "eth0", address: "10.99.0.11/24" }, swarmRole: "manager" }],
            network: { name: "net1", driver: "bridge", subnet: "127.0.0.0/24", gateway: "127.0.0.1", gwbridgeSubnet: "10.201.0.0/24" },
            database: {
                dualMaster: {
                    flavor: "mariadb",
                    image: "mariadb:10.11",
                    port,
                    ...dualMaster,
                    servers: [
                        { name: "dm1", host: "box", ip: "127.0.0.21", serverId: 1, autoIncrementOffset: 1 },
                        { name: "dm2", host: "box", ip: DM2_IP, serverId: 2, autoIncrementOffset: 2 },
                    ],
                },
            },
            ...top,
        },
        goodSecrets(secrets),
    );
}

/** Runs a server's rendered apply-replication.sh against the files installed in haDir; returns what it printed. */
export function applyReplication(name: string, haDir: string): string {
    const r = spawnSync("bash", [path.join(haDir, "apply-replication.sh")], {
        env: { ...process.env, HA_MYSQL_DIR: haDir, HA_MYSQL_CLIENT_CNF: path.join(haDir, path.basename(ROOT_CLIENT_CNF)) },
        encoding: "utf8",
        timeout: 60_000,
    });
    if (r.status !== 0) throw new Error(`apply on ${name} failed (${r.status}): ${r.stdout}${r.stderr}`);
    return r.stdout;
}

/** SHOW SLAVE STATUS as field name to value. */
export function replicaStatus(s: MariadbServer): Record<string, string> {
    const out: Record<string, string> = {};
    for (const line of s.query("SHOW SLAVE STATUS", ["--vertical"]).split("\n")) {
        const m = /^\s*(\w+): ?(.*)$/.exec(line);
        if (m) out[m[1]] = m[2];
    }
    return out;
}
