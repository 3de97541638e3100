// The lab's one description (lab/lab.env), read the way the host scripts source it, and what
// follows from it: each simulated host's address, shim, namespace and Docker socket, and the host
// section of the dev stack.
import * as fs from "fs";
import * as path from "path";

export const LAB_ENV = path.resolve(__dirname, "../lab.env");

export interface LabDescription {
    /** Everything the lab creates at run time. */
    readonly dir: string;
    readonly bridge: string;
    /** First three octets of the bridge's /24. */
    readonly netPrefix: string;
    readonly hosts: number;
    readonly hostOctet: number;
    readonly shimOctet: number;
    readonly netnsPrefix: string;
}

/** KEY=value lines as `bash` sources them here: no quotes and no expansions are allowed, so both sides read the same values. */
export function parseLabEnv(text: string): Record<string, string> {
    const out: Record<string, string> = {};
    text.split("\n").forEach((line, i) => {
        const l = line.trim();
        if (l === "" || l.startsWith("#")) return;
        const m = /^([A-Z_][A-Z0-9_]*)=([A-Za-z0-9_./:-]*)$/.exec(l);
        if (!m) throw new Error(`${LAB_ENV}:${i + 1}: expected KEY=value without quotes, spaces or expansions, got: ${l}`);
        out[m[1]] = m[2];
    });
    return out;
}

export function readLabDescription(text = fs.readFileSync(LAB_ENV, "utf8")): LabDescription {
    const env = parseLabEnv(text);
    const get = (k: string): string => {
        const v = env[k];
        if (v === undefined || v === "") throw new Error(`${LAB_ENV}: ${k} is missing`);
        return v;
    };
    const num = (k: string): number => {
        const v = Number(get(k));
        if (!Number.isInteger(v) || v < 0) throw new Error(`${LAB_ENV}: ${k}=${get(k)} is not a whole number`);
        return v;
    };
    return {
        dir: get("LAB_DIR"),
        bridge: get("LAB_BRIDGE"),
        netPrefix: get("LAB_NET_PREFIX"),
        hosts: num("LAB_HOSTS"),
        hostOctet: num("LAB_HOST_OCTET"),
        shimOctet: num("LAB_SHIM_OCTET"),
        netnsPrefix: get("LAB_NETNS_PREFIX"),
    };
}

export const LAB: LabDescription = readLabDescription();

/** One simulated host, numbered from 1. */
export interface LabHost {
    readonly name: string;
    readonly address: string;
    readonly shim: string;
    readonly netns: string;
    readonly dockerSocket: string;
}

export function labHost(n: number, lab: LabDescription = LAB): LabHost {
    const name = `lab${n}`;
    return {
        name,
        address: `${lab.netPrefix}.${lab.hostOctet + n}`,
        shim: `${lab.netPrefix}.${lab.shimOctet + n}`,
        netns: `${lab.netnsPrefix}${name}`,
        dockerSocket: `${lab.dir}/${name}/docker.sock`,
    };
}

export function labHosts(count: number = LAB.hosts, lab: LabDescription = LAB): LabHost[] {
    return Array.from({ length: count }, (_, i) => labHost(i + 1, lab));
}

/** The `hosts` entries of a stack on the lab: the first host manages the swarm. */
export function stackHosts(hosts: readonly LabHost[]): Array<Record<string, unknown>> {
    return hosts.map((h, i) => ({
        name: h.name,
        ssh: { address: h.address },
        lan: { interface: "eth0", address: `${h.address}/24`, macvlanShim: h.shim },
        ...(i === 0 ? { swarmRole: "manager" } : {}),
        docker: { host: `unix://${h.dockerSocket}` },
    }));
}
