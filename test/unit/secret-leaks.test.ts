// The lab's secret grep, as a pure function: which secret shows where, by key only.
import { leaks } from "../../lab/lib/secret-leaks";

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

    it("finds one line of a multi-line key, but not its armour", () => {
        expect(leaks(secrets, [{ where: "a log", text: "key: AAAAAAABAAAAMwAAAAtzc2gtZWQyNTUxOQ" }])).toEqual(["sshPrivateKey in a log"]);
        expect(leaks(secrets, [{ where: "a log", text: "-----BEGIN OPENSSH PRIVATE KEY-----" }])).toEqual([]);
    });

    it("finds nothing where nothing is", () => {
        expect(leaks(secrets, [{ where: "docker inspect", text: '"Env": ["MYSQL_ROOT_PASSWORD_FILE=/etc/mysql/ha-secrets/root-password"]' }])).toEqual([]);
    });
});
