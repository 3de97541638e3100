// The one typed model of the topology. Shapes and per-field limits live here;
// rules that relate several fields live in rules/, one small function each.
// Every description below ends up in docs/configuration.md's reference (a test checks it).
import { z } from "zod";
import { isCidr, isIPv4 } from "./net";

const ipv4 = z
    .string()
    .refine(isIPv4, { message: "must be an IPv4 address like 172.18.0.2" })
    .describe("IPv4 address");
const cidr = z
    .string()
    .refine(isCidr, { message: "must be an IPv4 CIDR like 172.18.0.0/24" })
    .describe("IPv4 CIDR");
const name = z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,30}$/, { message: "must be lowercase letters, digits and '-', starting with a letter, at most 31 characters" });
const ifname = z
    .string()
    .regex(/^[A-Za-z0-9_.:@-]{1,15}$/, { message: "must be a Linux interface name (1-15 characters, no spaces or '/')" });
const port = z.number().int().min(1).max(65535);
/** The name of a top-level stack config key that holds a secret (`pulumi config set --secret <name> ...`). */
const secretRef = z
    .string()
    .regex(/^[a-zA-Z][a-zA-Z0-9]{0,62}$/, { message: "must be the name of a Pulumi secret (letters and digits, e.g. mysqlRootPassword)" });
const image = z.string().min(1).regex(/^\S+$/, { message: "must be a Docker image reference without spaces, like haproxy:2.8" });
/** MyCat's names for schemas, tables, data nodes and data hosts. */
const mycatName = z.string().regex(/^[A-Za-z0-9_]{1,64}$/, { message: "must be a name of letters, digits and '_' (1-64 characters)" });
const hostPort = z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, { message: "must be host:port, like 172.18.0.2:3306" });
/** A Debian or RPM package name, as apt-get, dnf and yum take it on their command line. */
const packageName = z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9+._:~-]{0,127}$/, { message: "must be a package name (letters, digits, '+', '.', '_', ':', '~' and '-', like docker.io)" });
const sqlUser = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,31}$/, { message: "must be a MySQL user name: letters, digits, '_', at most 32 characters" });

