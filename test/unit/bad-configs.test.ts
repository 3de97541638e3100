// Each bad configuration must fail with its own message that names the key path and a fix.
import { ConfigError, isWarning, warningLines } from "../../model/issues";
import { loadTopology } from "../../model/load";
import { SecretLookup } from "../../model/rules/secrets";
import { goodSecrets, loadStackFile, PROJECT, rawTopology, TEST_SSH_KEY } from "../support/stacks";

type Raw = any; // eslint-disable-line @typescript-eslint/no-explicit-any

interface BadCase {
    readonly name: string;
    readonly base?: string;
    readonly mutate?: (t: Raw) => void;
    readonly secrets?: Record<string, SecretLookup | undefined>;
    /** The formatted key the message must name, and a phrase of its explanation. */
    readonly key: string;
    readonly says: RegExp;
    /** When given, the whole message line (without its number) must be exactly this. */
    readonly exact?: string;
}

const at = (key: string) => `ha-mysql:topology.${key}`;

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
    // Shapes and per-field limits (zod): one case per issue code the loader translates, with its exact text.
    {
        name: "unknown key (unrecognized_keys)",
        mutate: (t) => (t.haproxy.stats.prot = 80),
        key: "haproxy.stats.prot",
        says: /unknown key "prot"/,
        exact: `${at("haproxy.stats.prot")} = 80: unknown key "prot". Fix: remove "prot" or correct its spelling (did you mean "port"? keys allowed here: port, uri, user, passwordSecret, publishPort)`,
    },
    {
        name: "unknown key that is not close to any allowed key",
        mutate: (t) => (t.haproxy.stats.colour = "blue"),
        key: "haproxy.stats.colour",
        says: /unknown key "colour"/,
        exact: `${at("haproxy.stats.colour")} = "blue": unknown key "colour". Fix: remove "colour" or correct its spelling (keys allowed here: port, uri, user, passwordSecret, publishPort)`,
    },
    {
        name: "misspelled password key: the value is hidden",
        mutate: (t) => (t.haproxy.stats.pasword = "x"),
        key: "haproxy.stats.pasword",
        says: /unknown key "pasword"/,
        exact: `${at("haproxy.stats.pasword")} = (hidden): unknown key "pasword"; its value may be a credential, so it is not shown. Fix: remove "pasword": credentials never go in the topology; store the value with \`pulumi config set --secret <name> <value>\` and put <name> in passwordSecret`,
    },
    { name: "inline password in topology", mutate: (t) => (t.haproxy.stats.password = "admin"), key: "haproxy.stats.password = (hidden)", says: /unknown key "password"; its value may be a credential.*put <name> in passwordSecret/ },
    { name: "private key pasted under an innocent key", mutate: (t) => (t.hosts[0].ssh.identity = TEST_SSH_KEY), key: "hosts[0].ssh.identity = (hidden)", says: /unknown key "identity"; its value may be a credential.*put <name> in privateKeySecret/ },
    { name: "random token under an innocent key", mutate: (t) => (t.hosts[0].docker.tls = "q8ZrT2vLx0Wm4NbK7yPe"), key: "hosts[0].docker.tls = (hidden)", says: /unknown key "tls"; its value may be a credential/ },
    { name: "credential nested in an unknown section", mutate: (t) => (t.haproxy.auth = { user: "admin", pass: "admin" }), key: "haproxy.auth = (hidden)", says: /unknown key "auth"/ },
    {
        name: "password typed into a *Secret field (invalid_format)",
        mutate: (t) => (t.database.pxc.rootPasswordSecret = "Pa$$w0rd-Typed-Here"),
        key: "database.pxc.rootPasswordSecret",
        says: /NAME of a Pulumi secret/,
        exact: `${at("database.pxc.rootPasswordSecret")} = (hidden): is not the name of a Pulumi secret; it may be the secret itself, so it is not shown. Fix: rootPasswordSecret takes the NAME of a Pulumi secret, not the secret itself: run \`pulumi config set --secret <name> <value>\`, then put <name> here (letters and digits, e.g. mysqlRootPassword)`,
    },
    {
        name: "password typed into a *Secret field, shaped like a name",
        mutate: (t) => (t.database.pxc.rootPasswordSecret = "Hunter2Hunter2Hunter2"),
        key: "database.pxc.rootPasswordSecret",
        says: /names no secret that is set/,
        exact: `${at("database.pxc.rootPasswordSecret")} = (hidden): names no secret that is set; it may be the secret itself, so it is not shown. Fix: rootPasswordSecret takes the NAME of a Pulumi secret, not the secret itself: run \`pulumi config set --secret <name> <value>\`, then put <name> here (letters and digits, e.g. mysqlRootPassword); if it is a secret's name already, set that secret the same way`,
        secrets: { Hunter2Hunter2Hunter2: undefined },
    },
    {
        name: "bad SSH address (custom check)",
        mutate: (t) => (t.hosts[0].ssh.address = "10.77.0"),
        key: "hosts[0].ssh.address",
        says: /IPv4 address/,
        exact: `${at("hosts[0].ssh.address")} = "10.77.0": is not an IPv4 address. Fix: set it to an IPv4 address like 172.18.0.2`,
    },
    {
        name: "port out of range (too_big)",
        mutate: (t) => (t.hosts[0].ssh.port = 70000),
        key: "hosts[0].ssh.port",
        says: /65535/,
        exact: `${at("hosts[0].ssh.port")} = 70000: is above the maximum 65535. Fix: set it to a whole number between 1 and 65535`,
    },
    {
        name: "advert interval below its minimum (too_small, number)",
        mutate: (t) => (vi(t).advertInt = 0),
        key: "keepalived.instances[0].advertInt",
        says: /below the minimum/,
        exact: `${at("keepalived.instances[0].advertInt")} = 0: is below the minimum 0.01. Fix: set it to a number between 0.01 and 255`,
    },
    {
        name: "empty node list (too_small, array)",
        mutate: (t) => (t.haproxy.nodes = []),
        key: "haproxy.nodes",
        says: /lists no items/,
        exact: `${at("haproxy.nodes")} = []: lists no items; at least 1 is required. Fix: list at least 1 item`,
    },
    {
        name: "empty image (too_small, string)",
        mutate: (t) => (t.haproxy.image = ""),
        key: "haproxy.image",
        says: /is empty/,
        exact: `${at("haproxy.image")} = "": is empty. Fix: set it to a Docker image reference without spaces, like haproxy:2.8`,
    },
    {
        name: "required key missing (invalid_type)",
        mutate: (t) => delete vi(t).virtualRouterId,
        key: "keepalived.instances[0].virtualRouterId",
        says: /is required/,
        exact: `${at("keepalived.instances[0].virtualRouterId")} = (not set): is required. Fix: set it to a whole number between 1 and 255`,
    },
    {
        name: "number in quotes (invalid_type)",
        mutate: (t) => (t.hosts[0].ssh.port = "2222"),
        key: "hosts[0].ssh.port",
        says: /not text/,
        exact: `${at("hosts[0].ssh.port")} = "2222": must be a number, not text. Fix: write it without quotes: 2222`,
    },
    {
        name: "fraction where a whole number belongs (invalid_type)",
        mutate: (t) => (vi(t).virtualRouterId = 61.5),
        key: "keepalived.instances[0].virtualRouterId",
        says: /whole number/,
        exact: `${at("keepalived.instances[0].virtualRouterId")} = 61.5: must be a whole number. Fix: set it to a whole number between 1 and 255`,
    },
    {
        name: "yes for a boolean (invalid_type)",
        mutate: (t) => (vi(t).nopreempt = "yes"),
        key: "keepalived.instances[0].nopreempt",
        says: /true or false/,
        exact: `${at("keepalived.instances[0].nopreempt")} = "yes": must be true or false, not text. Fix: set it to true or false`,
    },
    {
        name: "key left empty in YAML (invalid_type, null)",
        mutate: (t) => (t.network.subnet = null),
        key: "network.subnet",
        says: /is empty/,
        exact: `${at("network.subnet")} = null: is empty. Fix: set it to an IPv4 CIDR like 172.18.0.0/24`,
    },
    {
        name: "unknown firewall kind (invalid_value)",
        mutate: (t) => (t.hosts[0].firewall = { kind: "ufw" }),
        key: "hosts[0].firewall.kind",
        says: /not one of the accepted values/,
        exact: `${at("hosts[0].firewall.kind")} = "ufw": is not one of the accepted values. Fix: use one of: iptables, firewalld, none`,
    },
    {
        name: "enum value in the wrong case (invalid_value)",
        mutate: (t) => (vi(t).initialState = "backup"),
        key: "keepalived.instances[0].initialState",
        says: /case-sensitive/,
        exact: `${at("keepalived.instances[0].initialState")} = "backup": is not one of the accepted values. Fix: write BACKUP (the values are case-sensitive)`,
    },
    {
        name: "VRRP version 4 (invalid_union of literals)",
        mutate: (t) => (vi(t).version = 4),
        key: "keepalived.instances[0].version",
        says: /not one of the accepted values/,
        exact: `${at("keepalived.instances[0].version")} = 4: is not one of the accepted values. Fix: use one of: 2, 3`,
    },
    {
        name: "bad interface name (invalid_format)",
        mutate: (t) => (t.hosts[0].lan.interface = "eth 0"),
        key: "hosts[0].lan.interface",
        says: /interface name/,
        exact: `${at("hosts[0].lan.interface")} = "eth 0": is not a Linux interface name. Fix: set it to a Linux interface name (1-15 characters, no spaces or '/')`,
    },
    {
        name: "Galera cluster name with a space (invalid_format)",
        mutate: (t) => (t.database.pxc.clusterName = "my cluster"),
        key: "database.pxc.clusterName",
        says: /not a cluster name/,
        exact: `${at("database.pxc.clusterName")} = "my cluster": is not a cluster name. Fix: set it to a cluster name (letters, digits, '_' and '-', 1-32 characters)`,
    },
    {
        name: "section that is not a mapping (invalid_type, object)",
        mutate: (t) => (t.network = "overlay"),
        key: "network",
        says: /mapping/,
        exact: `${at("network")} = "overlay": must be a mapping of keys to values, not text. Fix: set it to a mapping of keys to values`,
    },
    { name: "LAN address without prefix", mutate: (t) => (t.hosts[0].lan.address = "10.77.0.11"), key: "hosts[0].lan.address", says: /CIDR/ },
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
    {
        name: "a shell command where a package name belongs",
        mutate: (t) => (t.hosts[0].install = { docker: { packages: ["docker.io; rm -rf /"] } }),
        key: "hosts[0].install.docker.packages[0]",
        says: /is not a package name/,
        exact: `${at("hosts[0].install.docker.packages[0]")} = "docker.io; rm -rf /": is not a package name. Fix: set it to a package name (letters, digits, '+', '.', '_', ':', '~' and '-', like docker.io)`,
    },
    { name: "an empty list of Docker packages", mutate: (t) => (t.hosts[1].install = { docker: { packages: [] } }), key: "hosts[1].install.docker.packages", says: /lists no items/ },
    {
        name: "Docker packages for a host the stack installs nothing on",
        mutate: (t) => (t.hosts[2].install = { enabled: false, docker: { packages: ["docker-ce"] } }),
        key: "hosts[2].install.docker.packages",
        says: /host lab3 has install.enabled: false/,
        exact: `${at("hosts[2].install.docker.packages")} = ["docker-ce"]: host lab3 has install.enabled: false, so the stack installs nothing there and these packages would never be installed. Fix: remove hosts[2].install.docker.packages, or set hosts[2].install.enabled: true`,
    },
    { name: "install switched off with yes", mutate: (t) => (t.hosts[0].install = { enabled: "no" }), key: "hosts[0].install.enabled", says: /must be true or false, not text/ },
    { name: "check timeout far past the check interval", mutate: (t) => (t.haproxy.timeouts = { checkMs: 5000 }), key: "haproxy.timeouts.checkMs", says: /may hang 5000 ms, far longer than the 500 ms interval.*at most 4 x interMs \(2000 ms\)/ },
    { name: "confirming checks slower than the regular ones", mutate: (t) => (t.haproxy.check = { fastinterMs: 1000 }), key: "haproxy.check.fastinterMs", says: /would come later \(1000 ms\) than the regular ones \(500 ms\).*at most interMs \(500\)/ },
    { name: "container on unknown host", mutate: (t) => (t.haproxy.nodes[0].host = "lab9"), key: "haproxy.nodes[0].host", says: /unknown host "lab9"/ },
    { name: "duplicate container name on a host", mutate: (t) => (t.haproxy.nodes[0].name = "pn1"), key: "haproxy.nodes[0].name", says: /already used on host lab1/ },
    { name: "gateway outside subnet", mutate: (t) => (t.network.gateway = "172.19.0.1"), key: "network.gateway", says: /not a usable address/ },
    { name: "gwbridge overlaps overlay", mutate: (t) => (t.network.gwbridgeSubnet = "172.18.0.0/16"), key: "network.gwbridgeSubnet", says: /overlaps network.subnet/ },
    { name: "overlay overlaps a host LAN", mutate: (t) => (t.network = { ...t.network, subnet: "10.77.0.0/16", gateway: "10.77.128.1" }), key: "network.subnet", says: /overlaps the LAN of host lab1/ },
    { name: "container subnet overlaps docker0", mutate: (t) => (t.network = { ...t.network, subnet: "172.17.0.0/24", gateway: "172.17.0.1" }), key: "network.subnet", says: /overlaps docker0 \(172\.17\.0\.0\/16\), the default bridge every Docker engine creates/ },
    { name: "container subnet overlaps the swarm's ingress network", mutate: (t) => (t.network = { ...t.network, subnet: "10.0.0.0/16", gateway: "10.0.0.1" }), key: "network.subnet", says: /overlaps ingress \(10\.0\.0\.0\/24\), the routing-mesh network/ },
    { name: "docker_gwbridge subnet overlaps docker0", mutate: (t) => (t.network.gwbridgeSubnet = "172.17.5.0/24"), key: "network.gwbridgeSubnet", says: /overlaps docker0 \(172\.17\.0\.0\/16\)/ },
    { name: "docker_gwbridge subnet is the swarm's ingress network", mutate: (t) => (t.network.gwbridgeSubnet = "10.0.0.0/24"), key: "network.gwbridgeSubnet", says: /overlaps ingress \(10\.0\.0\.0\/24\)/ },
    { name: "published port is the host's SSH port", mutate: (t) => (t.haproxy.stats.publishPort = 22), key: "haproxy.stats.publishPort", says: /host port 22 on lab1 belongs to its sshd \(hosts\[0\]\.ssh\.port\)/ },
    { name: "published port is a host's non-default SSH port", mutate: (t) => { t.hosts[1].ssh.port = 2222; t.database.dualMaster.publishPort = 2222; }, key: "database.dualMaster.publishPort", says: /host port 2222 on lab2 belongs to its sshd \(hosts\[1\]\.ssh\.port\)/ },
    { name: "published port is the swarm's gossip port", mutate: (t) => (t.haproxy.listeners[0].publishPort = 7946), key: "haproxy.listeners[0].publishPort", says: /belongs to the swarm's node-to-node gossip port/ },
    { name: "bridge network across hosts", mutate: (t) => (t.network.driver = "bridge"), key: "network.driver", says: /cannot span hosts/ },
    { name: "anchors on a bridge network", mutate: (t) => Object.assign(t.network, { driver: "bridge", anchors: true }), key: "network.anchors", says: /anchors are swarm services on the overlay network/ },
    { name: "anchors on a network that is not attachable", mutate: (t) => Object.assign(t.network, { attachable: false, anchors: true }), key: "network.anchors", says: /network.attachable is false/ },
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
    { name: "unknown listener role", mutate: (t) => (t.haproxy.listeners[0].role = "primary"), key: "haproxy.listeners[0].role", says: /Fix: use one of: write, read$/ },
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
    { name: "track weight with nopreempt", mutate: (t) => (vi(t).track.weight = -20), key: "keepalived.instances[0].track.weight", says: /with nopreempt a failing check that only shifts priority never moves the VIP/ },
    { name: "track weight with tracking off", mutate: (t) => (vi(t).track = { enabled: false, weight: -20 }), key: "keepalived.instances[0].track.weight", says: /has no effect with track.enabled: false/ },
    { name: "isolation references with tracking off", mutate: (t) => (vi(t).track.enabled = false), key: "keepalived.instances[0].track.isolation", says: /no isolation check runs with track.enabled: false/ },
    { name: "isolation reference is the VIP itself", mutate: (t) => vi(t).track.isolation.push({ address: "10.77.0.100", port: 3306 }), key: "keepalived.instances[0].track.isolation[3].address", says: /this instance's own VIP/ },
    { name: "isolation reference is a loopback address", mutate: (t) => (vi(t).track.isolation[2].address = "127.0.0.1"), key: "keepalived.instances[0].track.isolation[2].address", says: /loopback address/ },
    { name: "isolation reference is the holder host's shim", mutate: (t) => macvlanVip(t).track.isolation.push({ address: "10.77.0.41", port: 22 }), key: "keepalived.instances[1].track.isolation[3].address", says: /is the macvlan shim of lab1, where holder h1 runs/ },
    { name: "isolation reference is a container on the holder's host", mutate: (t) => macvlanVip(t).track.isolation.push({ address: "172.18.0.3", port: 9200 }), key: "keepalived.instances[1].track.isolation[3].address", says: /is container pn2 on lab2, where holder h2 runs/ },
    {
        name: "container-level VRRP on the host's LAN interface",
        base: "Pulumi.tutorial.yaml",
        mutate: (t) => t.keepalived.instances.push({ name: "VI_C", level: "container", fronts: "haproxy", virtualRouterId: 51, vip: "172.18.0.201", interface: "enp0s8" }),
        key: "keepalived.instances[1].interface",
        says: /is the LAN interface of host vm105; keepalived of a container-level instance runs inside the containers/,
    },
    {
        name: "container-level VRRP on docker_gwbridge (the tutorials' interface)",
        base: "Pulumi.tutorial.yaml",
        mutate: (t) => t.keepalived.instances.push({ name: "VI_C", level: "container", fronts: "haproxy", virtualRouterId: 51, vip: "172.18.0.201", interface: "docker_gwbridge" }),
        key: "keepalived.instances[1].interface",
        says: /is an interface Docker creates on the host/,
    },
    { name: "preempt_delay with nopreempt", mutate: (t) => (vi(t).preemptDelayS = 30), key: "keepalived.instances[0].preemptDelayS", says: /no effect with nopreempt/ },
    { name: "sub-second advert on v2", mutate: (t) => (vi(t).version = 2), key: "keepalived.instances[0].advertInt", says: /need VRRP v3/ },
    { name: "authentication on v3", mutate: (t) => (vi(t).authPassSecret = "vrrpAuthPass"), key: "keepalived.instances[0].authPassSecret", says: /VRRP v3 has no authentication/ },
    {
        name: "auth_pass longer than 8 characters",
        mutate: (t) => Object.assign(vi(t), { version: 2, advertInt: 1, authPassSecret: "vrrpAuthPass" }),
        secrets: { vrrpAuthPass: { value: "123456789", secret: true } },
        key: "ha-mysql:vrrpAuthPass",
        says: /is 9 bytes; keepalived silently truncates auth_pass to 8/,
    },
    {
        name: "auth_pass shorter than 6 characters",
        mutate: (t) => Object.assign(vi(t), { version: 2, advertInt: 1, authPassSecret: "vrrpAuthPass" }),
        secrets: { vrrpAuthPass: { value: "Vr7p", secret: true } },
        key: "ha-mysql:vrrpAuthPass",
        says: /is 4 characters, too few to keep another router off the VIP; use 6 to 8/,
    },
    ...[
        { what: "more than 8 bytes of UTF-8", value: "Vr7p\u65e5\u672c", says: /is 10 bytes; keepalived silently truncates/ },
        { what: "a double quote", value: 'Vr7"pQx2', says: /double quote, which keepalived.conf has no way to write/ },
        { what: "a trailing backslash", value: "Vr7pQx2\\", says: /ends with a backslash/ },
        { what: "a keepalived definition", value: "a${_PWD}", says: /replaces with one of its definitions/ },
    ].map((c) => ({
        name: `auth_pass with ${c.what}`,
        mutate: (t: Raw) => Object.assign(vi(t), { version: 2, advertInt: 1, authPassSecret: "vrrpAuthPass" }),
        secrets: { vrrpAuthPass: { value: c.value, secret: true } },
        key: "ha-mysql:vrrpAuthPass",
        says: c.says,
    })),
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
    { name: "password with a newline", secrets: { replicationPassword: { value: "Long-enough-but\nsecond-line", secret: true } }, key: "ha-mysql:replicationPassword", says: /contains a newline: any printable character is accepted/ },
    { name: "password with a control character", secrets: { mysqlAppPassword: { value: "Long-enough-but\u0007bell", secret: true } }, key: "ha-mysql:mysqlAppPassword", says: /not printable \(U\+0007\)/ },
    { name: "MyCat user password with a trailing space", base: "Pulumi.tutorial.yaml", secrets: { mycatAppPassword: { value: "long-enough-pass ", secret: true } }, key: "ha-mysql:mycatAppPassword", says: /MyCat trims/ },
    { name: "SSH key that is not a key", secrets: { sshPrivateKey: { value: "not-a-key-at-all-xx", secret: true } }, key: "ha-mysql:sshPrivateKey", says: /not a PEM\/OpenSSH private key/ },
    { name: "root password doubles as the SST password", mutate: (t) => (t.database.pxc.sstPasswordSecret = "mysqlRootPassword"), key: "database.pxc.sstPasswordSecret", says: /the secret mysqlRootPassword is also the password of MySQL user root \(database\.pxc\.rootPasswordSecret\)/ },
    { name: "stats page password doubles as a MySQL password", mutate: (t) => (t.haproxy.stats.passwordSecret = "mysqlAppPassword"), key: "haproxy.stats.passwordSecret", says: /the secret mysqlAppPassword is also the password of MySQL user app \(database\.pxc\.app\.passwordSecret\)/ },
    { name: "replication password doubles as root's", mutate: (t) => (t.database.dualMaster.replication = { passwordSecret: "mysqlRootPassword" }), key: "database.dualMaster.replication.passwordSecret", says: /is also the password of MySQL user root \(database\.pxc\.rootPasswordSecret\)/ },
    { name: "TLS required of clients while TLS is off", mutate: (t) => (t.tls = { enabled: false, requireForClients: true }), key: "tls.requireForClients", says: /while tls\.enabled is false: no server would offer it/ },
    {
        name: "MyCat logs in to a backend as an account that must use TLS",
        base: "Pulumi.tutorial.yaml",
        mutate: (t) => {
            t.database.pxc.app = {};
            t.mycat.dataHosts[0].writeHosts[0].user = "app";
        },
        key: "mycat.dataHosts[0].writeHosts[0].user",
        says: /MyCat connects to its backends without TLS, and app must use TLS.*Fix: give MyCat an account of its own, or set tls\.requireForClients: false/,
    },
    {
        name: "MyCat backend port 0",
        base: "Pulumi.tutorial.yaml",
        mutate: (t) => (t.mycat.dataHosts[0].writeHosts[0].address = "172.18.0.2:0"),
        key: "mycat.dataHosts[0].writeHosts[0].address",
        says: /port 0 is outside 1-65535/,
    },
    {
        name: "MyCat read host port above 65535",
        base: "Pulumi.tutorial.yaml",
        mutate: (t) => (t.mycat.dataHosts[0].writeHosts[0].readHosts = [{ host: "pn3", address: "172.18.0.4:99999" }]),
        key: "mycat.dataHosts[0].writeHosts[0].readHosts[0].address",
        says: /port 99999 is outside 1-65535/,
    },
    {
        name: "MyCat backend on a dotted address that is no IPv4 address",
        base: "Pulumi.tutorial.yaml",
        mutate: (t) => (t.mycat.dataHosts[0].writeHosts[1].address = "172.18.0.300:3306"),
        key: "mycat.dataHosts[0].writeHosts[1].address",
        says: /"172\.18\.0\.300" is not an IPv4 address/,
    },
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

/** Choices that work but weaken what the stack promises: printed, the stack is still applied. */
const warnings: BadCase[] = [
    { name: "two of three Galera nodes on one host", mutate: (t) => (t.database.pxc.nodes[2].host = "lab1"), key: "database.pxc.nodes", says: /2 of the 3 Galera nodes run on host lab1: when it goes down the remaining nodes are no majority/ },
    { name: "every Galera node on one of several hosts", mutate: (t) => t.database.pxc.nodes.forEach((n: Raw) => (n.host = "lab3")), key: "database.pxc.nodes", says: /3 of the 3 Galera nodes run on host lab3/ },
    { name: "the tutorials' three nodes on two VMs", base: "Pulumi.tutorial.yaml", key: "database.pxc.nodes", says: /2 of the 3 Galera nodes run on host vm105/ },
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
        const lines = err.message.split("\n");
        const line = lines.find((l) => l.includes(c.key) && c.says.test(l));
        expect(line).toBeDefined();
        if (c.exact) expect(lines.map((l) => l.replace(/^\s+\d+\. /, ""))).toContain(c.exact);
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

    it.each([
        ["a password in a *Secret field", (t: Raw) => (t.database.pxc.rootPasswordSecret = "Hunter2Hunter2Hunter2"), "Hunter2Hunter2Hunter2"],
        ["a password with symbols in a *Secret field", (t: Raw) => (t.haproxy.stats.passwordSecret = "Pa$$w0rd-Typed-Here"), "Pa$$w0rd-Typed-Here"],
        ["a VRRP password where its secret's name belongs, on v3", (t: Raw) => (t.keepalived.instances[0].authPassSecret = "Vx9kQ2rL"), "Vx9kQ2rL"],
        ["one password in two *Secret fields", (t: Raw) => { t.haproxy.stats.passwordSecret = "Hunter2Hunter2Hunter2"; t.database.pxc.sstPasswordSecret = "Hunter2Hunter2Hunter2"; }, "Hunter2Hunter2Hunter2"],
        ["a password under an unknown key", (t: Raw) => (t.haproxy.stats.password = "Tr0ub4dor&3x"), "Tr0ub4dor&3x"],
        ["a private key under an unknown key", (t: Raw) => (t.hosts[1].ssh.key = TEST_SSH_KEY), "b3BlbnNzaC1rZXktdjEAAAAA"],
    ])("never prints %s", (_name, mutate, typed) => {
        const raw = structuredClone(rawTopology("Pulumi.dev.yaml")) as Raw;
        mutate(raw);
        let err: ConfigError | undefined;
        try {
            loadTopology(PROJECT, raw, goodSecrets({ [typed]: undefined }));
        } catch (e) {
            err = e as ConfigError;
        }
        expect(err).toBeInstanceOf(ConfigError);
        expect(err?.message).not.toContain(typed);
        expect(err?.message).toContain("(hidden)");
    });

    it("names the key of a password with a line break and hides every part of it", () => {
        const err = failureOf({ name: "x", secrets: { mysqlRootPassword: { value: "Hidden-first-part\r\nHidden-second-part", secret: true } }, key: "", says: /./ });
        const line = err.message.split("\n").find((l) => l.includes("ha-mysql:mysqlRootPassword"));
        expect(line).toMatch(/= \(hidden\): the secret contains a carriage return/);
        expect(err.message).not.toMatch(/Hidden|first-part|second-part/);
    });

    it("accepts any printable password: quotes, backslash, $, #, !, spaces, ':', ';' and any script", () => {
        const printable = ["It's \"quoted\" \\ and $HOME", " #not-a-comment; !bang: ", "\u00e9t\u00e9 \u65e5\u672c\u8a9e \u{1f510} \u0645\u0631\u062d\u0628\u0627", "\\ends with a backslash\\"];
        for (const value of printable) {
            // Every password of the dev stack (MariaDB Galera, dual-master, HAProxy) takes the value.
            const good = goodSecrets();
            const loaded = loadTopology(PROJECT, rawTopology("Pulumi.dev.yaml"), (key) => (/Key$|^vrrp|Auth/.test(key) ? good(key) : { value, secret: true }));
            expect(Object.values(loaded.secrets).filter((v) => v === value).length).toBeGreaterThanOrEqual(6);
        }
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

describe("warnings", () => {
    const load = (c: BadCase) => {
        const raw = structuredClone(rawTopology(c.base ?? "Pulumi.dev.yaml")) as Raw;
        c.mutate?.(raw);
        return loadTopology(PROJECT, raw, goodSecrets(c.secrets));
    };

    it.each(warnings.map((c) => [c.name, c] as const))("%s: warns and still loads", (_name, c) => {
        const lines = warningLines(PROJECT, load(c).warnings);
        const line = lines.find((l) => l.includes(c.key) && c.says.test(l));
        expect(line).toBeDefined();
        expect(line).toMatch(/^warning: ha-mysql:topology\./);
        expect(line).toMatch(/Fix: \S/);
    });

    it("lists warnings after the problems and does not count them as problems", () => {
        const raw = structuredClone(rawTopology("Pulumi.dev.yaml")) as Raw;
        raw.database.pxc.nodes[2].host = "lab1";
        raw.hosts[1].name = "lab1";
        let err: ConfigError | undefined;
        try {
            loadTopology(PROJECT, raw, goodSecrets());
        } catch (e) {
            err = e as ConfigError;
        }
        expect(err).toBeInstanceOf(ConfigError);
        expect(err?.errors.every((i) => !isWarning(i))).toBe(true);
        expect(err?.warnings.length).toBeGreaterThanOrEqual(1);
        expect(err?.message).toMatch(new RegExp(`^${err?.errors.length} problem\\(s\\)`));
        expect(err?.message).toMatch(/\nand 1 warning\(s\):\n  1\. warning: ha-mysql:topology\.database\.pxc\.nodes/);
    });

    it("has nothing to say about one node per host, or about a single-host stack", () => {
        expect(loadStackFile("Pulumi.dev.yaml").warnings).toEqual([]);
        expect(loadStackFile("test/fixtures/tutorial-003.yaml").warnings).toEqual([]);
    });
});
