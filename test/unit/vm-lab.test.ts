import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { parse } from "yaml";
import { parseIpvsadm, unitsOf, lvsInstances } from "../../lab/vm/checks";
import { shellWord } from "../../lab/lib/lab-stack";
import { withLabHostKeys } from "../../lab/pin-host-keys";
import { loadStackFile } from "../support/stacks";
import { plan } from "../../lab/vm/warm";
import { imagesOnHost } from "../../model/derive";

const LN = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  10.78.0.101:3306 rr
  -> 10.78.0.11:3306              Route   1      0          2
  -> 10.78.0.12:3306              Route   0      1          0
`;
const STATS = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
  -> RemoteAddress:Port
TCP  10.78.0.101:3306                    7       40        0     2817        0
  -> 10.78.0.11:3306                     4       23        0     1610        0
  -> 10.78.0.12:3306                     3       17        0     1207        0
`;

describe("ipvsadm output", () => {
    it("reads virtual servers, their real servers, forwarding and weights", () => {
        expect(parseIpvsadm(LN).get("10.78.0.101:3306")).toEqual([
            { address: "10.78.0.11:3306", forward: "Route", weight: 1, conns: 2 },
            { address: "10.78.0.12:3306", forward: "Route", weight: 0, conns: 1 },
        ]);
    });
    it("reads each real server's connection count from --stats", () => {
        expect(parseIpvsadm(STATS, true).get("10.78.0.101:3306")?.map((r) => [r.address, r.conns])).toEqual([
            ["10.78.0.11:3306", 4],
            ["10.78.0.12:3306", 3],
        ]);
    });
});

describe("commands sent to a VM over ssh", () => {
    it("quote every argument as one shell word", () => {
        for (const arg of ["plain", "a b", "it's", 'exec 3<>"/dev/tcp/$0/$1"', "", "$(reboot)", "a\\b"]) {
            expect(execFileSync("sh", ["-c", `printf '%s' ${shellWord(arg)}`], { encoding: "utf8" })).toBe(arg);
        }
    });
});

describe("the vmlab stack", () => {
    const { topology } = loadStackFile("Pulumi.vmlab.yaml");

    it("puts the dual-master pair and the HAProxy pair on two VMs, one member of each per VM, so either may lose power", () => {
        expect(topology.database.pxc).toBeUndefined();
        expect(topology.database.dualMaster!.servers.map((s) => s.host)).toEqual(["vm1", "vm2"]);
        expect(topology.haproxy!.nodes.map((n) => n.host)).toEqual(["vm1", "vm2"]);
    });

    it("runs firewalld and iptables, and an LVS DR director that publishes no port and runs no Docker engine", () => {
        expect(topology.hosts.map((h) => h.firewall.kind).sort()).toEqual(["firewalld", "iptables", "iptables"]);
        const [lvs] = lvsInstances(topology);
        expect(lvs.forwarding.kind).toBe("lvs-dr");
        const director = lvs.holders![0];
        expect(topology.haproxy!.nodes.some((n) => n.host === director)).toBe(false);
        expect(unitsOf(topology, director)).toEqual(["keepalived", "firewalld"]);
        expect(unitsOf(topology, "vm1")).toEqual(["docker", "keepalived"]);
    });

    it("gets each VM's generated host key pinned from vms.json", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-vmlab-"));
        try {
            const vms = topology.hosts.map((h) => {
                const f = path.join(dir, h.name);
                execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", f]);
                return { name: h.name, address: h.ssh.address, hostKey: fs.readFileSync(`${f}.pub`, "utf8").trim() };
            });
            fs.writeFileSync(path.join(dir, "vms.json"), JSON.stringify(vms));
            const { text, pinned } = withLabHostKeys(fs.readFileSync("Pulumi.vmlab.yaml", "utf8"), dir);
            expect(pinned).toEqual(["vm1", "vm2", "vm3"]);
            const hosts = (parse(text) as { config: Record<string, { hosts: Array<{ ssh: { hostKey: string } }> }> }).config["ha-mysql:topology"].hosts;
            expect(hosts.map((h) => h.ssh.hostKey)).toEqual(vms.map((v) => v.hostKey.split(" ").slice(0, 2).join(" ")));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("the VM lab's warm disks", () => {
    const { topology } = loadStackFile("Pulumi.vmlab.yaml");

    it("pull on each VM exactly the images the stack runs there", () => {
        expect(imagesOnHost(topology, "vm1")).toEqual(["10.78.0.1:5000/ha-lab/haproxy:2.6", "10.78.0.1:5000/ha-lab/mariadb:10.11"]);
        expect(imagesOnHost(topology, "vm3")).toEqual([]);
        expect(imagesOnHost(topology, "nowhere")).toEqual([]);
    });

    it("count the dual-master servers' image, whose section lists servers rather than nodes", () => {
        const dev = loadStackFile("Pulumi.dev.yaml").topology;
        expect(imagesOnHost(dev, "lab1")).toEqual(["ha-lab/galera:10.11", "ha-lab/haproxy:2.6", "ha-lab/mariadb:10.11"]);
    });

    it("are keyed on what each host installs and pulls, so that a change there builds new ones", () => {
        const lines = plan(topology);
        expect(lines).toHaveLength(3);
        expect(lines[1]).toMatch(/^vm2 install iptables=iptables,docker=docker\.io\+apparmor,keepalived=keepalived modules \S* images .*haproxy/);
        expect(lines[2]).toContain("ipvsadm=ipvsadm");
        const haproxy = topology.haproxy;
        if (!haproxy) throw new Error("the vmlab stack has an HAProxy pair");
        const moved = { ...topology, haproxy: { ...haproxy, nodes: haproxy.nodes.map((n) => (n.host === "vm2" ? { ...n, host: "vm3" } : n)) } };
        expect(plan(moved)).not.toEqual(lines);
    });
});