export const HostSchema = z.strictObject({
    name: name.describe("Host name, unique; other sections place containers on hosts by this name."),
    ssh: z.strictObject({
        address: ipv4.describe("Address the SSH connection dials."),
        port: port.default(22).describe("SSH port."),
        user: z
            .string()
            .regex(/^[a-z_][a-z0-9_-]{0,31}$/, { message: "must be a Unix user name (lowercase letters, digits, '_' and '-', at most 32 characters)" })
            .default("root").describe("SSH user (root, or a user with passwordless sudo)."),
        privateKeySecret: secretRef.default("sshPrivateKey").describe("Secret config key holding the PEM/OpenSSH private key."),
        hostKey: z
            .string()
            .regex(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521) [A-Za-z0-9+/=]+$/, {
                message: "must be a public host key line like 'ssh-ed25519 AAAA...' (from ssh-keyscan, without the host name)",
            })
            .optional()
            .describe(
                "Pinned SSH host key, 'ssh-ed25519 AAAA...' or 'ecdsa-sha2-nistp256 AAAA...' as `ssh-keyscan -t ed25519 <address>` prints it (without the host name). Every SSH connection of the stack, the Docker provider's included, then accepts this key only, and a first step per host refuses a host presenting another one, naming both fingerprints. An ssh-rsa key is refused: pinned, it cannot connect to OpenSSH 8.8 or later. Unset: any host key is accepted (docs/security.md).",
            ),
        dialRetries: z.number().int().min(1).max(100).default(10).describe("Dial attempts before the connection is given up."),
    }),
    lan: z.strictObject({
        interface: ifname.describe("LAN interface of the host (VRRP and host-level VIPs live on it)."),
        address: cidr.describe("The host's LAN address with prefix, e.g. 192.168.56.105/24."),
        macvlanShim: ipv4
            .optional()
            .describe(
                "Address of this host's macvlan shim interface (placement macvlan): a host cannot reach its own macvlan containers through its LAN interface, so the stack adds a macvlan interface with this address and routes the containers' LAN addresses and the VIPs through it. Required on hosts running a macvlan VIP holder.",
            ),
    }),
    swarmRole: z.enum(["manager", "worker"]).default("worker").describe("Docker swarm role; exactly one host is the manager that runs `swarm init`."),
    docker: z
        .strictObject({
            host: z
                .string()
                .regex(/^(ssh|unix|tcp):\/\/\S+$/, { message: "must be an ssh://, unix:// or tcp:// Docker host URL" })
                .optional()
                .describe(
                    "Docker API endpoint; default ssh://<user>@<address>:<port>. At ssh:// the machine's ssh logs in with the stack's private key only and accepts the pinned host key only (ssh.hostKey; docs/security.md), from files the program writes under ~/.ha-mysql/ssh.",
                ),
        })
        .default({})
        .describe("How Pulumi's Docker provider reaches this host's engine."),
    firewall: z
        .strictObject({
            kind: z
                .enum(["iptables", "firewalld", "none"])
                .default("iptables")
                .describe(
                    "Firewall tool that admits VRRP, the Docker swarm's ports from the other hosts, this host's published ports and LVS services, and firewall.ports; none: the stack leaves the host's firewall alone.",
                ),
            interface: ifname.optional().describe("Interface the rules apply to; default the LAN interface."),
            admitVrrp: z.boolean().default(true).describe("Admit VRRP (IP protocol 112) to 224.0.0.18 and from unicast peers."),
            ports: z.array(port).default([]).describe("Extra TCP ports to admit on this host."),
        })
        .default({ kind: "iptables", admitVrrp: true, ports: [] })
        .describe("Host firewall."),
    install: z
        .strictObject({
            enabled: z
                .boolean()
                .default(true)
                .describe(
                    "Install what the host lacks of what the stack runs there (the Docker engine, keepalived, ipvsadm, firewalld or iptables) with its package manager (apt-get, dnf or yum), and enable and start Docker (and firewalld) under systemd. A piece already present is never installed again, and installed packages stay on destroy. false: the stack installs and starts nothing, so every piece must be present and Docker (and firewalld) running; the preflight step names what is missing.",
                ),
            docker: z
                .strictObject({
                    packages: z
                        .array(packageName)
                        .min(1)
                        .optional()
                        .describe("Packages that provide the Docker engine; default docker.io and apparmor with apt-get (Debian, Ubuntu; packages install without their Recommends), docker-ce with dnf or yum (from Docker's repository, which the host must have configured)."),
                })
                .default({})
                .describe("The Docker engine's packages."),
        })
        .default({ enabled: true, docker: {} })
        .describe("What the stack installs on this host when it is missing (docs/components.md#bare-hosts)."),
});

export const NetworkSchema = z.strictObject({
    name: name.default("net1").describe("Docker network name."),
    driver: z
        .enum(["overlay", "bridge"])
        .default("overlay")
        .describe("overlay (swarm, attachable, spans hosts) or bridge (a single Docker host, as tutorial 003)."),
    subnet: cidr.default("172.18.0.0/24").describe("Container subnet; outside docker0 (172.17.0.0/16) and, on an overlay, the swarm's ingress network (10.0.0.0/24)."),
    gateway: ipv4.default("172.18.0.1").describe("Gateway address inside the subnet (never given to a container)."),
    attachable: z.boolean().default(true).describe("Overlay only: standalone containers may attach (required for this stack's containers)."),
    anchors: z
        .boolean()
        .default(false)
        .describe(
            "Overlay only: before the stack's containers attach, a one-task swarm service (<name>-anchor-<host>) runs on the network on each host that has containers, so the host holds the network when they attach. For hosts too slow to attach their first container within dockerd's fixed 20 s deadline (software emulation); the service runs the image of the host's first container (a database where it has one) asleep.",
        ),
    dynamicRange: cidr
        .optional()
        .describe(
            "Part of the subnet Docker hands out by itself (a swarm overlay takes one address per host for its load-balancer endpoint); static container addresses and VIPs stay outside it. Default: the last sixteenth of the subnet (172.18.0.240/28 for a /24).",
        ),
    gwbridgeSubnet: cidr
        .default("10.201.0.0/24")
        .describe("Subnet for each host's docker_gwbridge, created before `swarm init` so it never takes the overlay's range (Docker's own default would be the next free pool, often 172.18.0.0/16); outside docker0 and the ingress network."),
});

