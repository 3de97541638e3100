// Each bad configuration must fail with its own message that names the key path and a fix.
import { ConfigError } from "../../model/issues";
import { loadTopology } from "../../model/load";
import { SecretLookup } from "../../model/rules/secrets";
import { goodSecrets, PROJECT, rawTopology } from "../support/stacks";

type Raw = any; // eslint-disable-line @typescript-eslint/no-explicit-any

interface BadCase {
    readonly name: string;
    readonly base?: string;
    readonly mutate?: (t: Raw) => void;
    readonly secrets?: Record<string, SecretLookup | undefined>;
    /** The formatted key the message must name, and a phrase of its explanation. */
    readonly key: string;
    readonly says: RegExp;
}

const vi = (t: Raw) => t.keepalived.instances[0];
const macvlanVip = (t: Raw) => t.keepalived.instances[1];
const containerVip = (t: Raw) => {
    t.hosts[1].name = "lab2";
    t.haproxy.nodes[1].host = "lab1";
    t.keepalived.instances.push({ name: "VI_C", level: "container", fronts: "haproxy", virtualRouterId: 51, vip: "172.18.0.201" });
    return t.keepalived.instances[2];
};

// Real public keys (generated once with ssh-keygen), as `ssh-keyscan` prints them.
const RSA_KEY = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDQ2GIctOxAdsa16AbJ+PEJIomjjLoRz7+ghXAp4tm0W/CdXWGmin+SODyHq8j5RlgjXRrq4d6tSWyrwTW9XS13lNc1vSpGFriH73O8YAuinmDFZbuRqQDNgK755g9vYV5UAdtMWpblpfdin5G6XVoYEVgmc5+VvPJNjnDHfDvg9wxMVR0i/tNqrb/o5pMoEakyJJ/IulbroZ0CnljHDPPKeY5TGOpHRFAiCQedjbWrgHLnaKKnF34kSUZL135nIJhvmtQqz9lHwZc4Rj6061azCwh3ToixsWIwVCz2BS4fCtC/gj3nLtYDWrN4dyADAxl/RKS0kJSPmm82ONuGxUZj";
const ED25519_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDCZ7eHnnc6sojMeaz6AYOSXN5mFaCy/UIXsu+l5k90j";

