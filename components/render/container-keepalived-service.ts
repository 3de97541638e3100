// keepalived inside a proxy container: installed with the container's package manager (or
// from .deb files on the host), its config kept as a template whose interface tokens resolve
// at every start, and a start script the container's entrypoint runs again after a restart.
import { KEEPALIVED_CONF } from "./keepalived";
import { RenderedFile } from "./file";
import { inContainer, quote, writeFilesOwning } from "./step-scripts";
import { KEEPALIVED_SCRIPT_DIR } from "./keepalived-scripts";

// The package's init script would start a keepalived with the stock config; policy-rc.d stops it.
const NO_SERVICE_START = `if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\\nexit 101\\n' >/usr/sbin/policy-rc.d; chmod 0755 /usr/sbin/policy-rc.d; trap 'rm -f /usr/sbin/policy-rc.d' EXIT; fi`;

export const CONTAINER_KEEPALIVED_INSTALL = `set -eu
if command -v keepalived >/dev/null; then exit 0; fi
${NO_SERVICE_START}
if command -v apt-get >/dev/null; then apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends keepalived >/dev/null
elif command -v yum >/dev/null; then yum install -y -q keepalived >/dev/null
else echo "no apt-get or yum in this container: use an image with keepalived" >&2; exit 1; fi
echo "keepalived installed"`;

/** Copies the .deb files from the host directory into the container and installs them with dpkg. */
export function installFromHost(c: string, dir: string): string {
    const q = quote(c);
    const staged = "/tmp/ha-keepalived-debs";
    const dpkg = `set -eu\n${NO_SERVICE_START}\nDEBIAN_FRONTEND=noninteractive dpkg -i ${staged}/*.deb >/dev/null\nrm -rf ${staged}\necho "keepalived installed from .deb files"`;
    return `if ! docker exec ${q} sh -c 'command -v keepalived' >/dev/null 2>&1; then
  if ! ls ${quote(dir)}/*.deb >/dev/null 2>&1; then echo "keepalived.packagesDir ${dir} on $(hostname) holds no .deb files: put keepalived and the dependencies the image lacks there (apt-get install --download-only keepalived in a container of the same image)" >&2; exit 1; fi
  docker exec ${q} mkdir -p ${staged}
  docker cp ${quote(dir)}/. ${quote(`${c}:${staged}/`)}
  ${inContainer(c, dpkg)} </dev/null
fi`;
}

// The rendered keepalived.conf is kept as a template: interface tokens (placement macvlan)
// are resolved on every start, since the names can differ after a container restart.
const TEMPLATE = `${KEEPALIVED_CONF}.in`;
export const asTemplate = (f: RenderedFile): RenderedFile => (f.path === KEEPALIVED_CONF ? { ...f, path: TEMPLATE } : f);

// Each token becomes the name of the interface holding its address. The LAN's connected
// route then moves to a table used only for packets from LAN addresses (the container's
// lanIp, the VIP): with it in the main table, replies to a LAN client that came in through
// a published host port (DNAT over docker_gwbridge) left through the macvlan interface with
// the wrong source and never arrived (measured: the host-level VIP timed out).
const LAN_TABLE = 185;
const RESOLVE_INTERFACES = `conf=${KEEPALIVED_CONF}
umask 077
cp ${TEMPLATE} "$conf.tmp"
for a in $(grep -o '%iface:[0-9.]*%' "$conf.tmp" | sort -u | sed 's/%iface:\\(.*\\)%/\\1/'); do
  command -v ip >/dev/null || { echo "no ip command in this container (package iproute2)" >&2; exit 1; }
  ifc=$(ip -o -4 addr show | awk -v a="$a" '{ split($4, p, "/"); if (p[1] == a) { print $2; exit } }')
  [ -n "$ifc" ] || { echo "no interface of $(hostname) holds $a: is the container attached to the macvlan network?" >&2; exit 1; }
  sed -i "s/%iface:$a%/$ifc/g" "$conf.tmp"
  echo "VRRP interface for $a: $ifc"
  net=$(ip -4 route show dev "$ifc" proto kernel scope link | awk '{ print $1; exit }')
  if [ -n "$net" ]; then
    ip route replace "$net" dev "$ifc" table ${LAN_TABLE}
    ip rule show | grep -q "from $net lookup ${LAN_TABLE}" || ip rule add from "$net" lookup ${LAN_TABLE} pref ${LAN_TABLE}
    ip route del "$net" dev "$ifc" proto kernel scope link
    echo "LAN $net: only replies from LAN addresses use $ifc"
  fi
done
mv -f "$conf.tmp" "$conf"`;

