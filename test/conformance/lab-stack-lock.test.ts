// lab/stack.sh against the real engine's file backend: a lock left by a pulumi process that no
// longer runs (killed, or its machine stopped under it) would refuse every later run of the
// lab's stack with "the stack is currently locked"; stack.sh removes it and says so. A lock
// whose pulumi still runs, or one written on another host, is left for pulumi to report.
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const REPO = path.resolve(__dirname, "../..");
const MIN = 60_000;
const STACK = "locktest";

let work: string;
let locks: string;
let sleeper: ChildProcess | undefined;

/** Runs `bash -c script` with the lab's Pulumi environment of the scratch lab directory. */
function labBash(script: string): { code: number; out: string } {
    const r = spawnSync("bash", ["-c", script], {
        cwd: REPO,
        env: { ...process.env, HA_LAB_DIR: work, HA_LAB_STACK: STACK },
        encoding: "utf8",
        timeout: 5 * MIN,
        maxBuffer: 16 << 20,
    });
    return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

const refresh = () => labBash(`bash lab/stack.sh pulumi refresh --yes --non-interactive`);

/** Writes a lock file as the diy backend does, for the given pid and host. */
function plantLock(id: string, pid: number, hostname: string): string {
    const file = path.join(locks, `${id}.json`);
    fs.mkdirSync(locks, { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ pid, username: "root", hostname, timestamp: new Date().toISOString() }));
    return file;
}

/** A pid that ran and has ended. */
function deadPid(): number {
    const r = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" });
    return Number(r.stdout.trim());
}

beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "lab-stack-lock-"));
    // The stack exists, created as lab/stack.sh prepare creates it (in a scratch project copy),
    // with a config copy holding only its salt.
    const init = labBash(`eval "$(bash lab/stack.sh env)" >/dev/null 2>&1 && s=$(mktemp -d) && cp Pulumi.yaml "$s/" && cd "$s" &&
        command pulumi stack init ${STACK} --secrets-provider passphrase >/dev/null &&
        grep '^encryptionsalt:' "Pulumi.${STACK}.yaml" > "${work}/pulumi/Pulumi.${STACK}.yaml" && rm -rf "$s"`);
    if (init.code !== 0) throw new Error(init.out);
    locks = path.join(work, "pulumi", "state", ".pulumi", "locks", "organization", "ha-mysql", STACK);
}, 10 * MIN);

afterAll(() => {
    if (sleeper?.pid) process.kill(sleeper.pid, "SIGKILL");
    if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe("lab/stack.sh and the stack's locks", () => {
    it("runs over a lock whose pulumi process is gone, and says it removed it", () => {
        expect(refresh().code).toBe(0);
        const stale = plantLock("stale", deadPid(), os.hostname());
        const r = refresh();
        expect([r.code, r.out]).toEqual([0, expect.stringContaining(`removing the stale lock`)]);
        expect(r.out).toContain("is not running pulumi");
        expect(fs.existsSync(stale)).toBe(false);
    }, 5 * MIN);

    it("leaves a live pulumi's lock and one from another host for pulumi to report", () => {
        // A process whose name is pulumi, as a running CLI's is.
        fs.mkdirSync(path.join(work, "bin"));
        const fake = path.join(work, "bin", "pulumi");
        fs.copyFileSync("/bin/sleep", fake);
        fs.chmodSync(fake, 0o755);
        sleeper = spawn(fake, ["120"], { stdio: "ignore" });
        const live = plantLock("live", sleeper.pid as number, os.hostname());
        let r = refresh();
        expect(r.code).not.toBe(0);
        expect(r.out).toContain("the stack is currently locked by 1 lock(s)");
        expect(fs.existsSync(live)).toBe(true);
        fs.rmSync(live);
        process.kill(sleeper.pid as number, "SIGKILL");
        sleeper = undefined;

        const other = plantLock("other", deadPid(), "another-host");
        r = refresh();
        expect(r.code).not.toBe(0);
        expect(r.out).toContain("created by root@another-host");
        expect(fs.existsSync(other)).toBe(true);
    }, 5 * MIN);
});
