// A dual-master topology whose two servers sit on loopback addresses (all of 127/8 is on lo), so
// render tests can run the rendered SQL and option files against a real mariadbd on `port`.
import { LoadedStack, loadTopology } from "../../model/load";
import { SecretLookup } from "../../model/rules/secrets";
import { goodSecrets, PROJECT } from "./stacks";

/** dm2's address: a test server listening there is the source dm1's replica logs in to. */
export const DM2_IP = "127.0.0.22";

/** `dualMaster` holds the section's fields besides image, flavor, port and servers (replication, app). */
export function loopbackDualMaster(port: number, dualMaster: Record<string, unknown>, secrets: Record<string, SecretLookup> = {}): LoadedStack {
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
        },
        goodSecrets(secrets),
    );
}