const cases: BadCase[] = [
    { name: "unknown key", mutate: (t) => (t.haproxy.stats.pasword = "x"), key: "haproxy.stats.pasword", says: /unknown key "pasword"/ },
    { name: "inline password in topology", mutate: (t) => (t.haproxy.stats.password = "admin"), key: "haproxy.stats.password", says: /unknown key "password"/ },
    { name: "bad SSH address", mutate: (t) => (t.hosts[0].ssh.address = "10.77.0"), key: "hosts[0].ssh.address", says: /IPv4 address/ },
    { name: "port out of range", mutate: (t) => (t.hosts[0].ssh.port = 70000), key: "hosts[0].ssh.port", says: /65535/ },
    { name: "bad interface name", mutate: (t) => (t.hosts[0].lan.interface = "eth 0"), key: "hosts[0].lan.interface", says: /interface name/ },
    { name: "LAN address without prefix", mutate: (t) => (t.hosts[0].lan.address = "10.77.0.11"), key: "hosts[0].lan.address", says: /CIDR/ },
    { name: "unknown firewall kind", mutate: (t) => (t.hosts[0].firewall = { kind: "ufw" }), key: "hosts[0].firewall.kind", says: /expected one of/i },
    {
        name: "ssh-rsa host key pin",
        mutate: (t) => (t.hosts[0].ssh.hostKey = RSA_KEY),
        key: "hosts[0].ssh.hostKey",
        says: /host lab1 pins an ssh-rsa key: .*SHA-1 ssh-rsa signature, which OpenSSH 8\.8 and later refuse.* Fix: pin the host's ed25519 or ECDSA key instead, e\.g\. the line `ssh-keyscan -t ed25519 10\.77\.0\.11` prints/,
    },
    { name: "host key cut short", mutate: (t) => (t.hosts[1].ssh.hostKey = ED25519_KEY.slice(0, -8)), key: "hosts[1].ssh.hostKey", says: /not a valid ssh-ed25519 public key/ },
    { name: "host key with the host name in front", mutate: (t) => (t.hosts[0].ssh.hostKey = `10.77.0.11 ${ED25519_KEY}`), key: "hosts[0].ssh.hostKey", says: /public host key line like 'ssh-ed25519 AAAA/ },
    { name: "duplicate host name", mutate: (t) => (t.hosts[1].name = "lab1"), key: "hosts[1].name", says: /used twice/ },
    { name: "duplicate LAN address", mutate: (t) => (t.hosts[2].lan.address = "10.77.0.12/24"), key: "hosts[2].lan.address", says: /given to two hosts/ },
    { name: "two swarm managers", mutate: (t) => (t.hosts[1].swarmRole = "manager"), key: "topology.hosts =", says: /2 hosts have swarmRole manager/ },
    { name: "no swarm manager", mutate: (t) => delete t.hosts[0].swarmRole, key: "topology.hosts =", says: /no host has swarmRole manager/ },
    { name: "container on unknown host", mutate: (t) => (t.haproxy.nodes[0].host = "lab9"), key: "haproxy.nodes[0].host", says: /unknown host "lab9"/ },
    { name: "duplicate container name on a host", mutate: (t) => (t.haproxy.nodes[0].name = "pn1"), key: "haproxy.nodes[0].name", says: /already used on host lab1/ },
    { name: "gateway outside subnet", mutate: (t) => (t.network.gateway = "172.19.0.1"), key: "network.gateway", says: /not a usable address/ },
    { name: "gwbridge overlaps overlay", mutate: (t) => (t.network.gwbridgeSubnet = "172.18.0.0/16"), key: "network.gwbridgeSubnet", says: /overlaps network.subnet/ },
    { name: "overlay overlaps a host LAN", mutate: (t) => (t.network = { ...t.network, subnet: "10.77.0.0/16", gateway: "10.77.128.1" }), key: "network.subnet", says: /overlaps the LAN of host lab1/ },
    { name: "bridge network across hosts", mutate: (t) => (t.network.driver = "bridge"), key: "network.driver", says: /cannot span hosts/ },
    { name: "container IP outside subnet", mutate: (t) => (t.haproxy.nodes[1].ip = "172.19.0.12"), key: "haproxy.nodes[1].ip", says: /not a usable address of network.subnet/ },
    { name: "container IP is the gateway", mutate: (t) => (t.haproxy.nodes[1].ip = "172.18.0.1"), key: "haproxy.nodes[1].ip", says: /take the network gateway/ },
    { name: "container IP is the broadcast address", mutate: (t) => (t.haproxy.nodes[1].ip = "172.18.0.255"), key: "haproxy.nodes[1].ip", says: /not a usable address/ },
    { name: "container IP in Docker's dynamic range", mutate: (t) => (t.haproxy.nodes[1].ip = "172.18.0.241"), key: "haproxy.nodes[1].ip", says: /inside the default network.dynamicRange 172.18.0.240\/28/ },
    { name: "dynamic range outside the subnet", mutate: (t) => (t.network.dynamicRange = "172.19.0.240/28"), key: "network.dynamicRange", says: /is not inside network.subnet/ },
    { name: "duplicate container IP", mutate: (t) => (t.haproxy.nodes[1].ip = "172.18.0.2"), key: "haproxy.nodes[1].ip", says: /already given to pn1/ },
    { name: "published port twice on a host", mutate: (t) => (t.haproxy.stats.publishPort = 3306), key: "haproxy.stats.publishPort", says: /published twice/ },
    { name: "even Galera node count", mutate: (t) => t.database.pxc.nodes.pop(), key: "database.pxc.nodes", says: /2 Galera node\(s\)/ },
    { name: "two bootstrap nodes", mutate: (t) => (t.database.pxc.nodes[1].bootstrap = true), key: "database.pxc.nodes", says: /2 nodes have bootstrap: true/ },
    { name: "no bootstrap node", mutate: (t) => delete t.database.pxc.nodes[0].bootstrap, key: "database.pxc.nodes", says: /no node has bootstrap/ },
    { name: "xtrabackup on MariaDB", mutate: (t) => (t.database.pxc.sstMethod = "xtrabackup-v2"), key: "database.pxc.sstMethod", says: /no xtrabackup-v2/ },
    { name: "duplicate server_id", mutate: (t) => (t.database.dualMaster.servers[1].serverId = 1), key: "database.dualMaster.servers[1].serverId", says: /server_id is shared/ },
    { name: "duplicate auto_increment_offset", mutate: (t) => (t.database.dualMaster.servers[1].autoIncrementOffset = 1), key: "database.dualMaster.servers[1].autoIncrementOffset", says: /auto_increment_offset is shared/ },
    { name: "offset above increment", mutate: (t) => (t.database.dualMaster.servers[1].autoIncrementOffset = 3), key: "database.dualMaster.servers[1].autoIncrementOffset", says: /larger than autoIncrementIncrement 2/ },
    { name: "three dual masters", mutate: (t) => t.database.dualMaster.servers.push({ name: "dm3", host: "lab3", ip: "172.18.0.23", serverId: 3, autoIncrementOffset: 2 }), key: "database.dualMaster.servers", says: /needs exactly two/ },
    { name: "listener without backend", mutate: (t) => delete t.database.dualMaster, key: "haproxy.listeners[2].backend", says: /database.dualMaster is not configured/ },
    { name: "listener port equals stats port", mutate: (t) => (t.haproxy.stats.port = 3306), key: "haproxy.stats.port", says: /bound twice/ },
    { name: "two listeners on one port", mutate: (t) => (t.haproxy.listeners[1].port = 3306), key: "haproxy.listeners[1].port", says: /port 3306 is bound twice/ },
    { name: "peer port equals a listener port", mutate: (t) => (t.haproxy.peerPort = 3308), key: "haproxy.peerPort", says: /port 3308 is bound twice/ },
    { name: "read listener published on the write listener's host port", mutate: (t) => (t.haproxy.listeners[1].publishPort = 3306), key: "haproxy.listeners[1].publishPort", says: /published twice/ },
    { name: "unknown listener role", mutate: (t) => (t.haproxy.listeners[0].role = "primary"), key: "haproxy.listeners[0].role", says: /expected one of/i },
    { name: "two listeners with one name", mutate: (t) => (t.haproxy.listeners[1].name = "pxc"), key: "haproxy.listeners[1].name", says: /listener name "pxc" is used twice/ },
    { name: "listener named like the stats page", mutate: (t) => (t.haproxy.listeners[1].name = "stats"), key: "haproxy.listeners[1].name", says: /listen stats/ },
    { name: "read listener on the dual-master pair", mutate: (t) => (t.haproxy.listeners[2].role = "read"), key: "haproxy.listeners[2].role", says: /standby that lags behind/ },
    { name: "read listener on MyCat", base: "Pulumi.tutorial.yaml", mutate: (t) => (t.haproxy.listeners[1].role = "read"), key: "haproxy.listeners[1].role", says: /balanced by their write listener/ },
    { name: "two Galera write listeners", mutate: (t) => (t.haproxy.listeners[1].role = "write"), key: "haproxy.listeners[1].role", says: /pxc has a write listener already \(pxc\)/ },
    { name: "two dual-master write listeners", mutate: (t) => t.haproxy.listeners.push({ name: "dm-too", port: 3310, backend: "dualMaster" }), key: "haproxy.listeners[3].role", says: /dualMaster has a write listener already \(dualmaster\)/ },
    { name: "Galera read listener without a write listener", mutate: (t) => t.haproxy.listeners.shift(), key: "haproxy.listeners[0].role", says: /no write listener: writers would spread/ },
    { name: "VIP outside the LAN", mutate: (t) => (vi(t).vip = "10.78.0.100"), key: "keepalived.instances[0].vip", says: /not inside the LAN of lab1/ },
    { name: "VIP equals a host address", mutate: (t) => (vi(t).vip = "10.77.0.12"), key: "keepalived.instances[0].vip", says: /already the address of host lab2/ },
    { name: "VIP equals a container address", mutate: (t) => (containerVip(t).vip = "172.18.0.11"), key: "keepalived.instances[2].vip", says: /already the address of container h1/ },
    { name: "shared virtual_router_id (the tutorials' 51 twice)", mutate: (t) => (containerVip(t).virtualRouterId = 61), key: "keepalived.instances[2].virtualRouterId", says: /shared with instance VI_HAPROXY/ },
    { name: "equal priorities (the tutorials' 100/100)", mutate: (t) => (vi(t).priorities = { lab1: 100, lab2: 100 }), key: "keepalived.instances[0].priorities", says: /share priority 100/ },
    { name: "priority for a non-holder", mutate: (t) => (vi(t).priorities = { lab1: 100, lab3: 90 }), key: "keepalived.instances[0].priorities.lab3", says: /does not hold this VIP/ },
    { name: "nopreempt with MASTER", mutate: (t) => (vi(t).initialState = "MASTER"), key: "keepalived.instances[0].initialState", says: /nopreempt works only when every node starts as BACKUP/ },
    {
        name: "isolation references only the holders",
        mutate: (t) => (vi(t).track = { isolation: [{ address: "10.77.0.11", port: 22 }, { address: "10.77.0.12", port: 22 }] }),
        key: "keepalived.instances[0].track.isolation",
        says: /every reference is a holder of this VIP/,
    },
    { name: "preempt_delay with nopreempt", mutate: (t) => (vi(t).preemptDelayS = 30), key: "keepalived.instances[0].preemptDelayS", says: /no effect with nopreempt/ },
    { name: "sub-second advert on v2", mutate: (t) => (vi(t).version = 2), key: "keepalived.instances[0].advertInt", says: /need VRRP v3/ },
    { name: "authentication on v3", mutate: (t) => (vi(t).authPassSecret = "vrrpAuthPass"), key: "keepalived.instances[0].authPassSecret", says: /VRRP v3 has no authentication/ },
    {
        name: "auth_pass longer than 8 characters",
        mutate: (t) => Object.assign(vi(t), { version: 2, advertInt: 1, authPassSecret: "vrrpAuthPass" }),
        secrets: { vrrpAuthPass: { value: "123456789", secret: true } },
        key: "ha-mysql:vrrpAuthPass",
        says: /truncates auth_pass to 8/,
    },
    { name: "overlay VIP across hosts", mutate: (t) => t.keepalived.instances.push({ name: "VI_C", level: "container", fronts: "haproxy", virtualRouterId: 51, vip: "172.18.0.201" }), key: "keepalived.instances[2].placement", says: /reachable only from the holder's own host/ },
    { name: "macvlan holder without a LAN address", mutate: (t) => delete t.haproxy.nodes[1].lanIp, key: "haproxy.nodes[1].lanIp", says: /holds a macvlan VIP but has no LAN address/ },
    { name: "macvlan LAN address off the host's LAN", mutate: (t) => (t.haproxy.nodes[0].lanIp = "10.78.0.31"), key: "haproxy.nodes[0].lanIp", says: /not a usable address of lab1's LAN 10.77.0.0\/24/ },
    { name: "LAN address on a node that holds no macvlan VIP", mutate: (t) => (t.database.pxc.nodes[0].lanIp = "10.77.0.35"), key: "database.pxc.nodes[0].lanIp", says: /holds no macvlan VIP/ },
    { name: "macvlan holder's host without a shim", mutate: (t) => delete t.hosts[1].lan.macvlanShim, key: "hosts[1].lan.macvlanShim", says: /runs a macvlan VIP holder but has no shim address/ },
    { name: "shim address of another host", mutate: (t) => (t.hosts[2].lan.macvlanShim = "10.77.0.11"), key: "hosts[2].lan.macvlanShim", says: /already the address of host lab1/ },
    { name: "macvlan holders on different LANs", mutate: (t) => { t.hosts[1].lan.address = "10.78.0.12/24"; t.hosts[1].ssh.address = "10.78.0.12"; t.hosts[1].lan.macvlanShim = "10.78.0.42"; t.haproxy.nodes[1].lanIp = "10.78.0.32"; }, key: "keepalived.instances[1].placement", says: /sit on different LANs/ },
    { name: "macvlan VIP equals a container's LAN address", mutate: (t) => (macvlanVip(t).vip = "10.77.0.32"), key: "keepalived.instances[1].vip", says: /already the address of container h2/ },
    { name: "keepalived inside the dual-master containers", mutate: (t) => t.keepalived.instances.push({ name: "VI_DM", level: "container", fronts: "dualMaster", virtualRouterId: 71, vip: "172.18.0.202" }), key: "keepalived.instances[2].level", says: /not supported/ },
    { name: "multicast between container hosts", mutate: (t) => t.keepalived.instances.push({ name: "VI_C", level: "container", fronts: "haproxy", virtualRouterId: 51, vip: "172.18.0.201", unicast: "never" }), key: "keepalived.instances[2].unicast", says: /multicast VRRP does not cross/ },
    { name: "LVS on a container instance", mutate: (t) => (containerVip(t).forwarding = { kind: "lvs-nat", services: [{ port: 3306, realServers: [{ address: "172.18.0.11", port: 3306 }] }] }), key: "keepalived.instances[2].forwarding.kind", says: /host keepalived only/ },
    {
        name: "LVS DR real server off the VIP's LAN",
        mutate: (t) => (vi(t).forwarding = { kind: "lvs-dr", services: [{ port: 3306, realServers: [{ address: "172.18.0.11", port: 3306 }] }] }),
        key: "keepalived.instances[0].forwarding.services[0].realServers[0].address",
        says: /real servers must share the VIP's LAN 10.77.0.0\/24/,
    },
    { name: "VIP with one holder", mutate: (t) => t.haproxy.nodes.pop(), key: "keepalived.instances[0].fronts", says: /nothing to fail over to/ },
    { name: "secret missing", secrets: { mysqlRootPassword: undefined }, key: "database.pxc.rootPasswordSecret", says: /ha-mysql:mysqlRootPassword, which is not set/ },
    { name: "password in plaintext in the stack file", secrets: { haproxyStatsPassword: { value: "Plain-Text-Password-1", secret: false } }, key: "ha-mysql:haproxyStatsPassword", says: /stored in plaintext/ },
    { name: "tutorial default password", secrets: { haproxyStatsPassword: { value: "abc123456", secret: true } }, key: "ha-mysql:haproxyStatsPassword", says: /well-known default/ },
    { name: "short password", secrets: { replicationPassword: { value: "Short-1", secret: true } }, key: "ha-mysql:replicationPassword", says: /at least 12 are required/ },
    { name: "password with a quote", secrets: { replicationPassword: { value: "Long-enough-but'quote", secret: true } }, key: "ha-mysql:replicationPassword", says: /only letters, digits/ },
    { name: "SSH key that is not a key", secrets: { sshPrivateKey: { value: "not-a-key-at-all-xx", secret: true } }, key: "ha-mysql:sshPrivateKey", says: /not a PEM\/OpenSSH private key/ },
    {
        name: "MyCat user on an unknown schema",
        base: "Pulumi.tutorial.yaml",
        mutate: (t) => (t.mycat.users[0].schemas = ["nosuch"]),
        key: "mycat.users[0].schemas[0]",
        says: /unknown schema "nosuch"/,
    },
    {
        name: "MyCat table on an unknown data node",
        base: "Pulumi.tutorial.yaml",
        mutate: (t) => (t.mycat.schemas[0].tables[0].dataNodes = ["dn1", "dn9"]),
        key: "mycat.schemas[0].tables[0].dataNodes[1]",
        says: /unknown data node "dn9"/,
    },
];

function failureOf(c: BadCase): ConfigError {
    const raw = structuredClone(rawTopology(c.base ?? "Pulumi.dev.yaml")) as Raw;
    c.mutate?.(raw);
    try {
        loadTopology(PROJECT, raw, goodSecrets(c.secrets));
    } catch (e) {
        if (e instanceof ConfigError) return e;
        throw e;
    }
    throw new Error(`config was accepted: ${c.name}`);
}

describe("bad configurations", () => {
    it("has at least 30 cases", () => expect(cases.length).toBeGreaterThanOrEqual(30));

    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
        const err = failureOf(c);
        const line = err.message.split("\n").find((l) => l.includes(c.key) && c.says.test(l));
        expect(line).toBeDefined();
        expect(line).toMatch(/Fix: \S/);
        expect(line).toMatch(/= \S/);
    });

    it("gives every case a distinct message", () => {
        const lines = cases.map((c) => failureOf(c).message.split("\n").find((l) => l.includes(c.key) && c.says.test(l)));
        expect(new Set(lines).size).toBe(cases.length);
    });

    it("never prints a secret value", () => {
        const secret = "abc123456";
        const err = failureOf({ name: "x", secrets: { haproxyStatsPassword: { value: secret, secret: true } }, key: "", says: /./ });
        expect(err.message).not.toContain(secret);
    });

    it("reports every problem together", () => {
        const raw = structuredClone(rawTopology("Pulumi.dev.yaml")) as Raw;
        raw.hosts[1].name = "lab1";
        raw.database.pxc.nodes[1].bootstrap = true;
        raw.keepalived.instances[0].version = 2;
        let err: ConfigError | undefined;
        try {
            loadTopology(PROJECT, raw, goodSecrets({ mysqlRootPassword: undefined }));
        } catch (e) {
            err = e as ConfigError;
        }
        expect(err?.issues.length).toBeGreaterThanOrEqual(4);
    });
});
