// The HAProxy config step, run with sh against a temporary directory and a stub `docker`: the
// config holds the stats password, so it ends up 0600 and owned by the user the image runs
// HAProxy as (what `id -u` prints in the image), and a failing lookup stops the step.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { filesPayload } from "../../components/remote/payload";
import { renderHaproxyCfg } from "../../components/render/haproxy";
import { haproxyConfigApply } from "../../components/render/haproxy-steps";
import { allStackFiles, loadStackFile, stackLabel } from "../support/stacks";

const dev = allStackFiles().map((f) => ({ label: stackLabel(f), ...loadStackFile(f) })).find((s) => s.label === "dev")!;
const node = dev.topology.haproxy!.nodes[0].name;

function runStep(imageUid: string | undefined): { status: number | null; out: string; cfg: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-haproxy-owner-"));
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    // `docker run ... id -u` prints the image's uid (or fails); `docker inspect` says the container is not running.
    fs.writeFileSync(
        path.join(bin, "docker"),
        `#!/bin/sh\ncase "$1" in run) ${imageUid === undefined ? 'echo "Unable to find image" >&2; exit 125' : `echo ${imageUid}`} ;; inspect) echo false ;; *) exit 1 ;; esac\n`,
        { mode: 0o755 },
    );
    const cfgPath = path.join(dir, "etc", node, "haproxy.cfg");
    const cfg = renderHaproxyCfg(dev.topology, node, dev.secrets);
    const r = spawnSync("sh", ["-c", haproxyConfigApply(node, dev.topology.haproxy!.image, cfgPath)], {
        input: filesPayload([{ ...cfg, path: cfgPath }]),
        encoding: "utf8",
        env: { PATH: `${bin}:${process.env.PATH}` },
        timeout: 30_000,
    });
    return { status: r.status, out: r.stdout + r.stderr, cfg: cfgPath };
}

describe("HAProxy config step", () => {
    it("renders the config 0600", () => {
        expect(renderHaproxyCfg(dev.topology, node, dev.secrets).mode).toBe("0600");
    });

    it("hands the config to the image's user, mode 0600", () => {
        const r = runStep("4242");
        expect(r.status).toBe(0);
        const st = fs.statSync(r.cfg);
        expect((st.mode & 0o777).toString(8)).toBe("600");
        expect(st.uid).toBe(4242);
        for (const value of Object.values(dev.secrets)) expect(r.out).not.toContain(value);
    });

    it("stops when the image cannot say who it runs as", () => {
        const r = runStep(undefined);
        expect(r.status).not.toBe(0);
        expect(r.out).toContain(`cannot run id in ${dev.topology.haproxy!.image}`);
    });
});
