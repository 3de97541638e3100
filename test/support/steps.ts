// The remote steps a stack declares, as the provider would run them: create, delete and stdin
// in plain text (secrets unwrapped), grouped by the host they run on, in declaration order.
import { LoadedStack } from "../../model/load";
import { declareUnderMocks, Registered, SECRET_SIG, SIG_KEY } from "./graph";
import { payloadFiles, ScratchRoot } from "./scratch-root";

export interface Step {
    readonly name: string;
    /** The SSH address of the host it runs on. */
    readonly host: string;
    readonly create: string;
    readonly delete: string;
    readonly stdin: string;
    /** Declared as a secret step: logging off, outputs secret (RemoteStepArgs.secret). */
    readonly secret: boolean;
    /** stdin is a secret value. */
    readonly secretStdin: boolean;
}

function plain(v: unknown): { value: unknown; secret: boolean } {
    if (v && typeof v === "object" && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG) return { value: (v as Record<string, unknown>).value, secret: true };
    return { value: v, secret: false };
}

export function stepsOf(records: Registered[]): Step[] {
    return records
        .filter((r) => r.type === "command:remote:Command")
        .map((r) => {
            const stdin = plain(r.inputs.stdin);
            const conn = plain(r.inputs.connection).value as Record<string, unknown>;
            return {
                name: r.name,
                host: String(plain(conn.host).value),
                create: String(r.inputs.create),
                delete: String(r.inputs.delete),
                stdin: stdin.value === undefined ? "" : String(stdin.value),
                secret: r.inputs.logging === "none",
                secretStdin: stdin.secret,
            };
        });
}

export async function stackSteps(stack: LoadedStack): Promise<Step[]> {
    return stepsOf(await declareUnderMocks(stack));
}

/**
 * A scratch root per host, holding a root per container the stack places on the host, with what
 * the stubs answer for this stack: the Galera status of a whole Primary component, and an
 * interface for every address a keepalived template resolves.
 */
export function hostRoots(stack: LoadedStack, steps: Step[]): Map<string, ScratchRoot> {
    const roots = new Map<string, ScratchRoot>();
    const pxc = stack.topology.database.pxc;
    const status = pxc
        ? [
              "wsrep_local_state_comment\tSynced",
              "wsrep_cluster_status\tPrimary",
              `wsrep_cluster_size\t${pxc.nodes.length}`,
              `wsrep_incoming_addresses\t${pxc.nodes.map((n) => `${n.ip}:3306`).join(",")}`,
          ].join("\n") + "\n"
        : "";
    const addresses = new Set<string>();
    for (const s of steps) for (const content of payloadFiles(s.stdin).values()) for (const m of content.matchAll(/%iface:([0-9.]+)%/g)) addresses.add(m[1]);
    const ipLines = [...addresses].map((a, i) => `${i + 2}: eth${i}    inet ${a}/24 brd 255.255.255.255 scope global eth${i}\n`).join("");
    const t = stack.topology;
    const placed = [...(t.database.pxc?.nodes ?? []), ...(t.database.dualMaster?.servers ?? []), ...(t.haproxy?.nodes ?? []), ...(t.mycat?.nodes ?? [])];
    const containersOn = (address: string) => {
        const hosts = t.hosts.filter((h) => h.ssh.address === address).map((h) => h.name);
        return placed.filter((n) => hosts.includes(n.host)).map((n) => n.name);
    };
    for (const s of steps) {
        if (roots.has(s.host)) continue;
        const root = new ScratchRoot(containersOn(s.host));
        root.write("/stub/.galera-status", status);
        root.write("/stub/.ip-addrs", ipLines);
        roots.set(s.host, root);
    }
    return roots;
}
