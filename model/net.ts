// Address helpers over ipaddr.js: every piece of address math in the project
// goes through here, so rules and renderers agree on what "inside" means.
import * as ipaddr from "ipaddr.js";

export interface Cidr {
    readonly address: string;
    readonly prefix: number;
}

export function isIPv4(text: string): boolean {
    return ipaddr.IPv4.isValidFourPartDecimal(text);
}

export function isCidr(text: string): boolean {
    const parts = text.split("/");
    if (parts.length !== 2 || !isIPv4(parts[0]) || !/^\d{1,2}$/.test(parts[1])) return false;
    return Number(parts[1]) <= 32;
}

export function parseCidr(text: string): Cidr {
    const [addr, prefix] = ipaddr.IPv4.parseCIDR(text);
    return { address: addr.toString(), prefix };
}

/** The network address of a CIDR: 172.18.0.9/24 -> 172.18.0.0. */
export function networkOf(cidr: string): string {
    return ipaddr.IPv4.networkAddressFromCIDR(cidr).toString();
}

export function broadcastOf(cidr: string): string {
    return ipaddr.IPv4.broadcastAddressFromCIDR(cidr).toString();
}

/** A CIDR normalised to its network: 172.18.0.9/24 -> 172.18.0.0/24. */
export function canonicalCidr(cidr: string): string {
    return `${networkOf(cidr)}/${parseCidr(cidr).prefix}`;
}

export function contains(cidr: string, ip: string): boolean {
    const [net, prefix] = ipaddr.IPv4.parseCIDR(cidr);
    return ipaddr.IPv4.parse(ip).match(net, prefix);
}

/** True when ip is a usable host address of cidr (not its network or broadcast address). */
export function isHostAddressOf(cidr: string, ip: string): boolean {
    if (!contains(cidr, ip)) return false;
    const { prefix } = parseCidr(cidr);
    if (prefix >= 31) return true;
    return ip !== networkOf(cidr) && ip !== broadcastOf(cidr);
}

export function overlaps(a: string, b: string): boolean {
    const pa = parseCidr(a);
    const pb = parseCidr(b);
    // Two aligned blocks overlap exactly when the wider one contains the other's network.
    return pa.prefix <= pb.prefix ? contains(a, networkOf(b)) : contains(b, networkOf(a));
}

export function toInt(ip: string): number {
    return ipaddr.IPv4.parse(ip).toByteArray().reduce((acc, byte) => acc * 256 + byte, 0);
}

export function fromInt(n: number): string {
    const bytes = [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256);
    return ipaddr.fromByteArray(bytes).toString();
}

/** Number of usable host addresses in a CIDR. */
export function hostCount(cidr: string): number {
    const { prefix } = parseCidr(cidr);
    if (prefix >= 31) return 2 ** (32 - prefix);
    return 2 ** (32 - prefix) - 2;
}

export function isMulticast(ip: string): boolean {
    return ipaddr.IPv4.parse(ip).range() === "multicast";
}
