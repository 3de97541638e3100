// Pins each lab host's SSH key in a config copy: hosts[].ssh.hostKey of every host of the lab
// becomes the ed25519 key the lab generated for it: for the namespace lab's lab<N>, read from
// <LAB_DIR>/lab<N>/fs/etc-ssh/ssh_host_ed25519_key.pub; for the VM lab's VMs, from the hostKey
// lab/vm/vms.sh wrote into <dir>/vms.json. The committed stack files cannot hold these: they are
// new on every machine (and after lab:down). lab/stack.sh prepare runs it.
//   pin-host-keys.ts <config copy>
import * as fs from "fs";
import * as path from "path";
import { parseDocument } from "yaml";
import { LAB_DIR, labVms } from "./lib/lab-stack";
import { parsePublicKey } from "../model/host-key";

/** Where lab/hosts.sh keeps a lab host's public ed25519 host key. */
export function labHostKeyFile(host: string, labDir: string = LAB_DIR): string {
    return path.join(labDir, host, "fs", "etc-ssh", "ssh_host_ed25519_key.pub");
}

/**
 * The stack file text with every lab host's key pinned (its comment dropped); hosts whose name is
 * not lab<N> are left as they are. A lab host without a key file is an error.
 */
export function withLabHostKeys(text: string, labDir: string = LAB_DIR): { text: string; pinned: string[] } {
    const doc = parseDocument(text);
    const vms = labVms(labDir);
    const hosts = doc.getIn(["config", "ha-mysql:topology", "hosts"]) as { items?: unknown[] } | undefined;
    const pinned: string[] = [];
    (hosts?.items ?? []).forEach((_, i) => {
        const name = doc.getIn(["config", "ha-mysql:topology", "hosts", i, "name"]);
        if (typeof name !== "string") return;
        let key: string;
        let from: string;
        if (vms) {
            const vm = vms.find((v) => v.name === name);
            if (!vm) return;
            [key, from] = [vm.hostKey.trim().split(/\s+/).slice(0, 2).join(" "), path.join(labDir, "vms.json")];
        } else {
            if (!/^lab[1-9]$/.test(name)) return;
            from = labHostKeyFile(name, labDir);
            if (!fs.existsSync(from)) throw new Error(`${from} is missing: lab host ${name} has no host key yet (run lab/hosts.sh up)`);
            key = fs.readFileSync(from, "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
        }
        if (!parsePublicKey(key) || !key.startsWith("ssh-ed25519 ")) throw new Error(`${from} does not hold an ed25519 public key for ${name}`);
        doc.setIn(["config", "ha-mysql:topology", "hosts", i, "ssh", "hostKey"], key);
        pinned.push(name);
    });
    return { text: doc.toString(), pinned };
}

if (require.main === module) {
    const file = process.argv[2];
    if (!file) {
        console.error("usage: pin-host-keys.ts <config copy>");
        process.exit(2);
    }
    try {
        const { text, pinned } = withLabHostKeys(fs.readFileSync(file, "utf8"));
        fs.writeFileSync(file, text);
        console.log(`pinned the host keys of ${pinned.join(", ") || "no lab host"} in ${file}`);
    } catch (err) {
        console.error(err instanceof Error ? err.message : String(err));
        process.exit(1);
    }
}
