// The lab is described once (lab/lab.env): the host scripts source it, and the dev stack's host
// section is generated from it. These tests fail when either side drifts from the description.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as os from "os";
import { parse } from "yaml";
import { DEV_STACK, withDevHosts } from "../../lab/dev-hosts";
import { labHostKeyFile, withLabHostKeys } from "../../lab/pin-host-keys";
import { loadTopology } from "../../model/load";
import { LAB, LAB_ENV, labHosts, parseLabEnv, readLabDescription, stackHosts } from "../../lab/lib/lab-description";
import { goodSecrets, PROJECT, ROOT, loadStackFile, rawTopology } from "../support/stacks";

type Raw = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const inSubnet = (ip: string) => ip.startsWith(`${LAB.netPrefix}.`) && Number(ip.split(".")[3]) > 1 && Number(ip.split(".")[3]) < 255;

describe("lab description", () => {
    it("bash sources lab.env to the same values the TypeScript side reads", () => {
        const keys = Object.keys(parseLabEnv(fs.readFileSync(LAB_ENV, "utf8")));
        const script = `set -eu; . "${LAB_ENV}"; ${keys.map((k) => `printf '%s=%s\\n' ${k} "$${k}"`).join("; ")}`;
        const fromBash = parseLabEnv(execFileSync("bash", ["-c", script], { encoding: "utf8", env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } }));
        expect(fromBash).toEqual(parseLabEnv(fs.readFileSync(LAB_ENV, "utf8")));
    });

    it("refuses lines bash would read differently (quotes, expansions, spaces)", () => {
        for (const bad of ['LAB_DIR="/x"', "LAB_DIR=$HOME/x", "LAB_DIR=/x y", "lab_dir=/x"]) {
            expect(() => parseLabEnv(bad)).toThrow(/expected KEY=value/);
        }
        expect(() => readLabDescription("LAB_DIR=/x\n")).toThrow(/LAB_BRIDGE is missing/);
    });

    it("Pulumi.dev.yaml's host section is the one generated from lab.env (npm run lab:dev-hosts)", () => {
        const text = fs.readFileSync(DEV_STACK, "utf8");
        expect(withDevHosts(text)).toBe(text);
        expect((rawTopology("Pulumi.dev.yaml") as Raw).hosts).toEqual(stackHosts(labHosts()));
    });

    it("lab/hosts.sh creates exactly the hosts the dev stack addresses", () => {
        const described = execFileSync("bash", [path.join(ROOT, "lab/hosts.sh"), "describe"], {
            encoding: "utf8",
            env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
        })
            .trim()
            .split("\n")
            .map((l) => l.split(" "));
        const { topology } = loadStackFile("Pulumi.dev.yaml");
        expect(described).toEqual(topology!.hosts.map((h) => [h.name, h.ssh.address, h.docker.host]));
    });

    it("every other lab address of the dev stack lies on the bridge's subnet and collides with no host", () => {
        const { topology } = loadStackFile("Pulumi.dev.yaml");
        const t = topology!;
        const taken = new Set(labHosts().flatMap((h) => [h.address, h.shim]));
        const others = [...t.keepalived.instances.map((i) => i.vip), ...(t.haproxy?.nodes ?? []).flatMap((n) => (n.lanIp ? [n.lanIp] : []))];
        expect(others.length).toBeGreaterThan(0);
        for (const ip of others) {
            expect(inSubnet(ip)).toBe(true);
            expect(taken.has(ip)).toBe(false);
        }
        for (const inst of t.keepalived.instances) {
            expect((inst.track.isolation ?? []).map((p) => p.address)).toEqual(labHosts().map((h) => h.address));
        }
        expect(t.keepalived.packagesDir?.startsWith(`${LAB.dir}/`)).toBe(true);
    });
});

describe("the lab's host key pins", () => {
    let labDir: string;
    const keys: Record<string, string> = {};
    beforeAll(() => {
        labDir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-lab-keys-"));
        for (const h of labHosts()) {
            // As lab/hosts.sh generates them.
            const f = labHostKeyFile(h.name, labDir).replace(/\.pub$/, "");
            fs.mkdirSync(path.dirname(f), { recursive: true });
            execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `root@${h.name}`, "-f", f]);
            keys[h.name] = fs.readFileSync(`${f}.pub`, "utf8").split(" ").slice(0, 2).join(" ");
        }
    });
    afterAll(() => fs.rmSync(labDir, { recursive: true, force: true }));

    it("the committed dev stack pins nothing: the keys are new on every machine", () => {
        expect(loadStackFile("Pulumi.dev.yaml").topology.hosts.map((h) => h.ssh.hostKey)).toEqual(labHosts().map(() => undefined));
        expect(fs.readFileSync(DEV_STACK, "utf8")).toMatch(/lab\/stack\.sh prepare pins/);
    });

    it("prepare pins each lab host's generated ed25519 key in the config copy, which then passes every rule", () => {
        // The config copy: the stack's salt line, then the committed file.
        const copy = `encryptionsalt: v1:abc:def\n${fs.readFileSync(DEV_STACK, "utf8")}`;
        const { text, pinned } = withLabHostKeys(copy, labDir);
        expect(pinned).toEqual(labHosts().map((h) => h.name));
        const doc = parse(text) as { encryptionsalt: string; config: Record<string, Raw> };
        expect(doc.encryptionsalt).toBe("v1:abc:def");
        const raw = doc.config["ha-mysql:topology"];
        expect(raw.hosts.map((h: Raw) => h.ssh.hostKey)).toEqual(labHosts().map((h) => keys[h.name]));
        const { topology } = loadTopology(PROJECT, raw, goodSecrets());
        expect(topology.hosts.map((h) => h.ssh.address)).toEqual(labHosts().map((h) => h.address));
        // Again on its own output: the same text.
        expect(withLabHostKeys(text, labDir).text).toBe(text);
    });

    it("refuses to prepare a lab host that has no key yet", () => {
        fs.rmSync(labHostKeyFile("lab2", labDir));
        expect(() => withLabHostKeys(fs.readFileSync(DEV_STACK, "utf8"), labDir)).toThrow(/lab2\/fs\/etc-ssh\/ssh_host_ed25519_key\.pub is missing: lab host lab2 has no host key yet/);
    });
});