const containerNode = z.strictObject({
    name: name.describe("Container name, unique per host."),
    host: name.describe("Host (hosts[].name) the container runs on."),
    ip: ipv4.describe("Static address on the Docker network."),
    lanIp: ipv4.optional().describe("Address on the hosts' LAN through the macvlan network; required on nodes holding a macvlan VIP."),
});

const pxcNode = containerNode.extend({
    bootstrap: z.boolean().default(false).describe("Exactly one node bootstraps a new cluster; the others join it one at a time."),
});

/** An application account reachable through HAProxy (it connects from the Docker network). */
const appAccount = z
    .strictObject({
        user: sqlUser.default("app").describe("Application user; connects through HAProxy from the Docker network."),
        passwordSecret: secretRef.default("mysqlAppPassword").describe("Secret config key with its password."),
        database: z
            .string()
            .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, { message: "must be a database name (letters, digits and '_', not starting with a digit, at most 64 characters)" })
            .default("app").describe("Database created for it; the user gets ALL on it and nothing else."),
    })
    .optional()
    .describe("Optional application account and database, created on every server.");

export const PxcSchema = z.strictObject({
    flavor: z
        .enum(["pxc57", "pxc80", "mariadb"])
        .default("pxc57")
        .describe("Galera implementation in the image: Percona XtraDB Cluster 5.7/8.0, or MariaDB + galera-4."),
    image: image.default("percona/percona-xtradb-cluster:5.7").describe("Galera server image."),
    clusterName: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,32}$/, { message: "must be a cluster name (letters, digits, '_' and '-', 1-32 characters)" })
        .default("pxc").describe("wsrep_cluster_name."),
    sstMethod: z.enum(["xtrabackup-v2", "mariabackup", "rsync"]).default("xtrabackup-v2").describe("State snapshot transfer method."),
    rootPasswordSecret: secretRef.default("mysqlRootPassword").describe("Secret config key with the root password."),
    sstPasswordSecret: secretRef.default("sstPassword").describe("Secret config key with the SST user's password (xtrabackup-v2 / mariabackup)."),
    clustercheck: z
        .strictObject({
            user: sqlUser.default("clustercheck").describe("User the clustercheck service logs in as (USAGE only)."),
            passwordSecret: secretRef.default("clustercheckPassword").describe("Secret config key with its password."),
            port: port.default(9200).describe("Port of the clustercheck HTTP service HAProxy polls."),
        })
        .default({ user: "clustercheck", passwordSecret: "clustercheckPassword", port: 9200 }),
    app: appAccount,
    gcacheSize: z
        .string()
        .regex(/^\d+[MG]$/, { message: "must be a size in M or G, like 512M" })
        .default("512M").describe("gcache.size: larger lets a returning node catch up by IST instead of SST."),
    suspectTimeoutMs: z
        .number()
        .int()
        .min(1000)
        .max(60000)
        .default(1500)
        .describe(
            "evs.suspect_timeout in ms: how long a dead node stalls every commit before the others evict it; keepalive and check periods follow from it. Galera's own default is 5000; with 1500 a node kill cost clients 2.2 s at p50 (5.7 s with 5000) and a 20-minute soak under load showed no false eviction on a 2-core lab (docs/lab.md). Raise it where nodes stall for seconds (emulated VMs: 15000).",
        ),
    nodes: z.array(pxcNode).min(1).describe("Galera nodes; odd count >= 3."),
});

