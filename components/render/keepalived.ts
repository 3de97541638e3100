// keepalived.conf for one holder (a container or a host), covering every VRRP
// instance of that level it holds, plus the scripts the file names. Written against
// keepalived 2.2.7: every keyword here passes `keepalived -t` without a warning.
import { Topology, VrrpInstance } from "../../model/schema";
import { hostByName, memberAddresses, placementOf, usesUnicast, vrrpMembers, VrrpMember } from "../../model/derive";
import { parseCidr } from "../../model/net";
import { keepalivedString } from "./escape";
import { file, RenderedFile } from "./file";
import { KEEPALIVED_DIR, keepalivedScript, KeepalivedScript, scriptPath } from "./keepalived-scripts";
import { trackCheckFor, trackCommand } from "./keepalived-track";

export type KeepalivedLevel = VrrpInstance["level"];
export const KEEPALIVED_CONF = `${KEEPALIVED_DIR}/keepalived.conf`;

export interface HeldInstance {
    readonly inst: VrrpInstance;
    readonly self: VrrpMember;
    readonly members: VrrpMember[];
}

/** The instances of a level that a container (by name) or a host (by name) holds. */
export function heldInstances(t: Topology, level: KeepalivedLevel, member: string): HeldInstance[] {
    const held = t.keepalived.instances
        .filter((inst) => inst.level === level)
        .flatMap((inst) => {
            const members = vrrpMembers(t, inst);
            const self = members.filter((m) => m.name === member);
            if (self.length > 1) throw new Error(`instance ${inst.name}: "${member}" names containers on ${self.map((m) => m.host).join(" and ")}; container names are unique per host only`);
            return self.length === 1 ? [{ inst, self: self[0], members }] : [];
        });
    const hosts = new Set(held.map((h) => h.self.host));
    if (hosts.size > 1) throw new Error(`"${member}" names containers on ${[...hosts].join(" and ")}; render each one by a unique name`);
    return held;
}

/** Every container (container level) or host (host level) that runs keepalived. */
export function keepalivedHolders(t: Topology, level: KeepalivedLevel): string[] {
    const names = t.keepalived.instances.filter((i) => i.level === level).flatMap((i) => vrrpMembers(t, i).map((m) => m.name));
    return [...new Set(names)];
}

/** The VIP's prefix: the Docker subnet's for an overlay VIP, the LAN's for a host VIP, /32 on macvlan. */
export function vipPrefix(t: Topology, inst: VrrpInstance, self: VrrpMember): number {
    switch (placementOf(inst)) {
        case "overlay":
            return parseCidr(t.network.subnet).prefix;
        case "macvlan":
            // A /32 adds no connected route, which would undo the container's LAN policy routing.
            return 32;
        case "host": {
            const h = hostByName(t, self.host);
            if (!h) throw new Error(`instance ${inst.name}: unknown host ${self.host}`);
            return parseCidr(h.lan.address).prefix;
        }
    }
}

function block(head: string, body: string[], indent = "    "): string[] {
    return [`${head} {`, ...body.map((l) => (l === "" ? l : indent + l)), "}"];
}

function globalDefs(member: string, held: HeldInstance[]): string[] {
    const body = [
        `router_id ${member}`,
        // Scripts run as root, and only from root-owned paths no one else can write.
        "script_user root",
        "enable_script_security",
    ];
    // Sub-second adverts are missed when the VRRP process waits behind busy work; realtime scheduling keeps them on time.
    if (held.some((h) => h.inst.advertInt < 1)) body.push("max_auto_priority");
    // No vrrp_strict: it adds iptables DROP rules for the VIP and refuses unicast peers with
    // VRRPv2 authentication; the firewall renderer owns the host's rules instead.
    return block("global_defs", body);
}

function checkName(inst: VrrpInstance): string {
    return `chk_${inst.name}`;
}

function isolationName(inst: VrrpInstance): string {
    return `chk_${inst.name}_lan`;
}

