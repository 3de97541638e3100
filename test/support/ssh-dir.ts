// The graph and render tests run the stack program, which writes the Docker provider's ssh files of
// ssh:// hosts (components/host/docker-ssh.ts): into a scratch directory per test file, never
// into the home directory of whoever runs the tests.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-mysql-ssh-"));
process.env.HA_MYSQL_SSH_DIR = dir;
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