export const DualMasterSchema = z.strictObject({
    flavor: z.enum(["mariadb", "mysql57", "mysql80"]).default("mysql80").describe("Server flavor; decides GTID settings and replication SQL."),
    image: image.default("mysql:8.0").describe("Server image."),
    port: port.default(3306).describe("MySQL port inside the containers."),
    publishPort: port.optional().describe("Host port each server's MySQL is published on (for a host-level VIP in front of the pair)."),
    rootPasswordSecret: secretRef.default("mysqlRootPassword").describe("Secret config key with the root password."),
    replication: z
        .strictObject({
            user: sqlUser.default("repl").describe("Replication user (REPLICATION SLAVE only)."),
            passwordSecret: secretRef.default("replicationPassword").describe("Secret config key with its password."),
            connectRetryS: z.number().int().min(1).max(3600).default(5).describe("MASTER_CONNECT_RETRY seconds."),
        })
        .default({ user: "repl", passwordSecret: "replicationPassword", connectRetryS: 5 }),
    app: appAccount,
    healthCheckUser: sqlUser.default("hacheck").describe("Password-less user with no privileges that HAProxy's mysql-check logs in as."),
    gtid: z.boolean().default(true).describe("GTID-based replication (auto position / slave_pos)."),
    autoIncrementIncrement: z.number().int().min(2).max(65535).default(2).describe("auto_increment_increment on both servers."),
    servers: z
        .array(
            containerNode.extend({
                serverId: z.number().int().min(1).max(4294967295).describe("server_id, distinct."),
                autoIncrementOffset: z.number().int().min(1).max(65535).describe("auto_increment_offset, distinct, <= autoIncrementIncrement."),
                gtidDomainId: z.number().int().min(0).max(4294967295).optional().describe("MariaDB gtid_domain_id; default the serverId."),
            }),
        )
        .describe("Exactly two servers replicating from each other."),
});

export const TlsSchema = z.strictObject({
    enabled: z
        .boolean()
        .default(true)
        .describe(
            "Encrypt the database tier: the stack makes a CA and a certificate per database node (Pulumi secrets); servers offer TLS to clients, Galera replication and SST run over TLS, and dual-master replicas connect with TLS and verify the peer's certificate.",
        ),
    requireForClients: z
        .boolean()
        .optional()
        .describe(
            "The application accounts (database.*.app) and the dual-master replication user REQUIRE SSL, so a client that does not encrypt is refused; default: tls.enabled. HAProxy's mysql-check and the clustercheck service carry no data and log in without TLS.",
        ),
    certificateDays: z.number().int().min(30).max(36500).default(3650).describe("Validity of the CA and of every node certificate, in days."),
});

export const HaproxySchema = z.strictObject({
    image: image.default("haproxy:2.8").describe("HAProxy image (Debian-based: keepalived is installed into it with apt-get)."),
    nodes: z.array(containerNode).min(1).describe("HAProxy containers."),
    listeners: z
        .array(
            z.strictObject({
                name: name.describe("Listener name."),
                port: port.describe("Port HAProxy binds inside the container."),
                backend: z.enum(["pxc", "dualMaster", "mycat"]).describe("Which server group it balances."),
                role: z
                    .enum(["write", "read"])
                    .default("write")
                    .describe(
                        "write (pxc, dualMaster): every connection goes to one server, which keeps that role until it fails, while the others stand by (Galera writers on several nodes abort each other's transactions with deadlock errors); write (mycat): balanced over the stateless MyCat nodes; read (pxc only): balanced over every Synced Galera node.",
                    ),
                publishPort: port.optional().describe("Host port published for this listener (host placement)."),
            }),
        )
        .optional()
        .describe(
            "Default, for each configured group: pxc (write) on 3306 and pxc-read (read) on 3308, dualmaster on 3307, mycat on 8066. A list replaces all of them: list only the write listener to switch the read one off.",
        ),
    balance: z
        .enum(["roundrobin", "leastconn", "source", "first"])
        .default("leastconn")
        .describe("Balance algorithm of the listeners that spread connections over several servers: pxc read and mycat."),
    peerPort: port
        .default(10000)
        .describe(
            "Port each HAProxy node binds on its container address to share, with the other nodes and with its own next process on a reload, which server each pxc and dualMaster write listener currently sends to (HAProxy peers).",
        ),
    check: z
        .strictObject({
            kind: z
                .enum(["clustercheck", "mysql-check", "tcp"])
                .default("clustercheck")
                .describe("Galera health check: clustercheck HTTP (sees 'not Synced'), mysql-check, or plain TCP."),
            interMs: z.number().int().min(100).max(60000).default(500).describe("Check interval (ms)."),
            fastinterMs: z
                .number()
                .int()
                .min(50)
                .max(60000)
                .default(100)
                .describe("Check interval (ms) once a check has failed, until the server is DOWN or passes again: how soon the confirming checks follow the first failure."),
            fall: z.number().int().min(1).max(10).default(2).describe("Failed checks before a server is DOWN."),
            rise: z.number().int().min(1).max(10).default(2).describe("Passed checks before a server is UP again."),
        })
        .default({ kind: "clustercheck", interMs: 500, fastinterMs: 100, fall: 2, rise: 2 }),
    timeouts: z
        .strictObject({
            connectMs: z
                .number()
                .int()
                .min(100)
                .default(250)
                .describe("timeout connect (ms): a connect to a dead server waits this long before HAProxy retries another; health checks use the smaller of it and interMs. Raise it for servers across a WAN."),
            clientMs: z.number().int().min(1000).default(1800000).describe("timeout client (ms); long, SQL sessions idle."),
            serverMs: z.number().int().min(1000).default(1800000).describe("timeout server (ms)."),
            checkMs: z.number().int().min(100).default(1000).describe("timeout check (ms)."),
        })
        .default({ connectMs: 250, clientMs: 1800000, serverMs: 1800000, checkMs: 1000 }),
    maxconn: z.number().int().min(1).max(1000000).default(4096).describe("Global maxconn."),
    stats: z.strictObject({
        port: port.default(8888).describe("Stats page port."),
        uri: z
            .string()
            .regex(/^\/[A-Za-z0-9._~/-]*$/, { message: "must be a URL path, like /dbs" })
            .default("/dbs").describe("Stats page path."),
        user: z
            .string()
            .regex(/^[A-Za-z0-9_.-]{1,32}$/, { message: "must be a user name (letters, digits, '_', '.' and '-', 1-32 characters)" })
            .default("haadmin").describe("Stats page user."),
        passwordSecret: secretRef.default("haproxyStatsPassword").describe("Secret config key with the stats page password."),
        publishPort: port.optional().describe("Host port published for the stats page."),
    }),
});

