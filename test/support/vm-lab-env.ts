// The vmlab test project acts on the VM lab: the lab library and lab/stack.sh read these.
import * as fs from "fs";
import * as path from "path";

const env = fs.readFileSync(path.resolve(__dirname, "../../lab/vm/vm.env"), "utf8");
const dir = /^VM_LAB_DIR=(\S+)$/m.exec(env)?.[1];
if (!dir) throw new Error("lab/vm/vm.env has no VM_LAB_DIR");
process.env.HA_LAB_DIR = dir;
process.env.HA_LAB_STACK = "vmlab";
process.env.HA_LAB_SSH_KEY = path.join(dir, "ssh", "vm_key");