/** The isolation references a holder checks: not its own address, nor its own host's (a macvlan child cannot reach its parent's). */
export function isolationTargets(t: Topology, h: HeldInstance): string[] {
    if (!h.inst.track.enabled) return [];
    const own = new Set(memberAddresses(t, h.self));
    return h.inst.track.isolation.filter((r) => !own.has(r.address)).map((r) => `${r.address}:${r.port}`);
}

function vrrpScript(t: Topology, h: HeldInstance): string[] {
    const inst = h.inst;
    const check = trackCheckFor(t, inst);
    const tr = inst.track;
    const timing = (timeoutS: number) => [
        `interval ${tr.intervalS}`,
        `timeout ${Math.max(timeoutS, tr.intervalS)}`,
        `fall ${tr.fall}`,
        `rise ${tr.rise}`,
        // weight 0 sends a failing holder to FAULT, which moves the VIP even with nopreempt.
        `weight ${tr.weight}`,
    ];
    const out = check
        ? [`# ${inst.name}: ${check.why}.`, ...block(`vrrp_script ${checkName(inst)}`, [`script "${trackCommand(check)}"`, ...timing(check.timeoutS)])]
        : [`# ${inst.name}: nothing to check from here (no port of ${inst.fronts} is reachable locally); VRRP alone decides.`];
    const refs = isolationTargets(t, h);
    if (refs.length === 0) return out;
    return [
        ...out,
        `# ${inst.name}: this holder still reaches the LAN (one of ${refs.length} references answers); cut off, it goes to FAULT and returns as BACKUP.`,
        // "any" probes every reference at once: a round takes at most one 1 s connect timeout.
        ...block(`vrrp_script ${isolationName(inst)}`, [`script "${scriptPath("check-tcp.sh")} any ${refs.join(" ")}"`, ...timing(2)]),
    ];
}

function stateOf(h: HeldInstance): "MASTER" | "BACKUP" {
    const top = Math.max(...h.members.map((m) => m.priority));
    return h.self.priority === top ? h.inst.initialState : "BACKUP";
}

function authPass(inst: VrrpInstance, secrets: Readonly<Record<string, string>>): string[] {
    if (inst.version !== 2 || !inst.authPassSecret) return [];
    const pass = secrets[inst.authPassSecret];
    if (pass === undefined) throw new Error(`instance ${inst.name}: secret ${inst.authPassSecret} is not available`);
    return block("authentication", ["auth_type PASS", `auth_pass ${keepalivedString(pass)}`]);
}

function vrrpInstance(t: Topology, h: HeldInstance, secrets: Readonly<Record<string, string>>): string[] {
    const { inst, self, members } = h;
    const peers = members.filter((m) => m !== self).map((m) => m.address);
    const vip = `${inst.vip}/${vipPrefix(t, inst, self)}`;
    const body = [
        `state ${stateOf(h)}`,
        `interface ${self.interface}`,
        `virtual_router_id ${inst.virtualRouterId}`,
        `version ${inst.version}`,
        `priority ${self.priority}`,
        `advert_int ${inst.advertInt}`,
    ];
    if (inst.nopreempt) body.push("nopreempt");
    else if (inst.preemptDelayS !== undefined) body.push(`preempt_delay ${inst.preemptDelayS}`);
    if (inst.garpMasterRefreshS > 0) body.push(`garp_master_refresh ${inst.garpMasterRefreshS}`);
    // keepalived falls back to multicast (with a deprecation warning) when a unicast source has no peers.
    if (usesUnicast(inst) && peers.length > 0) {
        body.push(`unicast_src_ip ${self.address}`, ...block("unicast_peer", peers));
    }
    body.push(...authPass(inst, secrets));
    body.push(...block("virtual_ipaddress", [`${vip} dev ${self.interface}`]));
    const scripts = [...(trackCheckFor(t, inst) ? [checkName(inst)] : []), ...(isolationTargets(t, h).length > 0 ? [isolationName(inst)] : [])];
    if (scripts.length > 0) body.push(...block("track_script", scripts));
    body.push(`notify "${scriptPath("notify.sh")} ${vip} ${self.interface}"`);
    return block(`vrrp_instance ${inst.name}`, body);
}

