import { shellQuote } from "./escape";

// Shell fragments every remote step is built from. POSIX sh: the SSH user's shell
// may be dash. Each script checks before it acts, so a re-run changes nothing.

/**
 * Reads "path mode base64" lines on stdin and writes each file atomically, only when its
 * content differs. Secrets travel on stdin, never on a command line.
 */
export const WRITE_FILES = `set -eu
while read -r path mode b64; do
  [ -n "$path" ] || continue
  dir=$(dirname "$path"); mkdir -p "$dir"
  tmp=$(mktemp "$dir/.ha-mysql.XXXXXX")
  printf '%s' "$b64" | base64 -d > "$tmp"
  chmod "$mode" "$tmp"
  if [ -f "$path" ] && cmp -s "$tmp" "$path"; then rm -f "$tmp"; echo "unchanged $path"; else mv -f "$tmp" "$path"; echo "wrote $path"; fi
done`;

/**
 * WRITE_FILES, then removes every file directly under `dir` that the payload does not name:
 * what an earlier version of the step wrote there and this one no longer renders (a track
 * script the config stopped naming). `dir` must belong to the step alone.
 */
export function writeFilesOwning(dir: string): string {
    const d = shellQuote(dir);
    return `set -eu
payload=$(mktemp)
trap 'rm -f "$payload"' EXIT
cat >"$payload"
${WRITE_FILES} <"$payload"
for f in ${d}/*; do
  [ -f "$f" ] || continue
  if ! cut -d ' ' -f 1 "$payload" | grep -qxF -- "$f"; then rm -f -- "$f"; echo "removed $f (no longer rendered)"; fi
done`;
}

/**
 * For a step that runs an apply script and keeps the matching remove script on the host:
 * undoes what only the previous generation applied. `previous` is where the step saved the
 * old remove script before writing the new one (absent on a first run); `current` is the new
 * one. Both are a preamble (shebang, functions) and then one `<call> ARGS` line per item (a
 * rule, an address), as the renderers write them: the old lines the new script lacks run with
 * the old preamble. Items both generations want are left alone, so nothing flaps.
 */
export function undoObsolete(previous: string, current: string, call: string): string {
    const p = `"${previous}"`;
    return `if [ -f ${p} ]; then
  keep=$(mktemp); gone=$(mktemp)
  grep '^${call} ' ${shellQuote(current)} >"$keep" || true
  grep '^${call} ' ${p} | grep -vxF -f "$keep" >"$gone" || true
  if [ -s "$gone" ]; then { grep -v '^${call} ' ${p}; cat "$gone"; } | sh; fi
  rm -f "$keep" "$gone" ${p}
fi`;
}

export const quote = shellQuote;

/** Runs a script inside a container, feeding it this step's stdin. */
export function inContainer(container: string, script: string): string {
    return `docker exec -i ${quote(container)} sh -c ${quote(script)}`;
}

export function removeFiles(paths: string[]): string {
    return `set -eu\nrm -f ${paths.map(quote).join(" ")}\necho "removed ${paths.length} file(s)"`;
}

/** Polls a condition once a second until it holds, failing with a message after a bound. */
export function waitFor(what: string, condition: string, seconds: number): string {
    return `i=0
until ${condition}; do
  i=$((i+1))
  if [ "$i" -ge ${seconds} ]; then echo "timed out after ${seconds}s waiting for ${what}" >&2; exit 1; fi
  [ $((i % 10)) -eq 0 ] && echo "still waiting for ${what} (\${i}s)"
  sleep 1
done
echo "${what}: ok after \${i}s"`;
}

/**
 * For an apply script that is kept on the host with its remove script (firewall rules, VIPs on
 * lo): as an update, the new items go in first, then the previous remove script takes out only
 * the items the new set dropped (a port, a peer, an address), so nothing both want flaps.
 * Reads the two files on stdin (WRITE_FILES).
 */
export function applyKeepingRemove(apply: string, remove: string, call: string): string {
    return [
        "set -eu",
        "previous=$(mktemp)",
        `if [ -f ${remove} ]; then cp ${remove} "$previous"; else rm -f "$previous"; fi`,
        WRITE_FILES,
        `sh ${apply}`,
        undoObsolete("$previous", remove, call),
    ].join("\n");
}

/** Runs the kept remove script, then removes both files. */
export function removeKept(apply: string, remove: string): string {
    return `if [ -f ${remove} ]; then sh ${remove}; fi\nrm -f ${apply} ${remove}`;
}