const mycatWriteHost = z.strictObject({
    host: z.string().regex(/^[A-Za-z0-9-]+$/, { message: "must be a name of letters, digits and '-'" }).describe("Name for the writeHost element."),
    address: hostPort.describe("host:port of the MySQL server."),
    user: sqlUser.describe("MySQL user MyCat connects as."),
    passwordSecret: secretRef.describe("Secret config key with that user's password."),
    readHosts: z
        .array(
            z.strictObject({
                host: z.string().regex(/^[A-Za-z0-9-]+$/, { message: "must be a name of letters, digits and '-'" }),
                address: hostPort,
            }),
        )
        .default([])
        .describe("Read replicas behind this writeHost (same user and password)."),
});

export const MycatSchema = z.strictObject({
    image: image.default("mycat:1.6.7.6").describe("MyCat 1.6 image (Debian-based with Java 8 and xinetd)."),
    home: z
        .string()
        .regex(/^\/[A-Za-z0-9._/-]+$/, { message: "must be an absolute path, like /opt/mycat" })
        .default("/opt/mycat").describe("MyCat install directory inside the image."),
    nodes: z.array(containerNode).min(1).describe("MyCat containers."),
    publish: z.boolean().default(false).describe("Publish the server and manager ports on each node's host (for host-level VIPs and LVS real servers)."),
    ports: z
        .strictObject({
            server: port.default(8066).describe("SQL port."),
            manager: port.default(9066).describe("Management port."),
            status: port.default(48700).describe("HTTP status service (xinetd) that HAProxy and keepalived check."),
        })
        .default({ server: 8066, manager: 9066, status: 48700 }),
    users: z
        .array(
            z.strictObject({
                name: z.string().regex(/^[A-Za-z0-9_]{1,32}$/, { message: "must be a MyCat user name (letters, digits and '_', 1-32 characters)" }).describe("MyCat user."),
                passwordSecret: secretRef.describe("Secret config key with the password."),
                schemas: z.array(z.string()).min(1).describe("Logical schemas the user may use."),
                readOnly: z.boolean().default(false),
            }),
        )
        .min(1),
    schemas: z
        .array(
            z.strictObject({
                name: mycatName.describe("Logical schema."),
                dataNode: z.string().optional().describe("Default data node for tables not listed."),
                sqlMaxLimit: z.number().int().min(1).default(100),
                tables: z
                    .array(
                        z.strictObject({
                            name: mycatName,
                            dataNodes: z.array(z.string()).min(1),
                            type: z.enum(["sharded", "global"]).default("sharded"),
                            shardColumn: mycatName.default("id").describe("Column of the mod-long rule."),
                        }),
                    )
                    .default([]),
            }),
        )
        .min(1),
    dataNodes: z
        .array(
            z.strictObject({
                name: mycatName,
                dataHost: mycatName,
                database: mycatName,
            }),
        )
        .min(1),
    dataHosts: z
        .array(
            z.strictObject({
                name: mycatName,
                balance: z.number().int().min(0).max(3).default(1).describe("Read balance: 0 writer only, 1 read from standby writers and readers, 2 all, 3 readers."),
                writeType: z.number().int().min(0).max(1).default(0),
                switchType: z.union([z.literal(-1), z.literal(1), z.literal(2), z.literal(3)]).default(1),
                maxCon: z.number().int().min(1).default(1000),
                minCon: z.number().int().min(1).default(10),
                heartbeat: z.string().default("select user()"),
                writeHosts: z.array(mycatWriteHost).min(1),
            }),
        )
        .min(1),
});

