// The VM lab's warm start (lab/vm/warm.sh): on fresh VMs, each host's install step exactly as
// the stack's install step runs it (the script rendered from the vmlab stack, the same files on
// stdin, bash as the remote shell), then a pull of every image the stack runs on that host from
// the lab registry. warm.sh then removes the lab key, powers the VMs off and keeps the VMs' disks as the
// backing of later VMs, so that `pulumi up` meets hosts where its install step finds everything
// present, as on a second run.
//   warm.ts plan      what the warm disks hold, one line per host (warm.sh hashes it)
//   warm.ts run       install and pull on every host in parallel
import { spawn } from "child_process";
import * as path from "path";
import { Topology } from "../../model/schema";
import { hostRequirements } from "../../model/host-requirements";
import { renderInstall } from "../../components/render/host-install";
import { filesPayload } from "../../components/remote/payload";
import { LAB_DIR, loadLabStack, shellWord } from "../lib/lab-stack";
import { imagesOnHost } from "../../model/derive";

/** Installing under emulation takes 10-14 minutes a VM; pulls a few more. */
const STEP_TIMEOUT_MS = 45 * 60_000;

/** The images of every group in the topology (an object with `image` and `nodes` placed on hosts) that has a node on the host. */
export function plan(t: Topology): string[] {
    return t.hosts.map((h) => {
        const r = hostRequirements(t, h.name);
        const pkgs = r.pieces.map((p) => `${p.name}=${p.packages["apt-get"].join("+")}`);
        return `${h.name} install ${pkgs.join(",")} modules ${r.modules.map((m) => m.name).join(",")} images ${imagesOnHost(t, h.name).join(",")}`;
    });
}

/** Runs one command on a VM over the lab's ssh, streaming its output with the host's name in front. */
function onVm(address: string, host: string, script: string, input: string, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
        const t0 = Date.now();
        const child = spawn("ssh", ["-F", path.join(LAB_DIR, "ssh", "config"), address, "--", ["bash", "-c", script].map(shellWord).join(" ")], { stdio: ["pipe", "pipe", "pipe"] });
        const timer = setTimeout(() => child.kill("SIGKILL"), STEP_TIMEOUT_MS);
        const out = (chunk: Buffer) => {
            for (const line of chunk.toString().split("\n")) if (line.trim()) console.log(`[warm ${host}] ${line}`);
        };
        child.stdout.on("data", out);
        child.stderr.on("data", out);
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            const s = ((Date.now() - t0) / 1000).toFixed(1);
            if (code === 0) {
                console.log(`[warm ${host}] ${what}: ok in ${s} s`);
                resolve();
            } else reject(new Error(`${host}: ${what} failed after ${s} s (exit ${code ?? signal})`));
        });
        child.stdin.end(input);
    });
}

async function main(): Promise<void> {
    const cmd = process.argv[2];
    const lab = loadLabStack();
    const t = lab.topology;
    if (cmd === "plan") {
        for (const line of plan(t)) console.log(line);
        return;
    }
    if (cmd !== "run") throw new Error("usage: warm.ts plan | run");
    if (lab.kind !== "vm") throw new Error("no VM lab here (vms.json missing): warm.ts runs from lab/vm/warm.sh");
    await Promise.all(
        t.hosts.map(async (h) => {
            const install = renderInstall(t, h.name);
            await onVm(h.ssh.address, h.name, install.create, filesPayload(install.files), "the stack's install step");
            for (const image of imagesOnHost(t, h.name)) await onVm(h.ssh.address, h.name, `docker pull -q ${shellWord(image)}`, "", `docker pull ${image}`);
        }),
    );
}

if (require.main === module) {
    main().then(
        () => process.exit(0),
        (err) => {
            console.error(`[warm] ${err instanceof Error ? err.message : String(err)}`);
            process.exit(1);
        },
    );
}
