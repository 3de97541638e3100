// The first step on every host: the key the host presents, compared with the stack's pin
// (hosts[].ssh.hostKey) on the machine that runs Pulumi, before any step dials the host. The
// providers only say "ssh: host key mismatch"; this check names the host and both fingerprints.
export { fingerprint } from "../../model/host-key";
import { fingerprint, keyscanType, parsePublicKey } from "../../model/host-key";
import { Host } from "../../model/schema";
import { shellQuote } from "./escape";

/** Seconds between two scans of a host that does not answer (as many scans as dialRetries). */
export const SCAN_PAUSE_S = 2;

/**
 * The check as a local shell script (POSIX sh, ssh-keyscan and ssh-keygen from OpenSSH's client).
 * It passes when the host presents the pinned key, and fails naming the host, the fingerprint it
 * presented and the pinned one. Without a pin it only says that nothing is checked.
 */
export function renderHostKeyCheck(host: Host, index: number): string {
    const where = `host ${host.name} (${host.ssh.address})`;
    if (!host.ssh.hostKey) {
        return `echo ${shellQuote(`${where} has no pinned host key (hosts[${index}].ssh.hostKey): its key is not checked, any key is accepted`)}`;
    }
    const pin = parsePublicKey(host.ssh.hostKey);
    if (!pin) throw new Error(`hosts[${index}].ssh.hostKey is not a public key line`);
    const pinned = fingerprint(host.ssh.hostKey);
    const port = host.ssh.port;
    const scanCmd = `ssh-keyscan -t ${keyscanType(pin.type)} -p ${port} ${host.ssh.address}`;
    const fix =
        `Nothing was applied. If the host was reinstalled, confirm its new key out of band (${scanCmd} shows what answers there) ` +
        `and pin it in hosts[${index}].ssh.hostKey; otherwise something else answers at ${host.ssh.address}:${port}.`;
    return `# The key ${host.name} presents, compared with hosts[${index}].ssh.hostKey before any step dials it.
set -u
where=${shellQuote(where)}
pin_type=${shellQuote(pin.type)}
pin_key=${shellQuote(pin.base64)}
pinned=${shellQuote(pinned)}
fp() { printf '%s %s\\n' "$1" "$2" | ssh-keygen -lf - | awk '{ print $2 }'; }
tries=0
while :; do
  scan=$(ssh-keyscan -T 15 -p ${port} ${host.ssh.address} 2>/dev/null | grep -v '^#')
  [ -n "$scan" ] && break
  tries=$((tries + 1))
  if [ "$tries" -ge ${host.ssh.dialRetries} ]; then
    echo "$where did not answer ssh-keyscan on port ${port} (${host.ssh.dialRetries} attempts): its host key cannot be compared with the pin $pinned" >&2
    exit 1
  fi
  sleep ${SCAN_PAUSE_S}
done
if printf '%s\\n' "$scan" | awk -v t="$pin_type" -v k="$pin_key" '$2 == t && $3 == k { found = 1 } END { exit !found }'; then
  echo "$where presents the pinned $pin_type key $pinned"
  exit 0
fi
presented=$(printf '%s\\n' "$scan" | awk -v t="$pin_type" '$2 == t { print $3; exit }')
if [ -n "$presented" ]; then
  echo "$where presented $(fp "$pin_type" "$presented") ; the stack pins $pinned" >&2
else
  others=$(printf '%s\\n' "$scan" | while read -r _ t k; do printf ' %s (%s)' "$(fp "$t" "$k")" "$t"; done)
  echo "$where presented no $pin_type key, only$others ; the stack pins $pinned" >&2
fi
echo ${shellQuote(fix)} >&2
exit 1`;
}

/**
 * The local step's command and stdin: the script goes on stdin, so that a failure reads
 * `running "sh -s ...": host lab1 (...) presented ...` rather than the whole script.
 */
export function hostKeyCheckStep(host: Host, index: number): { create: string; stdin?: string } {
    const script = renderHostKeyCheck(host, index);
    if (!host.ssh.hostKey) return { create: script };
    return { create: `sh -s # compares the key ${host.name} presents with hosts[${index}].ssh.hostKey (the script is on stdin)`, stdin: `${script}\n` };
}

