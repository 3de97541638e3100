// Rules about the machines themselves and references to them.
import { Topology } from "../schema";
import { allContainers } from "../derive";
import { ConfigIssue, issue } from "../issues";
import { parseCidr } from "../net";
import { parsePublicKey } from "../host-key";

export function hostNamesUnique(t: Topology): ConfigIssue[] {
    return duplicatesOf(t.hosts.map((h) => h.name)).map(({ value, index }) =>
        issue(`hosts[${index}].name`, value, `host name "${value}" is used twice`, "give every host its own name"),
    );
}

export function hostAddressesUnique(t: Topology): ConfigIssue[] {
    const lan = duplicatesOf(t.hosts.map((h) => parseCidr(h.lan.address).address)).map(({ value, index }) =>
        issue(`hosts[${index}].lan.address`, t.hosts[index].lan.address, `LAN address ${value} is given to two hosts`, "give every host its own LAN address"),
    );
    const ssh = duplicatesOf(t.hosts.map((h) => `${h.ssh.address}:${h.ssh.port}`)).map(({ value, index }) =>
        issue(`hosts[${index}].ssh.address`, t.hosts[index].ssh.address, `SSH endpoint ${value} is given to two hosts`, "point every host at its own SSH address or port"),
    );
    return [...lan, ...ssh];
}

/**
 * A pinned host key must be one the command provider can use: it offers exactly the pin's type as
 * the host key algorithm, and for "ssh-rsa" that is the SHA-1 signature OpenSSH 8.8 and later
 * refuse, so every connection would fail (test/conformance measures it). The key must also be
 * what its type says.
 */
export function hostKeysUsable(t: Topology): ConfigIssue[] {
    return t.hosts.flatMap((h, i) => {
        const pin = h.ssh.hostKey;
        if (!pin) return [];
        const at = `hosts[${i}].ssh.hostKey`;
        const scan = `ssh-keyscan -t ed25519${h.ssh.port === 22 ? "" : ` -p ${h.ssh.port}`} ${h.ssh.address}`;
        const type = pin.split(" ")[0];
        if (type === "ssh-rsa") {
            return [
                issue(
                    at,
                    pin,
                    `host ${h.name} pins an ssh-rsa key: the SSH connection then offers only the SHA-1 ssh-rsa signature, which OpenSSH 8.8 and later refuse, so no step could reach the host ("no common algorithm for host key")`,
                    `pin the host's ed25519 or ECDSA key instead, e.g. the line \`${scan}\` prints, without the host name`,
                ),
            ];
        }
        if (!parsePublicKey(pin)) {
            return [issue(at, pin, `host ${h.name}'s pinned key is not a valid ${type} public key (its encoded type differs or it is cut short)`, `copy the whole line \`${scan}\` prints, without the host name`)];
        }
        return [];
    });
}

export function oneSwarmManager(t: Topology): ConfigIssue[] {
    const managers = t.hosts.filter((h) => h.swarmRole === "manager");
    if (managers.length === 1) return [];
    return [
        issue(
            "hosts",
            managers.map((h) => h.name),
            managers.length === 0 ? "no host has swarmRole manager" : `${managers.length} hosts have swarmRole manager`,
            'set swarmRole: manager on exactly one host (it runs `docker swarm init`; the others join as workers)',
        ),
    ];
}

/** Packages chosen for a host the stack installs nothing on would be ignored without a word. */
export function installChoicesNeedInstall(t: Topology): ConfigIssue[] {
    return t.hosts.flatMap((h, i) => {
        const pkgs = h.install.docker.packages;
        if (h.install.enabled || !pkgs) return [];
        return [
            issue(
                `hosts[${i}].install.docker.packages`,
                pkgs,
                `host ${h.name} has install.enabled: false, so the stack installs nothing there and these packages would never be installed`,
                `remove hosts[${i}].install.docker.packages, or set hosts[${i}].install.enabled: true`,
            ),
        ];
    });
}

export function containerHostsExist(t: Topology): ConfigIssue[] {
    const names = new Set(t.hosts.map((h) => h.name));
    return allContainers(t)
        .filter((c) => !names.has(c.host))
        .map((c) =>
            issue(`${c.section}.host`, c.host, `container ${c.name} is placed on unknown host "${c.host}"`, `use one of the hosts: ${[...names].join(", ")}`),
        );
}

export function containerNamesUniquePerHost(t: Topology): ConfigIssue[] {
    const seen = new Map<string, string>();
    const out: ConfigIssue[] = [];
    for (const c of allContainers(t)) {
        const key = `${c.host}/${c.name}`;
        const first = seen.get(key);
        if (first) out.push(issue(`${c.section}.name`, c.name, `container name "${c.name}" is already used on host ${c.host} by ${first}`, "give every container on a host its own name"));
        else seen.set(key, c.section);
    }
    return out;
}

export function duplicatesOf<T>(values: T[]): Array<{ value: T; index: number }> {
    const seen = new Set<T>();
    const out: Array<{ value: T; index: number }> = [];
    values.forEach((value, index) => {
        if (seen.has(value)) out.push({ value, index });
        seen.add(value);
    });
    return out;
}