// A SIGKILLed keepalived leaves its pidfiles behind, and keepalived refuses to start while
// they exist: pidfiles whose process is gone are removed before the start.
const START = `set -eu
${RESOLVE_INTERFACES}
pid=$(cat /run/keepalived.pid 2>/dev/null || true)
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -HUP "$pid"; echo "keepalived reloaded"; exit 0; fi
rm -f /run/keepalived.pid /run/vrrp.pid /run/checkers.pid
# In a subshell: keepalived is then adopted by the container's init, not by the service the
# entrypoint execs into (HAProxy's master waited for such a child on stop, measured).
( keepalived --dont-fork --log-console -f ${KEEPALIVED_CONF} -p /run/keepalived.pid >/proc/1/fd/1 2>&1 & )
echo "keepalived started"`;

/**
 * Kept in the container, so that its entrypoint (containerEntrypoint) runs it again when the
 * container restarts: a restart brings new interface names and a fresh network namespace without
 * the LAN policy routing, and published-port replies broke until it ran (measured).
 */
export const KEEPALIVED_START = "/etc/keepalived/start.sh";
export const START_FILE: RenderedFile = { path: KEEPALIVED_START, content: `#!/bin/sh\n${START}\n`, mode: "0700" };

/** What the apply step runs after installing and writing files (the drills use it too). */
export function containerKeepalivedStart(container: string): string {
    return `docker exec ${quote(container)} sh ${KEEPALIVED_START}`;
}

/**
 * Entrypoint of a container that holds a VIP: keepalived (when the stack has installed it) comes
 * up with the service on every start. Pidfiles left by the previous run are stale by definition,
 * and their PIDs may now belong to the service.
 */
export function containerEntrypoint(): string[] {
    const script = `rm -f /run/keepalived.pid /run/vrrp.pid /run/checkers.pid
if [ -x ${KEEPALIVED_START} ] && command -v keepalived >/dev/null; then sh ${KEEPALIVED_START} || echo "keepalived did not start: see above" >&2; fi
exec "$@"`;
    return ["/bin/sh", "-c", script, "ha-entrypoint"];
}

export const CONTAINER_KEEPALIVED_STOP = `pid=$(cat /run/keepalived.pid 2>/dev/null || true)
if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
rm -rf ${KEEPALIVED_CONF} ${TEMPLATE} ${KEEPALIVED_START} /etc/keepalived/scripts`;

/** The apply step's create: install, write the files read on stdin, start (or reload). */
export function containerKeepalivedApply(container: string, packagesDir: string | undefined): string {
    const install = packagesDir ? installFromHost(container, packagesDir) : inContainer(container, CONTAINER_KEEPALIVED_INSTALL);
    const write = inContainer(container, writeFilesOwning(KEEPALIVED_SCRIPT_DIR));
    return `set -eu\n${install} </dev/null\n${write}\n${containerKeepalivedStart(container)} </dev/null`;
}

/** The apply step's delete: stop keepalived and remove its files, if the container is still there. */
export function containerKeepalivedRemove(container: string): string {
    return `if docker inspect ${quote(container)} >/dev/null 2>&1; then ${inContainer(container, CONTAINER_KEEPALIVED_STOP)} </dev/null || true; fi\necho "keepalived stopped in ${container}"`;
}