/** LVS services: every real_server sits inside its virtual_server (seed 004 closed it early). */
function virtualServers(inst: VrrpInstance): string[] {
    const f = inst.forwarding;
    if (f.kind === "none") return [];
    const kind = f.kind === "lvs-nat" ? "NAT" : "DR";
    return f.services.flatMap((s) => [
        "",
        ...block(`virtual_server ${inst.vip} ${s.port}`, [
            `delay_loop ${f.delayLoopS}`,
            `lb_algo ${f.lbAlgo}`,
            `lb_kind ${kind}`,
            // One keyword with an underscore: the tutorial's "persistence timeout" is an unknown keyword.
            ...(f.persistenceTimeoutS > 0 ? [`persistence_timeout ${f.persistenceTimeoutS}`] : []),
            "protocol TCP",
            ...s.realServers.flatMap((r) =>
                block(`real_server ${r.address} ${r.port}`, [
                    `weight ${r.weight}`,
                    // retry is 2.x's name for nb_get_retry (which 2.2.7 rejects as unknown).
                    ...block("TCP_CHECK", [`connect_timeout ${f.connectTimeoutS}`, `connect_port ${r.port}`, `retry ${TCP_CHECK_RETRY}`, `delay_before_retry ${TCP_CHECK_DELAY_BEFORE_RETRY_S}`]),
                ]),
            ),
        ]),
    ]);
}

/** A dead real server leaves the pool after about connect_timeout * (1 + retry) + retry s. */
const TCP_CHECK_RETRY = 2;
const TCP_CHECK_DELAY_BEFORE_RETRY_S = 1;

export function renderKeepalivedConf(t: Topology, level: KeepalivedLevel, member: string, secrets: Readonly<Record<string, string>>): RenderedFile {
    const held = heldInstances(t, level, member);
    if (held.length === 0) throw new Error(`${member} holds no ${level}-level VRRP instance`);
    const lines = [
        `# keepalived for ${level} ${member}: ${held.map((h) => h.inst.name).join(", ")}. Rendered by ha-mysql; edits are overwritten.`,
        "",
        ...globalDefs(member, held),
        ...held.flatMap((h) => ["", ...vrrpScript(t, h)]),
        ...held.flatMap((h) => ["", ...vrrpInstance(t, h, secrets)]),
        ...held.flatMap((h) => virtualServers(h.inst)),
        "",
    ];
    // 0600: a VRRPv2 auth_pass may be in it.
    return file(KEEPALIVED_CONF, lines.join("\n"), "0600");
}

/** The scripts a holder's keepalived.conf names, each once. */
export function keepalivedScriptsFor(t: Topology, level: KeepalivedLevel, member: string): KeepalivedScript[] {
    const held = heldInstances(t, level, member);
    const checks = held.flatMap((h) => {
        const c = trackCheckFor(t, h.inst);
        return [...(c ? [c.script] : []), ...(isolationTargets(t, h).length > 0 ? (["check-tcp.sh"] as const) : [])];
    });
    const names: KeepalivedScript[] = [...checks, ...(held.length > 0 ? (["notify.sh"] as const) : [])];
    return [...new Set(names)].sort();
}

/** keepalived.conf first, then the scripts it names (mode 0755, for root). */
export function renderKeepalivedFiles(t: Topology, level: KeepalivedLevel, member: string, secrets: Readonly<Record<string, string>>): RenderedFile[] {
    const conf = renderKeepalivedConf(t, level, member, secrets);
    return [conf, ...keepalivedScriptsFor(t, level, member).map(keepalivedScript)];
}