const trackSchema = z.strictObject({
    enabled: z.boolean().default(true).describe("false: no track script and no isolation check (the tutorials' setting; the VIP then ignores a dead HAProxy/MyCat)."),
    intervalS: z.number().int().min(1).max(60).default(1).describe("vrrp_script interval (s)."),
    fall: z.number().int().min(1).max(10).default(2),
    rise: z.number().int().min(1).max(10).default(2),
    weight: z
        .number()
        .int()
        .min(-253)
        .max(253)
        .default(0)
        .describe("0 puts a failing node in FAULT (moves the VIP even with nopreempt); non-zero adjusts priority, which never moves the VIP under nopreempt, so it is refused there."),
    isolation: z
        .array(z.strictObject({ address: ipv4, port: port }))
        .default([])
        .describe(
            "LAN endpoints answering TCP (other hosts' SSH, a router's service) of which a holder must reach one, checked like the track script: a holder that reaches none is cut off and goes to FAULT, so after the partition heals it returns as BACKUP instead of taking the VIP back. Its own host is skipped; the VIP itself and addresses a holder reaches without the LAN (its host's shim, containers on its host) are refused. Empty: no isolation check.",
        ),
});

const lvsService = z.strictObject({
    port: port.describe("VIP port."),
    realServers: z
        .array(
            z.strictObject({
                address: ipv4,
                port: port,
                weight: z.number().int().min(0).max(65535).default(1),
            }),
        )
        .min(1),
});

export const VrrpInstanceSchema = z.strictObject({
    name: z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9_]{0,31}$/, { message: "must be a vrrp_instance name (a letter, then letters, digits and '_', at most 32 characters)" })
        .describe("vrrp_instance name."),
    level: z.enum(["container", "host"]).describe("container: keepalived inside the fronted containers; host: keepalived on the hosts."),
    fronts: z.enum(["haproxy", "mycat", "dualMaster"]).describe("Group whose nodes hold the VIP (container) or whose local containers the track script checks (host)."),
    holders: z
        .array(name)
        .optional()
        .describe("Host level only: hosts that run keepalived for this VIP; default the hosts of the fronted group's nodes (LVS directors may be other hosts)."),
    placement: z
        .enum(["overlay", "macvlan", "host"])
        .optional()
        .describe("overlay: VIP on the Docker network (one Docker host only); macvlan: container VIP on the LAN; host: host keepalived, services on host ports. Default: overlay for container level, host for host level."),
    interface: ifname
        .optional()
        .describe("VRRP interface; default eth0 in containers, the LAN interface on hosts. A container-level instance cannot name a host's interface (its LAN interface, docker0, docker_gwbridge)."),
    virtualRouterId: z.number().int().min(1).max(255).describe("virtual_router_id, unique per segment."),
    vip: ipv4.describe("The virtual IP."),
    version: z.union([z.literal(2), z.literal(3)]).default(3).describe("VRRP version; v3 allows sub-second adverts, v2 allows PASS auth."),
    advertInt: z.number().min(0.01).max(255).default(0.1).describe("Advert interval (s); below 1 s needs version 3."),
    priorities: z.record(z.string(), z.number().int().min(1).max(254)).optional().describe("Priority per node name; default 150, 140, 130, ... in node order."),
    initialState: z.enum(["BACKUP", "MASTER"]).default("BACKUP").describe("Initial state of the highest-priority node (others start BACKUP)."),
    nopreempt: z.boolean().default(true).describe("A recovered node does not take the VIP back."),
    preemptDelayS: z.number().int().min(0).max(1000).optional().describe("Delay before preempting (only without nopreempt)."),
    unicast: z.enum(["auto", "always", "never"]).default("auto").describe("auto: unicast with peers derived from the topology (multicast cannot cross the overlay or routed hosts)."),
    authPassSecret: secretRef.optional().describe("Secret config key with a PASS password (VRRP v2 only, 6 characters to 8 bytes, printable, without `\"`, a trailing `\\`, `${` or `$_`)."),
    garpMasterRefreshS: z.number().int().min(0).max(3600).default(10).describe("Re-send gratuitous ARP every N s while MASTER (0 disables)."),
    track: trackSchema.default({ enabled: true, intervalS: 1, fall: 2, rise: 2, weight: 0, isolation: [] }).describe("Health check of what the VIP fronts."),
    forwarding: z
        .strictObject({
            kind: z.enum(["none", "lvs-nat", "lvs-dr"]).default("none").describe("Host level: forward VIP traffic with LVS (needs IPVS in the kernel)."),
            lbAlgo: z.enum(["rr", "wrr", "lc", "wlc", "sh", "dh"]).default("wrr"),
            delayLoopS: z.number().int().min(1).max(3600).default(3),
            persistenceTimeoutS: z.number().int().min(0).max(86400).default(0).describe("LVS persistence (0 = none)."),
            connectTimeoutS: z.number().int().min(1).max(60).default(3).describe("TCP_CHECK connect_timeout."),
            services: z.array(lvsService).default([]),
        })
        .default({ kind: "none", lbAlgo: "wrr", delayLoopS: 3, persistenceTimeoutS: 0, connectTimeoutS: 3, services: [] }),
});

