// The lab's secret grep, as a pure function: which secret shows where, by key only.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { leaks, readableSecretFiles } from "../../lab/lib/secret-leaks";

describe("leaks", () => {
    const secrets = { rootPassword: "r00t-Pw-9f8e7d6c5b", sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\nAAAAAAABAAAAMwAAAAtzc2gtZWQyNTUxOQ\n-----END OPENSSH PRIVATE KEY-----\n" };

    it("names the key and the place of each hit, never the value", () => {
        const found = leaks(secrets, [
            { where: "docker inspect on h1", text: '"Env": ["MYSQL_ROOT_PASSWORD=r00t-Pw-9f8e7d6c5b"]' },
            { where: "ps", text: "sh -c true" },
        ]);
        expect(found).toEqual(["rootPassword in docker inspect on h1"]);
        expect(found.join()).not.toContain("r00t");
    });

    it("finds one line of a multi-line key, but not its armour nor the header line every such key shares", () => {
        expect(leaks(secrets, [{ where: "a log", text: "key: AAAAAAABAAAAMwAAAAtzc2gtZWQyNTUxOQ" }])).toEqual(["sshPrivateKey in a log"]);
        expect(leaks(secrets, [{ where: "a log", text: "-----BEGIN OPENSSH PRIVATE KEY-----" }])).toEqual([]);
        // Another process's own ed25519 key starts with the same line.
        expect(leaks(secrets, [{ where: "another key", text: "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\nsomething else" }])).toEqual([]);
    });

    it("finds nothing where nothing is", () => {
        expect(leaks(secrets, [{ where: "docker inspect", text: '"Env": ["MYSQL_ROOT_PASSWORD_FILE=/etc/mysql/ha-secrets/root-password"]' }])).toEqual([]);
    });

    it("finds a host file holding a secret that others may read, not one that is 0600 or holds none", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-secret-files-"));
        try {
            fs.mkdirSync(path.join(dir, "etc-ha-mysql"));
            fs.mkdirSync(path.join(dir, "var-lib-docker"));
            fs.writeFileSync(path.join(dir, "etc-ha-mysql", "open.cfg"), "stats auth u:r00t-Pw-9f8e7d6c5b\n", { mode: 0o644 });
            fs.writeFileSync(path.join(dir, "etc-ha-mysql", "closed.cfg"), "stats auth u:r00t-Pw-9f8e7d6c5b\n", { mode: 0o600 });
            fs.writeFileSync(path.join(dir, "etc-ha-mysql", "plain.cfg"), "nothing secret\n", { mode: 0o644 });
            fs.writeFileSync(path.join(dir, "var-lib-docker", "upload"), "r00t-Pw-9f8e7d6c5b", { mode: 0o644 });
            fs.chmodSync(path.join(dir, "etc-ha-mysql", "open.cfg"), 0o644);
            expect(readableSecretFiles(secrets, [dir])).toEqual([`rootPassword in ${path.join(dir, "etc-ha-mysql", "open.cfg")} (mode 0644)`]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
