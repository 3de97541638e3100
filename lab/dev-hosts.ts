// The host section of Pulumi.dev.yaml, generated from lab/lab.env so the dev stack addresses
// exactly the hosts lab/hosts.sh creates.
//   npm run lab:dev-hosts            rewrite the section in place
//   npm run lab:dev-hosts -- --check exit 1 when the file differs from what it would write
import * as fs from "fs";
import * as path from "path";
import { LabHost, labHosts } from "./lib/lab-description";

export const DEV_STACK = path.resolve(__dirname, "../Pulumi.dev.yaml");

const START = "    hosts:\n";
const END = "    network:\n";

/** The entries under `hosts:`, in the file's flow style. */
export function renderDevHosts(hosts: readonly LabHost[]): string {
    return hosts
        .map((h, i) =>
            [
                `      - name: ${h.name}`,
                `        ssh: { address: ${h.address} }`,
                `        lan: { interface: eth0, address: ${h.address}/24, macvlanShim: ${h.shim} }`,
                ...(i === 0 ? ["        swarmRole: manager"] : []),
                `        docker: { host: "unix://${h.dockerSocket}" }`,
            ].join("\n") + "\n",
        )
        .join("");
}

/** The stack file with its host section replaced. */
export function withDevHosts(text: string, hosts: readonly LabHost[] = labHosts()): string {
    const a = text.indexOf(START);
    const b = text.indexOf(END, a);
    if (a < 0 || b < 0) throw new Error(`${DEV_STACK}: no "hosts:" section followed by "network:" under ha-mysql:topology`);
    return text.slice(0, a + START.length) + renderDevHosts(hosts) + text.slice(b);
}

if (require.main === module) {
    const current = fs.readFileSync(DEV_STACK, "utf8");
    const wanted = withDevHosts(current);
    if (process.argv.includes("--check")) {
        if (current !== wanted) {
            console.error(`${path.basename(DEV_STACK)}: the host section differs from lab/lab.env; run npm run lab:dev-hosts`);
            process.exit(1);
        }
        console.log(`${path.basename(DEV_STACK)}: host section matches lab/lab.env`);
    } else {
        fs.writeFileSync(DEV_STACK, wanted);
        console.log(`${path.basename(DEV_STACK)}: ${labHosts().length} hosts written from lab/lab.env`);
    }
}
