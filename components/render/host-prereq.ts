// The host prerequisites step, after the install step: Docker answering (where it runs), the state directory,
// and the sysctl drop-ins with the values they replace saved so that destroy can put them back.
import { PAYLOAD_PATHS, WRITE_FILES } from "./step-scripts";

/** Where this project keeps what it needs to undo its changes on a host. */
export const STATE_DIR = "/var/lib/ha-mysql";

// Each sysctl value is saved before this stack first changes it, so that destroy can put it
// back. Run as an update, the keys the previous drop-in set and the new one does not get their
// saved value back, and a drop-in the stack no longer renders goes.
const PREREQ_BODY = `mkdir -p ${STATE_DIR}
before=${STATE_DIR}/sysctl.before
stdin=$(mktemp); new_keys=$(mktemp); old_keys=$(mktemp)
trap 'rm -f "$stdin" "$new_keys" "$old_keys" "$before.tmp"' EXIT
trap 'exit 1' HUP INT TERM
cat > "$stdin"
keys() { sed -n 's/^ *\\([a-z0-9_.]*\\) *=.*/\\1/p' | sort -u; }
saved() { awk -v k="$1" '$1 == k { sub(/^[^=]*= */, ""); print; found = 1 } END { exit !found }' "$before"; }
sed -n 's|^/etc/sysctl\\.d/.* [0-7]* \\([^ ]*\\)$|\\1|p' "$stdin" | while read -r b64; do printf '%s' "$b64" | base64 -d; echo; done | keys > "$new_keys"
cat /etc/sysctl.d/90-ha-mysql*.conf 2>/dev/null | keys > "$old_keys"
touch "$before"
# A key the drop-in in place already sets but nobody saved holds our value, not the original: skip it.
while read -r key; do
  saved "$key" >/dev/null || grep -qxF -- "$key" "$old_keys" || echo "$key = $(sysctl -n "$key")" >> "$before"
done < "$new_keys"
comm -23 "$old_keys" "$new_keys" | while read -r key; do
  if value=$(saved "$key"); then
    if sysctl -q -w "$key=$value"; then echo "restored $key = $value"; else echo "could not restore $key = $value" >&2; fi
  fi
  awk -v k="$key" '$1 != k' "$before" > "$before.tmp" && mv -f "$before.tmp" "$before"
done
${WRITE_FILES} < "$stdin"
for f in /etc/sysctl.d/90-ha-mysql*.conf; do
  if [ -f "$f" ] && ! ${PAYLOAD_PATHS} "$stdin" | grep -qxF -- "$f"; then rm -f "$f"; echo "removed $f (no longer rendered)"; fi
done
for f in /etc/sysctl.d/90-ha-mysql*.conf; do if [ -f "$f" ]; then sysctl -q -p "$f"; fi; done
echo "host $(hostname) ready"`;

/** The step's create script; where the stack runs a Docker engine, that engine must answer first. */
export function prereqCreate(dockerEngine: boolean): string {
    const docker = `docker info >/dev/null 2>&1 || { echo "the Docker engine on $(hostname) does not answer (the host's install step starts it)" >&2; exit 1; }\n`;
    return `set -eu\n${dockerEngine ? docker : ""}${PREREQ_BODY}`;
}

export const PREREQ_DELETE = `set -eu
rm -f /etc/sysctl.d/90-ha-mysql*.conf
if [ -f ${STATE_DIR}/sysctl.before ]; then sysctl -q -p ${STATE_DIR}/sysctl.before || true; rm -f ${STATE_DIR}/sysctl.before; fi
rmdir ${STATE_DIR} 2>/dev/null || true
echo "host $(hostname) prerequisites removed"`;
