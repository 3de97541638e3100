// Host firewall rules that let VRRP through (multicast 224.0.0.18 and the unicast
// peers) and admit the host's extra TCP ports. One rule list feeds three outputs: an
// iptables-restore document (for validation), and idempotent apply/remove scripts for
// iptables or firewalld direct rules.
import { Host, Topology } from "../../model/schema";
import { hostByName, vrrpMembers } from "../../model/derive";
import { RenderedFile, script } from "./file";

export const FIREWALL_APPLY = "/var/lib/ha-mysql/firewall-apply.sh";
export const FIREWALL_REMOVE = "/var/lib/ha-mysql/firewall-remove.sh";

/** VRRP's IANA multicast group (RFC 5798). */
export const VRRP_GROUP = "224.0.0.18";
const TAG = ["-m", "comment", "--comment", "ha-mysql"];

export interface FirewallRule {
    readonly chain: "INPUT" | "OUTPUT";
    /** iptables match/target arguments after the chain name. */
    readonly args: string[];
}

export interface FirewallScripts {
    readonly apply: RenderedFile;
    readonly remove: RenderedFile;
}

function firewallInterface(h: Host): string {
    return h.firewall.interface ?? h.lan.interface;
}

/** Peers this host exchanges unicast adverts with: the other holders of its host-level instances. */
export function unicastPeersOf(t: Topology, hostName: string): string[] {
    const peers = t.keepalived.instances
        .filter((i) => i.level === "host" && i.unicast !== "never")
        .flatMap((i) => {
            const members = vrrpMembers(t, i);
            return members.some((m) => m.host === hostName) ? members.filter((m) => m.host !== hostName).map((m) => m.address) : [];
        });
    return [...new Set(peers)];
}

/** True when keepalived on this host speaks VRRP on its LAN (container adverts never reach the host's INPUT chain). */
function speaksVrrp(t: Topology, hostName: string): boolean {
    return t.keepalived.instances.some((i) => i.level === "host" && vrrpMembers(t, i).some((m) => m.host === hostName));
}

export function firewallRules(t: Topology, hostName: string): FirewallRule[] {
    const h = hostByName(t, hostName);
    if (!h) throw new Error(`unknown host ${hostName}`);
    const dev = firewallInterface(h);
    const rules: FirewallRule[] = [];
    if (h.firewall.admitVrrp && speaksVrrp(t, hostName)) {
        const vrrp = (chain: FirewallRule["chain"], dir: "-s" | "-d", addr: string): FirewallRule => ({
            chain,
            args: [chain === "INPUT" ? "-i" : "-o", dev, "-p", "vrrp", dir, addr, ...TAG, "-j", "ACCEPT"],
        });
        rules.push(vrrp("INPUT", "-d", VRRP_GROUP), vrrp("OUTPUT", "-d", VRRP_GROUP));
        for (const peer of unicastPeersOf(t, hostName)) rules.push(vrrp("INPUT", "-s", peer), vrrp("OUTPUT", "-d", peer));
    }
    for (const port of [...new Set(h.firewall.ports)]) {
        rules.push({ chain: "INPUT", args: ["-i", dev, "-p", "tcp", "-m", "tcp", "--dport", String(port), ...TAG, "-j", "ACCEPT"] });
    }
    return rules;
}

