// A password an image's entrypoint reads from a file (the *_FILE convention of the official
// MySQL and MariaDB images), so it never sits in the container's environment, where
// `docker inspect` and /proc/<pid>/environ of every process in the container show it.
import { RenderedFile } from "./file";

/** Where the database containers find their root password; the entrypoint runs as root and reads it. */
export const ROOT_PASSWORD_FILE = "/etc/mysql/ha-secrets/root-password";

export function renderSecretFile(path: string, value: string): RenderedFile {
    return { path, mode: "0600", content: `${value}\n` };
}

/** The environment entry that points the entrypoint at the file. */
export const ROOT_PASSWORD_FILE_ENV = `MYSQL_ROOT_PASSWORD_FILE=${ROOT_PASSWORD_FILE}`;
