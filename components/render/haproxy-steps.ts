// The host side of an HAProxy node: its config directory (bind-mounted read-only into the
// container) written from stdin, and a reload of the running master instead of a restart.
import * as path from "path";
import { quote, WRITE_FILES } from "./step-scripts";

/** Host directory holding one subdirectory per HAProxy node. */
export const HAPROXY_HOST_DIR = "/etc/ha-mysql/haproxy";

/** Where the master writes its PID (writable for the official image's non-root user too). */
export const HAPROXY_PID_PATH = "/tmp/haproxy-master.pid";

/**
 * Reloads a running HAProxy container: SIGUSR2 to the master, sent from inside with
 * `docker exec`. Not `docker kill -s USR2`: on Docker 20.10 any `docker kill` marks the
 * container as stopped by hand, so after a later crash its restart policy never restarts it
 * (measured in the lab: HasBeenManuallyStopped true after the signal, no restart after a
 * SIGKILL). A container without the pidfile predates it and is being replaced in this same
 * update; Docker's signal is good enough for it.
 */
export function reloadScript(container: string): string {
    const c = quote(container);
    return `if [ "$(docker inspect -f '{{.State.Running}}' ${c} 2>/dev/null)" = true ]; then
  if docker exec ${c} sh -c 'kill -USR2 "$(cat ${HAPROXY_PID_PATH})"' 2>/dev/null; then echo "reloaded ${container}"
  else docker kill -s USR2 ${c} >/dev/null; echo "reloaded ${container} through Docker (no master pidfile: container predates it)"; fi
fi`;
}

/**
 * Hands the config (0600: it holds the stats password) to the account the image runs HAProxy
 * as: root in the lab's image, the unprivileged haproxy user in the official one. `id -u` in
 * the image itself tells which, whatever the image calls the user.
 */
export function configOwner(image: string, cfg: string): string {
    const i = quote(image);
    return `owner=$(docker run --rm --network none --entrypoint id ${i} -u) || { echo "cannot run id in ${image} to learn which user reads ${cfg}" >&2; exit 1; }
chown "$owner" ${quote(cfg)}`;
}

/** Writes the node's config read on stdin, gives it to the image's user, then reloads the node if it runs. */
export function haproxyConfigApply(container: string, image: string, cfg: string): string {
    return `set -eu\n${WRITE_FILES}\n${configOwner(image, cfg)}\n${reloadScript(container)}`;
}

/** Removes the node's config directory; the parents go too when nothing else is left in them. */
export function haproxyConfigRemove(hostDir: string): string {
    return `rm -rf ${quote(hostDir)}\nrmdir ${HAPROXY_HOST_DIR} 2>/dev/null || true\nrmdir ${path.dirname(HAPROXY_HOST_DIR)} 2>/dev/null || true\necho "removed ${hostDir}"`;
}