/** Quotes an argument for sh only when it needs it (the rule arguments are plain words). */
function sh(arg: string): string {
    return /^[A-Za-z0-9_.,:/@%+=-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function words(r: FirewallRule): string {
    return [r.chain, ...r.args].map(sh).join(" ");
}

/**
 * The host's rules as a complete iptables-restore document, for `iptables-restore --test`.
 * Not for restoring on a host: restore without --noflush would drop every other rule.
 */
export function iptablesRulesFor(t: Topology, hostName: string): string {
    const lines = ["*filter", ...firewallRules(t, hostName).map((r) => `-A ${words(r)}`), "COMMIT", ""];
    return lines.join("\n");
}

const HEADER = (what: string) => `#!/bin/sh
# ${what} Rendered by ha-mysql; safe to run again.
set -eu
`;

function iptablesApply(rules: FirewallRule[]): string {
    const body = rules.map((r) => `add ${words(r)}`);
    return `${HEADER("Admits VRRP and this host's ports with iptables (check with -C before inserting).")}
add() {
    if iptables -C "$@" 2>/dev/null; then
        echo "present: $*"
    else
        iptables -I "$@"
        echo "added: $*"
    fi
}
${body.join("\n")}
`;
}

function iptablesRemove(rules: FirewallRule[]): string {
    const body = rules.map((r) => `del ${words(r)}`);
    return `${HEADER("Removes the rules firewall-apply.sh added.")}
del() {
    while iptables -C "$@" 2>/dev/null; do
        iptables -D "$@"
        echo "removed: $*"
    done
}
${body.join("\n")}
`;
}

/**
 * firewalld owns the ruleset, so the same rules go in as direct rules: permanent (they
 * survive reboots) and then a reload only when something changed, since a reload drops
 * Docker's chains (the component restarts Docker afterwards). A rule already permanent but
 * missing from the running set is added at run time, without a reload.
 */
function firewalldApply(rules: FirewallRule[]): string {
    const body = rules.map((r) => `add ${words(r)}`);
    return `${HEADER("Admits VRRP and this host's ports as firewalld direct rules.")}
changed=0
add() {
    chain=$1
    shift
    if firewall-cmd --permanent --direct --query-rule ipv4 filter "$chain" 0 "$@" >/dev/null 2>&1; then
        if ! firewall-cmd --direct --query-rule ipv4 filter "$chain" 0 "$@" >/dev/null 2>&1; then
            firewall-cmd --direct --add-rule ipv4 filter "$chain" 0 "$@" >/dev/null
            echo "added at run time: $chain $*"
        else
            echo "present: $chain $*"
        fi
    else
        firewall-cmd --permanent --direct --add-rule ipv4 filter "$chain" 0 "$@" >/dev/null
        changed=1
        echo "added: $chain $*"
    fi
}
${body.join("\n")}
if [ "$changed" = 1 ]; then
    firewall-cmd --reload >/dev/null
    echo "firewalld reloaded"
fi
`;
}

function firewalldRemove(rules: FirewallRule[]): string {
    const body = rules.map((r) => `del ${words(r)}`);
    return `${HEADER("Removes the firewalld direct rules firewall-apply.sh added, permanent and running.")}
del() {
    chain=$1
    shift
    if firewall-cmd --permanent --direct --query-rule ipv4 filter "$chain" 0 "$@" >/dev/null 2>&1; then
        firewall-cmd --permanent --direct --remove-rule ipv4 filter "$chain" 0 "$@" >/dev/null
        echo "removed permanent: $chain $*"
    fi
    if firewall-cmd --direct --query-rule ipv4 filter "$chain" 0 "$@" >/dev/null 2>&1; then
        firewall-cmd --direct --remove-rule ipv4 filter "$chain" 0 "$@" >/dev/null
        echo "removed: $chain $*"
    fi
}
${body.join("\n")}
`;
}

/** Apply and remove scripts for a host, or undefined when its firewall is `none` or there is nothing to admit. */
export function renderFirewall(t: Topology, hostName: string): FirewallScripts | undefined {
    const h = hostByName(t, hostName);
    if (!h) throw new Error(`unknown host ${hostName}`);
    if (h.firewall.kind === "none") return undefined;
    const rules = firewallRules(t, hostName);
    if (rules.length === 0) return undefined;
    const [apply, remove] = h.firewall.kind === "iptables" ? [iptablesApply(rules), iptablesRemove(rules)] : [firewalldApply(rules), firewalldRemove(rules)];
    return { apply: script(FIREWALL_APPLY, apply), remove: script(FIREWALL_REMOVE, remove) };
}
