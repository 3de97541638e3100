// Host firewall rules that let VRRP through (multicast 224.0.0.18 and the unicast peers) and
// admit what the stack needs from the LAN (model/host-requirements.ts hostAdmissions): the swarm's
// ports from the other hosts, the host's published ports and LVS services, and the extra TCP ports
// of firewall.ports. One rule list feeds three outputs: an iptables-restore document (for
// validation), and idempotent apply/remove scripts for iptables, or for firewalld, where VRRP goes
// in as direct rules and the ports as rich rules of the interface's zone.
import { Host, Topology } from "../../model/schema";
import { hostByName, vrrpMembers } from "../../model/derive";
import { Admission, hostAdmissions, speaksVrrp } from "../../model/host-requirements";
import { RenderedFile, script } from "./file";

export const FIREWALL_APPLY = "/var/lib/ha-mysql/firewall-apply.sh";
export const FIREWALL_REMOVE = "/var/lib/ha-mysql/firewall-remove.sh";
/** The firewalld zone the apply script put its rich rules in, for the remove script. */
export const FIREWALLD_ZONE_FILE = "/var/lib/ha-mysql/firewalld-zone";

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

function hostOf(t: Topology, hostName: string): Host {
    const h = hostByName(t, hostName);
    if (!h) throw new Error(`unknown host ${hostName}`);
    return h;
}

/** VRRP to 224.0.0.18 and from/to each unicast peer, in and out of the firewall interface. */
export function vrrpRules(t: Topology, hostName: string): FirewallRule[] {
    const h = hostOf(t, hostName);
    if (!h.firewall.admitVrrp || !speaksVrrp(t, hostName)) return [];
    const dev = firewallInterface(h);
    const vrrp = (chain: FirewallRule["chain"], dir: "-s" | "-d", addr: string): FirewallRule => ({
        chain,
        args: [chain === "INPUT" ? "-i" : "-o", dev, "-p", "vrrp", dir, addr, ...TAG, "-j", "ACCEPT"],
    });
    const rules = [vrrp("INPUT", "-d", VRRP_GROUP), vrrp("OUTPUT", "-d", VRRP_GROUP)];
    for (const peer of unicastPeersOf(t, hostName)) rules.push(vrrp("INPUT", "-s", peer), vrrp("OUTPUT", "-d", peer));
    return rules;
}

/** An admission as an iptables INPUT rule on the firewall interface. */
function admissionRule(dev: string, a: Admission): FirewallRule {
    return { chain: "INPUT", args: ["-i", dev, ...(a.from ? ["-s", a.from] : []), "-p", a.protocol, "-m", a.protocol, "--dport", String(a.port), ...TAG, "-j", "ACCEPT"] };
}

/**
 * A firewalld rich rule for an admission. firewalld's nftables backend (Debian 12, RHEL 8 and
 * later) still rejects what a direct rule accepts when the zone does not admit it, so ports go
 * into the zone itself.
 */
export function richRule(a: Admission): string {
    return `rule family="ipv4"${a.from ? ` source address="${a.from}"` : ""} port port="${a.port}" protocol="${a.protocol}" accept`;
}

/**
 * VRRP as firewalld rich rules of the zone, next to the direct rules: on the nftables backend the
 * zone rejects VRRP a direct rule accepted, and both holders would then take the VIP.
 */
export function vrrpRichRules(vrrp: FirewallRule[]): string[] {
    return vrrp
        .filter((r) => r.chain === "INPUT")
        .map((r) => {
            const i = r.args.findIndex((a) => a === "-d" || a === "-s");
            const where = r.args[i] === "-d" ? "destination" : "source";
            return `rule family="ipv4" ${where} address="${r.args[i + 1]}" protocol value="vrrp" accept`;
        });
}

