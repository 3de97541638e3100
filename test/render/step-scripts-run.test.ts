// The remote scripts run for real, under sh (dash where installed) and bash, in a scratch root
// (test/support/scratch-root.ts) with stub binaries for Docker, the MySQL client, ip, iptables,
// sysctl and keepalived: the shell fragments every step is built from (WRITE_FILES,
// writeFilesOwning, undoObsolete), then every step the example stacks declare, created twice
// (the second run is an update and must change nothing) and deleted.
import { filesPayload } from "../../components/remote/payload";
import { file } from "../../components/render/file";
import { undoObsolete, WRITE_FILES, writeFilesOwning } from "../../components/render/step-scripts";
import { startScript, START_TRIES } from "../../components/render/container-start";
import { anchorCreate, anchorDelete, GWBRIDGE_DELETE, gwbridgeCreate, SWARM_LEAVE, swarmInit, swarmJoin, swarmTokenRead } from "../../components/render/swarm";
import { EXAMPLE_STACKS, loadStackFile, stackLabel } from "../support/stacks";
import { hostRoots, Step, stackSteps } from "../support/steps";
import { ScratchRoot, SHELLS, STUB_SWARM_TOKEN } from "../support/scratch-root";

const TEMP = /^\.ha-mysql\./;

describe.each(SHELLS.map((s) => [s]))("under %s", (shell) => {
    let root: ScratchRoot;
    beforeEach(() => {
        root = new ScratchRoot();
    });
    afterEach(() => root.close());
    const run = (script: string, stdin = "") => root.run(script, { shell, stdin });

    describe("WRITE_FILES", () => {
        const write = (files: ReturnType<typeof file>[]) => run(WRITE_FILES, filesPayload(files));

        it("writes a new file with its mode, and leaves an identical one alone", () => {
            const f = file("/etc/ha-test/new.conf", "a = 1\n", "0640");
            const first = write([f]);
            expect([first.code, first.output]).toEqual([0, "wrote /etc/ha-test/new.conf\n"]);
            expect(root.read(f.path)).toBe("a = 1\n");
            expect(root.mode(f.path)).toBe(0o640);
            const again = write([f]);
            expect([again.code, again.output]).toEqual([0, "unchanged /etc/ha-test/new.conf\n"]);
            expect(root.find(TEMP)).toEqual([]);
        });

        it("replaces a file whose content changed, atomically and with the new mode", () => {
            write([file("/etc/ha-test/c.conf", "old\n", "0644")]);
            const r = write([file("/etc/ha-test/c.conf", "new\n", "0600")]);
            expect([r.code, r.output]).toEqual([0, "wrote /etc/ha-test/c.conf\n"]);
            expect(root.read("/etc/ha-test/c.conf")).toBe("new\n");
            expect(root.mode("/etc/ha-test/c.conf")).toBe(0o600);
            expect(root.find(TEMP)).toEqual([]);
        });

        it("applies a mode-only change and says so", () => {
            write([file("/etc/ha-test/m.sh", "#!/bin/sh\n", "0644")]);
            const r = write([file("/etc/ha-test/m.sh", "#!/bin/sh\n", "0755")]);
            expect([r.code, r.output]).toEqual([0, "mode /etc/ha-test/m.sh\n"]);
            expect(root.mode("/etc/ha-test/m.sh")).toBe(0o755);
            expect(root.read("/etc/ha-test/m.sh")).toBe("#!/bin/sh\n");
            expect(write([file("/etc/ha-test/m.sh", "#!/bin/sh\n", "0755")]).output).toBe("unchanged /etc/ha-test/m.sh\n");
        });

        it("fails on content that is not base64, keeps the file in place and leaves no temporary file", () => {
            write([file("/etc/ha-test/b.conf", "good\n")]);
            const r = run(WRITE_FILES, `/etc/ha-test/first.conf 0644 ${Buffer.from("first\n").toString("base64")}\n/etc/ha-test/b.conf 0644 @@not*base64@@\n/etc/ha-test/after.conf 0644 YQo=\n`);
            expect(r.code).not.toBe(0);
            expect(r.stdout).toBe("wrote /etc/ha-test/first.conf\n");
            expect(r.stderr).toContain("could not decode the content of /etc/ha-test/b.conf");
            expect(r.output).not.toContain("@@not*base64@@");
            expect(root.read("/etc/ha-test/b.conf")).toBe("good\n");
            expect(root.exists("/etc/ha-test/after.conf")).toBe(false);
            expect(root.find(TEMP)).toEqual([]);
        });

        it("refuses a line without a mode or with a relative path, writing nothing", () => {
            for (const bad of ["/etc/ha-test/x YQo=\n", "etc/x 0644 YQo=\n", "YQo=\n"]) {
                const r = run(WRITE_FILES, bad);
                expect([bad, r.code === 0]).toEqual([bad, false]);
                expect(r.output).not.toContain("YQo=");
            }
            expect(root.find(/./).filter((p) => p.startsWith("/etc/ha-test") || p.startsWith("/etc/x"))).toEqual([]);
        });

        it("writes a path with spaces, and an empty file", () => {
            const spaced = file("/etc/ha test/dir with space/a b.conf", "x y\n", "0600");
            const empty = file("/etc/ha-test/empty", "");
            const r = write([spaced, empty]);
            expect([r.code, r.output]).toEqual([0, `wrote ${spaced.path}\nwrote ${empty.path}\n`]);
            expect(root.read(spaced.path)).toBe("x y\n");
            expect(root.mode(spaced.path)).toBe(0o600);
            expect(root.read(empty.path)).toBe("");
            expect(write([spaced, empty]).output).toBe(`unchanged ${spaced.path}\nunchanged ${empty.path}\n`);
        });

        it("reads its payload from a redirect placed after it, as the steps embed it", () => {
            root.write("/tmp/payload", filesPayload([file("/etc/ha-test/r.conf", "r\n")]));
            const r = run(`${WRITE_FILES} </tmp/payload\necho after`);
            expect([r.code, r.output]).toEqual([0, "wrote /etc/ha-test/r.conf\nafter\n"]);
            expect(root.read("/etc/ha-test/r.conf")).toBe("r\n");
        });
    });

    describe("writeFilesOwning", () => {
        const dir = "/etc/ha-test/scripts";
        const f = (name: string, content = `${name}\n`, mode = "0755") => file(name.startsWith("/") ? name : `${dir}/${name}`, content, mode);
        const own = (files: ReturnType<typeof f>[]) => run(writeFilesOwning(dir), filesPayload(files));

        it("removes the files under its directory that are no longer rendered and keeps the others", () => {
            const conf = f("/etc/ha-test/keepalived.conf", "conf\n", "0600");
            root.write("/etc/ha-test/other/keep.sh", "not ours\n");
            expect(own([conf, f("check-tcp.sh"), f("check http.sh"), f("notify.sh")]).code).toBe(0);
            const r = own([conf, f("check-tcp.sh", "changed\n"), f("notify.sh", "notify.sh\n", "0700")]);
            expect(r.code).toBe(0);
            expect(r.output.split("\n").filter(Boolean).sort()).toEqual(
                [`unchanged ${conf.path}`, `wrote ${dir}/check-tcp.sh`, `mode ${dir}/notify.sh`, `removed ${dir}/check http.sh (no longer rendered)`].sort(),
            );
            expect(root.find(/./).filter((p) => p.startsWith(dir)).sort()).toEqual([`${dir}/check-tcp.sh`, `${dir}/notify.sh`]);
            expect(root.read(`${dir}/check-tcp.sh`)).toBe("changed\n");
            expect(root.read("/etc/ha-test/other/keep.sh")).toBe("not ours\n");
            expect(root.exists(conf.path)).toBe(true);
            expect(own([conf, f("check-tcp.sh", "changed\n"), f("notify.sh", "notify.sh\n", "0700")]).output).not.toMatch(/removed|wrote|mode/);
            // Its private copy of the payload is gone.
            expect(root.find(/^tmp\./)).toEqual([]);
        });

        it("on a bad payload fails, removes nothing and leaves no temporary file", () => {
            own([f("a.sh"), f("b.sh")]);
            const r = run(writeFilesOwning(dir), `${dir}/a.sh 0755 !!!\n`);
            expect(r.code).not.toBe(0);
            expect(root.find(/./).filter((p) => p.startsWith(dir)).sort()).toEqual([`${dir}/a.sh`, `${dir}/b.sh`]);
            expect(root.find(TEMP)).toEqual([]);
            expect(root.find(/^tmp\./)).toEqual([]);
        });
    });

    describe("undoObsolete", () => {
        const preamble = "#!/bin/sh\ndel() { echo \"del $*\" >>/var/log-undo; }\n";
        const remove = (items: string[]) => `${preamble}${items.map((i) => `del ${i}`).join("\n")}\n`;
        const undo = undoObsolete("/var/previous", "/var/current", "del");

        it("runs, with the previous preamble, exactly the lines the new remove script lacks", () => {
            root.write("/var/previous", remove(["a 1", "b 2", "c 3"]));
            root.write("/var/current", remove(["a 1", "c 3", "d 4"]));
            const r = run(undo);
            expect(r.code).toBe(0);
            expect(root.read("/var/log-undo")).toBe("del b 2\n");
            expect(root.exists("/var/previous")).toBe(false);
            expect(root.find(/^tmp\./)).toEqual([]);
        });

        it("runs nothing when both generations want the same items, or on a first run", () => {
            root.write("/var/previous", remove(["a 1"]));
            root.write("/var/current", remove(["a 1"]));
            expect(run(undo).code).toBe(0);
            expect(run(undo).code).toBe(0);
            expect(root.exists("/var/log-undo")).toBe(false);
        });
    });

    describe("swarm steps", () => {
        it("init once on the manager, printing no token; a worker joins with the token read on stdin; leave undoes both", () => {
            const init = swarmInit("10.0.0.1");
            const first = run(init);
            expect([first.code, first.output]).toEqual([0, "swarm initialised on 10.0.0.1\n"]);
            expect(root.calls().filter((c) => c.startsWith("docker swarm init"))).toHaveLength(1);
            const second = run(init);
            expect([second.code, second.output, root.calls().filter((c) => c.startsWith("docker swarm "))]).toEqual([0, "already in a swarm\n", []]);

            const worker = new ScratchRoot();
            try {
                const join = swarmJoin("10.0.0.1:2377", "10.0.0.2");
                const joined = worker.run(join, { shell, stdin: `${STUB_SWARM_TOKEN}\n` });
                expect([joined.code, joined.output]).toEqual([0, "joined the swarm at 10.0.0.1:2377\n"]);
                expect(worker.calls().find((c) => c.startsWith("docker swarm join"))).toContain(`--token ${STUB_SWARM_TOKEN} 10.0.0.1:2377`);
                expect(worker.run(join, { shell, stdin: `${STUB_SWARM_TOKEN}\n` }).output).toBe("already a swarm member\n");
                expect(worker.run(SWARM_LEAVE, { shell }).code).toBe(0);
                expect(worker.calls()).toContain("docker swarm leave --force ");
                const empty = worker.run(join, { shell, stdin: "" });
                expect([empty.code === 0, empty.output]).toEqual([false, "no join token on stdin\n"]);
                expect(worker.calls().filter((c) => c.startsWith("docker swarm join"))).toEqual([]);
            } finally {
                worker.close();
            }
            expect(run(SWARM_LEAVE).code).toBe(0);
            expect(run(init).code).toBe(0);
            expect(root.calls().filter((c) => c.startsWith("docker swarm init"))).toHaveLength(1);
        });

        it("an anchor service is created once on the node that advertises the host's address, replaced when its image changes, removed on delete", () => {
            root.write("/stub/.state/nodes", "n1 10.0.0.1\nn2 10.0.0.2\n");
            const create = anchorCreate("net1", "lab2", "10.0.0.2", "ha-lab/galera:10.11");
            const creates = () => root.calls().filter((c) => c.startsWith("docker service create"));
            // The wait is wall-clock seconds: 0 on an idle machine, 1 when a second boundary falls inside it.
            const held = expect.stringMatching(/^net1-anchor-lab2 holds net1 on lab2 \(task running after [01] s\)\n$/);
            const first = run(create);
            expect([first.code, first.stdout]).toEqual([0, held]);
            expect(creates()).toHaveLength(1);
            expect(creates()[0]).toContain("--name net1-anchor-lab2 --network net1 --constraint node.id==n2 ");
            expect(root.read("/stub/.state/svc-net1-anchor-lab2")).toBe("ha-lab/galera:10.11 node.id==n2\n");
            const again = run(create);
            expect([again.code, again.stdout, creates()]).toEqual([0, held, []]);
            const upgraded = run(anchorCreate("net1", "lab2", "10.0.0.2", "ha-lab/galera:10.12"));
            expect([upgraded.code, upgraded.stdout.split("\n")[0], creates().length]).toEqual([0, "net1-anchor-lab2: replaced (image or node changed)", 1]);
            expect(root.read("/stub/.state/svc-net1-anchor-lab2")).toBe("ha-lab/galera:10.12 node.id==n2\n");
            expect(run(anchorDelete("net1", "lab2")).stdout).toBe("net1-anchor-lab2 removed\n");
            expect(root.find(/svc-net1-anchor/)).toEqual([]);
            expect(run(anchorDelete("net1", "lab2")).code).toBe(0);
        });

        describe("after a reboot, the containers whose start failed", () => {
            const ATTACH = "attaching to network failed, make sure your network options are correct and check manager logs: context deadline exceeded";
            const state = (c: string, st: string, fails = 0) => {
                root.write(`/stub/.state/ctr-${c}`, `${st}\n`);
                if (fails) root.write(`/stub/.state/fails-${c}`, `${fails}\n`);
            };
            const starts = () => root.calls().filter((c) => c.startsWith("docker start"));

            it("start again until they run; running ones and ones stopped by hand are left alone", () => {
                root.write("/stub/.state/swarm", "active\n");
                state("pn1", `false ${ATTACH}`, 1);
                state("h1", "true ");
                state("h2", "false ");
                const r = run(startScript("lab1", ["pn1", "h1", "h2", "gone"]));
                expect([r.code, r.stderr]).toEqual([0, ""]);
                expect(r.stdout.split("\n")).toEqual([
                    "swarm active after 0 s",
                    `pn1: last start failed (${ATTACH}): docker start, try 1 of ${START_TRIES}`,
                    `pn1: last start failed (${ATTACH}): docker start, try 2 of ${START_TRIES}`,
                    "pn1: running",
                    "h1: running",
                    "h2: stopped, with no failed start: left stopped",
                    "gone: no such container",
                    "",
                ]);
                expect(starts().map((c) => c.trim())).toEqual(["docker start pn1", "docker start pn1"]);
            });

            it("give up after a bounded number of tries, and fail the unit", () => {
                root.write("/stub/.state/swarm", "active\n");
                state("pn1", `false ${ATTACH}`, 99);
                const r = run(startScript("lab1", ["pn1"]));
                expect([r.code, r.stderr]).toEqual([1, `pn1: not started after ${START_TRIES} tries: ${ATTACH}\n`]);
                expect(starts()).toHaveLength(START_TRIES);
            });

            it("are started again while watching when a restart after a death fails; hand-stopped ones and others' containers are left alone", () => {
                root.write("/stub/.state/swarm", "active\n");
                state("pn1", `false ${ATTACH}`, START_TRIES + 2);
                state("h2", "false ");
                root.write("/stub/.state/events", "pn1\nother\nh2\n");
                // The unit runs it as "containers-start.sh watch"; the stub's event stream ends after its three deaths.
                const r = run(`set -- watch\n${startScript("lab1", ["pn1", "h2"])}`);
                expect(r.code).toBe(1);
                const lines = r.stdout.split("\n");
                expect(lines.slice(START_TRIES + 1)).toEqual([
                    "h2: stopped, with no failed start: left stopped",
                    "watching dockerd's events: a container whose restart fails is started again",
                    `pn1: restart failed (${ATTACH}): docker start, try 1 of ${START_TRIES}`,
                    `pn1: restart failed (${ATTACH}): docker start, try 2 of ${START_TRIES}`,
                    `pn1: restart failed (${ATTACH}): docker start, try 3 of ${START_TRIES}`,
                    "pn1: started",
                    "",
                ]);
                expect(r.stderr).toBe(
                    `pn1: not started after ${START_TRIES} tries: ${ATTACH}\n` +
                        "dockerd's event stream ended (dockerd stopped or restarted): systemd starts the watch again in 30 s\n",
                );
                expect(starts()).toHaveLength(START_TRIES + 3);
                expect(starts().filter((c) => !c.includes("pn1"))).toEqual([]);
                // One event stream, replayed from before the boot pass; no polling of each container.
                const events = root.calls().filter((c) => c.startsWith("docker events"));
                expect(events).toHaveLength(1);
                expect(events[0]).toMatch(/^docker events --since \d+ --filter type=container --filter event=die /);
            });

            it("give up on a container whose restarts keep failing while watching, and watch on", () => {
                root.write("/stub/.state/swarm", "active\n");
                root.write("/stub/.state/events", "pn1\npn1\n");
                state("pn1", `false ${ATTACH}`, 99);
                const r = run(`set -- watch\n${startScript("lab1", ["pn1"])}`);
                expect(r.code).toBe(1);
                const gaveUp = `pn1: not started after ${START_TRIES} tries: ${ATTACH}`;
                // The boot pass gives up, then the watch after each of the two deaths, and the watch goes on to the next.
                expect(r.stderr.split("\n")).toEqual([gaveUp, gaveUp, gaveUp, expect.stringMatching(/^dockerd's event stream ended/), ""]);
                expect(starts()).toHaveLength(3 * START_TRIES);
            });

            it("are left as they are when the swarm never becomes active", () => {
                state("pn1", `false ${ATTACH}`);
                const r = run(startScript("lab1", ["pn1"]));
                expect([r.code, r.stderr]).toEqual([1, "the swarm is not active after 600 s: containers left as they are\n"]);
                expect(starts()).toEqual([]);
            });
        });

        it("an anchor for a host that is not in the swarm fails naming the host, and creates nothing", () => {
            root.write("/stub/.state/nodes", "n1 10.0.0.1\n");
            const r = run(anchorCreate("net1", "lab3", "10.0.0.3", "ha-lab/galera:10.11"));
            expect([r.code === 0, r.stderr]).toEqual([false, "no swarm node advertises 10.0.0.3 (host lab3): has it joined the swarm?\n"]);
            expect(root.calls().filter((c) => c.startsWith("docker service create"))).toEqual([]);
        });

        const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAAkeybody\n-----END OPENSSH PRIVATE KEY-----";
        const target = { address: "10.0.0.1", port: 2222, user: "root", dialRetries: 3 };

        it("the join token is read on the manager over its SSH connection, the key on stdin only, in a private file that goes", () => {
            run(swarmInit("10.0.0.1"));
            const r = run(swarmTokenRead(target), KEY);
            expect([r.code, r.stdout, r.stderr]).toEqual([0, `${STUB_SWARM_TOKEN}\n`, ""]);
            const ssh = root.calls().find((c) => c.startsWith("ssh "));
            expect(ssh).toMatch(/ -p 2222 -l root 10\.0\.0\.1 if \[ .*ControlAvailable.* \]; then docker swarm join-token -q worker; fi $/);
            expect(ssh).toContain("-o StrictHostKeyChecking=no");
            expect(ssh).toContain("-F /dev/null");
            expect(ssh).not.toContain("b3BlbnNzaC1");
            // The key as the connection has it, with the newline OpenSSH wants at its end.
            expect(root.read("/stub/.state/ssh-identity")).toBe(`${KEY}\n`);
            expect(root.find(/./).filter((p) => p.startsWith("/tmp/"))).toEqual([]);
        });

        it("a pinned host key is the only key the token read accepts", () => {
            run(swarmInit("10.0.0.1"));
            const r = run(swarmTokenRead({ ...target, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKey" }), KEY);
            expect(r.code).toBe(0);
            const ssh = root.calls().find((c) => c.startsWith("ssh "));
            expect(ssh).toContain("-o StrictHostKeyChecking=yes -o HostKeyAlgorithms=ssh-ed25519");
            expect(root.read("/stub/.state/ssh-known-hosts")).toBe("10.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKey\n[10.0.0.1]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKey\n");
            expect(swarmTokenRead({ ...target, hostKey: "ssh-rsa AAAAB3NzaC1yc2E" })).toContain("-o HostKeyAlgorithms=rsa-sha2-512,rsa-sha2-256,ssh-rsa");
        });

        it("reading the token from a host that is no swarm manager yet (a preview before init) prints nothing, neither key nor token", () => {
            const r = run(swarmTokenRead(target), KEY);
            expect([r.code, r.stdout]).toEqual([0, ""]);
            expect(r.output).not.toMatch(/b3BlbnNzaC1|SWMTKN/);
            expect(root.find(/./).filter((p) => p.startsWith("/tmp/"))).toEqual([]);
        });

        it("docker_gwbridge: created on the subnet once, recreated on another subnet outside a swarm, removed", () => {
            const r = run(gwbridgeCreate("10.201.0.0/24"));
            expect([r.code, r.output.trim().split("\n").pop()]).toEqual([0, "docker_gwbridge created on 10.201.0.0/24"]);
            expect(run(gwbridgeCreate("10.201.0.0/24")).output).toBe("docker_gwbridge already on 10.201.0.0/24\n");
            expect(run(gwbridgeCreate("10.202.0.0/24")).code).toBe(0);
            expect(root.calls()).toContain("docker network rm docker_gwbridge ");
            expect(run(GWBRIDGE_DELETE).code).toBe(0);
            expect(root.exists("/stub/.state/net-docker_gwbridge")).toBe(false);
        });
    });
});

// Every step of the example stacks: steps run on their own host's root, in the order the
// stack declares them (the dependency order), and are deleted in the reverse order.
describe.each(EXAMPLE_STACKS.map((f) => [stackLabel(f), f]))("steps of %s run", (_label, stackFile) => {
    let steps: Step[];
    const stack = loadStackFile(stackFile);
    beforeAll(async () => {
        steps = await stackSteps(stack);
    }, 60_000);

    it.each(SHELLS.map((s) => [s]))("under %s: create, create again as an update, then delete, each exiting 0", (shell) => {
        const roots = hostRoots(stack, steps);
        const problems: string[] = [];
        const go = (s: Step, phase: "create" | "update" | "delete") => {
            const r = roots.get(s.host)!.run(phase === "delete" ? s.delete : s.create, { shell, stdin: s.stdin });
            if (r.code !== 0) problems.push(`${s.name} ${phase} exited ${r.code}:\n${r.output}`);
            return r;
        };
        try {
            for (const s of steps) go(s, "create");
            for (const s of steps) {
                const r = go(s, "update");
                // A second run writes nothing: every file is in place already.
                expect([s.name, r.output.match(/^(wrote|mode) .*$/gm) ?? []]).toEqual([s.name, []]);
            }
            for (const s of [...steps].reverse()) go(s, "delete");
            for (const [host, root] of roots) {
                // Nothing half-written is left, and the swarm is gone again.
                expect([host, root.find(TEMP), root.exists("/stub/.state/swarm")]).toEqual([host, [], false]);
            }
        } finally {
            for (const r of roots.values()) r.close();
        }
        expect(problems).toEqual([]);
    }, 600_000);
});
