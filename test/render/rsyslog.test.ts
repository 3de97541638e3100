import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { HAPROXY_LOG_FILE, HAPROXY_RSYSLOG_PATH, renderHaproxyRsyslog } from "../../components/render/rsyslog";
import { expectGolden } from "../support/golden";
import { allStackFiles, loadStackFile, stackLabel } from "../support/stacks";

/**
 * rsyslogd -N1 validates a whole configuration, so the drop-in is wrapped in a minimal main
 * config that includes it, as /etc/rsyslog.conf includes /etc/rsyslog.d/*.conf.
 */
function rsyslogCheck(dropIn: string, mainPrefix = ""): { code: number; output: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rsyslog-"));
    try {
        const inc = path.join(dir, path.basename(HAPROXY_RSYSLOG_PATH));
        fs.writeFileSync(inc, dropIn);
        const main = path.join(dir, "rsyslog.conf");
        fs.writeFileSync(main, `${mainPrefix}include(file="${inc}")\n`);
        const r = spawnSync("rsyslogd", ["-N1", "-f", main], { encoding: "utf8", timeout: 30_000 });
        if (r.error) throw r.error;
        return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const stacks = allStackFiles()
    .map((file) => ({ label: stackLabel(file), ...loadStackFile(file) }))
    .filter((s) => s.topology.haproxy !== undefined);

describe("rsyslog drop-in for HAProxy", () => {
    const f = renderHaproxyRsyslog();

    it("has stacks with HAProxy (not vacuous)", () => expect(stacks.length).toBeGreaterThanOrEqual(3));

    it.each(stacks.map((s) => [s.label] as const))("matches the golden file for %s", (label) => {
        expectGolden(`${label}/rsyslog-49-haproxy.conf`, f.content);
    });

    it("goes before Debian's 50-default.conf", () => expect(f.path).toBe("/etc/rsyslog.d/49-haproxy.conf"));

    it("passes rsyslogd -N1", () => {
        const v = rsyslogCheck(f.content);
        expect(v.output).toContain("End of config validation run");
        expect(v.output).not.toMatch(/error|warning/i);
        expect(v.code).toBe(0);
    });

    it("listens on loopback only and stops local0 after its own file", () => {
        expect(f.content).toContain('input(type="imudp" address="127.0.0.1" port="514")');
        expect(f.content).toContain(`local0.* action(type="omfile" file="${HAPROXY_LOG_FILE}")\n& stop\n`);
        expect(f.content).not.toMatch(/&\s*~|\$UDPServerRun|\$ModLoad/);
    });

    describe("the validator test can fail", () => {
        it("rejects a syntax error", () => {
            const v = rsyslogCheck(f.content.replace("& stop", "& stop("));
            expect(v.code).not.toBe(0);
        });
        it("rejects a main config that already loads imudp (keep it commented out there)", () => {
            const v = rsyslogCheck(f.content, 'module(load="imudp")\n');
            expect(v.code).not.toBe(0);
            expect(v.output).toMatch(/imudp' already in this config/);
        });
    });
});