export const TopologySchema = z.strictObject({
    hosts: z.array(HostSchema).min(1).describe("Machines the stack provisions over SSH."),
    network: NetworkSchema.default({
        name: "net1",
        driver: "overlay",
        subnet: "172.18.0.0/24",
        gateway: "172.18.0.1",
        attachable: true,
        anchors: false,
        gwbridgeSubnet: "10.201.0.0/24",
    }).describe("The Docker network every container joins."),
    database: z
        .strictObject({
            pxc: PxcSchema.optional(),
            dualMaster: DualMasterSchema.optional(),
        })
        .default({}),
    tls: TlsSchema.default({ enabled: true, certificateDays: 3650 }).describe("TLS for client connections, Galera replication and SST, and dual-master replication."),
    haproxy: HaproxySchema.optional(),
    mycat: MycatSchema.optional(),
    macvlan: z
        .strictObject({
            name: name.default("ha-lan").describe("Name of the macvlan Docker network created on every host running a macvlan VIP holder."),
        })
        .default({ name: "ha-lan" })
        .describe("The macvlan network that puts VIP holders' containers on the hosts' LAN (placement macvlan)."),
    keepalived: z
        .strictObject({
            packagesDir: z
                .string()
                .regex(/^\/[A-Za-z0-9._/-]*$/, { message: "must be an absolute path on the hosts" })
                .optional()
                .describe(
                    "Directory on each host with keepalived's .deb files and the dependencies the image lacks, installed into containers that cannot reach a package mirror; default: the container's own apt-get or yum.",
                ),
            instances: z.array(VrrpInstanceSchema).default([]),
        })
        .default({ instances: [] }),
});

export type Topology = z.output<typeof TopologySchema>;
export type Host = z.output<typeof HostSchema>;
export type Network = z.output<typeof NetworkSchema>;
export type Pxc = z.output<typeof PxcSchema>;
export type PxcNode = Pxc["nodes"][number];
export type DualMaster = z.output<typeof DualMasterSchema>;
export type DualMasterServer = DualMaster["servers"][number];
export type Haproxy = z.output<typeof HaproxySchema>;
export type Tls = z.output<typeof TlsSchema>;
export type Mycat = z.output<typeof MycatSchema>;
export type VrrpInstance = z.output<typeof VrrpInstanceSchema>;
export type ContainerNode = z.output<typeof containerNode>;
export type AppAccount = NonNullable<Pxc["app"]>;