/** Every rule of the host in iptables form: VRRP, then the admissions. */
export function firewallRules(t: Topology, hostName: string): FirewallRule[] {
    const h = hostOf(t, hostName);
    const dev = firewallInterface(h);
    return [...vrrpRules(t, hostName), ...hostAdmissions(t, hostName).map((a) => admissionRule(dev, a))];
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
    return `${HEADER("Admits VRRP and what this host serves on the LAN with iptables (check with -C before inserting).")}
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
 * Every firewall-cmd run starts a Python interpreter and talks to firewalld over D-Bus, which
 * costs seconds on a small VM: the scripts list each rule set once, compare with grep, and give
 * firewall-cmd all the rich rules a set lacks (or holds, to remove) in one run. firewalld lists
 * rules in the words they are rendered in: its canonical rich-rule form, and a direct rule's
 * family, table, chain, priority and arguments.
 */
const LISTED = `# Whether line $1 is one of the lines of $2.
listed() { printf '%s\\n' "$2" | grep -qxF -- "$1"; }`;

/** Both sets of direct rules, listed once. */
const LIST_DIRECT = `direct_permanent=$(firewall-cmd --permanent --direct --get-all-rules)
direct_runtime=$(firewall-cmd --direct --get-all-rules)`;

/**
 * Both sets of the zone's rich rules, listed once, and \`rich SET OP RULE...\`: SET is permanent
 * or runtime, OP add (the rules the set lacks) or remove (the rules it holds), in one run.
 */
const RICH_SETS = `rich_permanent=$(firewall-cmd --permanent --zone="$zone" --list-rich-rules)
rich_runtime=$(firewall-cmd --zone="$zone" --list-rich-rules)
rich() {
    set_=$1
    op=$2
    shift 2
    if [ "$set_" = permanent ]; then have=$rich_permanent; opt=--permanent; else have=$rich_runtime; opt=; fi
    for r do
        shift
        if listed "$r" "$have"; then
            if [ "$op" = add ]; then
                echo "present ($set_) in zone $zone: $r"
            else
                set -- "$@" "--remove-rich-rule=$r"
                echo "removed ($set_) from zone $zone: $r"
            fi
        elif [ "$op" = add ]; then
            set -- "$@" "--add-rich-rule=$r"
            echo "added ($set_) in zone $zone: $r"
        fi
    done
    # shellcheck disable=SC2086 # $opt is one word or none
    if [ "$#" -gt 0 ]; then firewall-cmd $opt --zone="$zone" "$@" >/dev/null; fi
}`;

/**
 * VRRP goes in as direct rules and the admissions as rich rules of the zone the firewall interface
 * is in (else the default zone), both permanent so that they survive reboots. Rich rules go into
 * the running set too, so they need no reload; a new direct rule reloads once at the end, and a
 * reload drops Docker's chains (the component restarts Docker afterwards). A direct rule already
 * permanent but missing from the running set is added at run time, without a reload.
 */
function firewalldApply(vrrp: FirewallRule[], rich: string[], dev: string): string {
    const richPart =
        rich.length === 0
            ? ""
            : `${ZONE_OF(dev)}
printf '%s\\n' "$zone" >${FIREWALLD_ZONE_FILE}
${RICH_SETS}
for set_ in permanent runtime; do
    rich "$set_" add \\
${rich.map((r) => `        ${sh(r)}`).join(" \\\n")}
done
`;
    const directPart =
        vrrp.length === 0
            ? ""
            : `${LIST_DIRECT}
add() {
    chain=$1
    shift
    if listed "ipv4 filter $chain 0 $*" "$direct_permanent"; then
        if listed "ipv4 filter $chain 0 $*" "$direct_runtime"; then
            echo "present: $chain $*"
        else
            firewall-cmd --direct --add-rule ipv4 filter "$chain" 0 "$@" >/dev/null
            touched=1
            echo "added at run time: $chain $*"
        fi
    else
        firewall-cmd --permanent --direct --add-rule ipv4 filter "$chain" 0 "$@" >/dev/null
        changed=1
        touched=1
        echo "added: $chain $*"
    fi
}
${vrrp.map((r) => `add ${words(r)}`).join("\n")}
`;
    // firewalld accepts a direct rule it cannot run (its ipv4 backend is iptables, which a host
    // without Docker may lack) and says so only in its log: the rules added are looked for again.
    const directCheck =
        vrrp.length === 0
            ? ""
            : `if [ "$touched" = 1 ]; then
    direct_runtime=$(firewall-cmd --direct --get-all-rules)
    missing=0
    running() {
        chain=$1
        shift
        if ! listed "ipv4 filter $chain 0 $*" "$direct_runtime"; then
            echo "firewalld holds the direct rule $chain $* but does not run it: its ipv4 backend needs iptables (journalctl -u firewalld: INVALID_IPV)" >&2
            missing=1
        fi
    }
${vrrp.map((r) => `    running ${words(r)}`).join("\n")}
    [ "$missing" = 0 ] || exit 1
fi
`;
    return `${HEADER(vrrp.length === 0 ? "Admits this host's ports as firewalld rich rules." : "Admits VRRP as firewalld direct and rich rules and this host's ports as rich rules.")}
changed=0
touched=0
${LISTED}
${richPart}${directPart}if [ "$changed" = 1 ]; then
    firewall-cmd --reload >/dev/null
    echo "firewalld reloaded"
fi
${directCheck}`;
}

/** The zone of the firewall interface, else the default zone, into $zone. */
const ZONE_OF = (dev: string) => `zone=$(firewall-cmd --get-zone-of-interface=${sh(dev)} 2>/dev/null) || zone=$(firewall-cmd --get-default-zone)`;

/**
 * Both kinds of rule through one `del` (a direct rule's chain, or `rich` and the rule), so that
 * an update takes out exactly the lines the new script lacks (undoObsolete). A direct rule goes
 * at once; rich rules are collected and go when the script ends, in one firewall-cmd run per
 * set, out of the zone the apply script recorded.
 */
function firewalldRemove(vrrp: FirewallRule[], rich: string[], dev: string): string {
    const body = [...vrrp.map((r) => `del ${words(r)}`), ...rich.map((r) => `del rich ${sh(r)}`)];
    const zone =
        rich.length === 0
            ? ""
            : `zone=$(cat ${FIREWALLD_ZONE_FILE} 2>/dev/null) || zone=
[ -n "$zone" ] || ${ZONE_OF(dev)}
${RICH_SETS}
`;
    return `${HEADER("Removes the firewalld rules firewall-apply.sh added, permanent and running.")}
${LISTED}
${vrrp.length === 0 ? "" : `${LIST_DIRECT}\n`}${zone}gone=$(mktemp)
remove_gone() {
    if [ -s "$gone" ]; then
        for set_ in permanent runtime; do
            set --
            while IFS= read -r r; do set -- "$@" "$r"; done <"$gone"
            rich "$set_" remove "$@"
        done
    fi
    rm -f "$gone"
}
# The collected rich rules go however the script ends; a failure to remove them fails it.
on_exit() {
    st=$?
    remove_gone || st=1
    exit "$st"
}
trap on_exit EXIT
del() {
    if [ "$1" = rich ]; then
        printf '%s\\n' "$2" >>"$gone"
        return 0
    fi
    chain=$1
    shift
    if listed "ipv4 filter $chain 0 $*" "$direct_permanent"; then
        firewall-cmd --permanent --direct --remove-rule ipv4 filter "$chain" 0 "$@" >/dev/null
        echo "removed permanent: $chain $*"
    fi
    if listed "ipv4 filter $chain 0 $*" "$direct_runtime"; then
        firewall-cmd --direct --remove-rule ipv4 filter "$chain" 0 "$@" >/dev/null
        echo "removed: $chain $*"
    fi
}
${body.join("\n")}
`;
}

/** Apply and remove scripts for a host, or undefined when its firewall is `none` or there is nothing to admit. */
export function renderFirewall(t: Topology, hostName: string): FirewallScripts | undefined {
    const h = hostOf(t, hostName);
    if (h.firewall.kind === "none") return undefined;
    const rules = firewallRules(t, hostName);
    if (rules.length === 0) return undefined;
    const dev = firewallInterface(h);
    if (h.firewall.kind === "iptables") return { apply: script(FIREWALL_APPLY, iptablesApply(rules)), remove: script(FIREWALL_REMOVE, iptablesRemove(rules)) };
    const vrrp = vrrpRules(t, hostName);
    const rich = [...vrrpRichRules(vrrp), ...hostAdmissions(t, hostName).map(richRule)];
    return { apply: script(FIREWALL_APPLY, firewalldApply(vrrp, rich, dev)), remove: script(FIREWALL_REMOVE, firewalldRemove(vrrp, rich, dev)) };
}
