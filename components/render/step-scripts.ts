import { shellQuote } from "./escape";

// Shell fragments every remote step is built from. POSIX sh: the SSH user's shell
// may be dash. Each script checks before it acts, so a re-run changes nothing.

/**
 * The paths of a "path mode base64" payload, one a line (a path may hold spaces: the mode and
 * the content are the last two fields). A filter: reads the payload, prints the paths.
 */
export const PAYLOAD_PATHS = `sed -e 's/ [^ ]* [^ ]*$//'`;

/**
 * Reads "path mode base64" lines on stdin and writes each file atomically, only when its
 * content differs ("wrote"); a file whose content is the same but whose mode is not gets the
 * new mode ("mode"); otherwise "unchanged". The content goes through a temporary file next to
 * the target, which is removed whatever stops the script (a bad payload, a full disk, a
 * signal). Secrets travel on stdin, never on a command line, and nothing here prints content.
 * One subshell, so that a caller's stdin redirection feeds it and its traps stay the caller's.
 */
export const WRITE_FILES = `set -eu
(
tmp=
trap '[ -z "$tmp" ] || rm -f -- "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
while IFS= read -r line; do
  [ -n "$line" ] || continue
  b64=\${line##* }; rest=\${line% *}; mode=\${rest##* }; path=\${rest% *}
  case $mode in [0-7][0-7][0-7]|[0-7][0-7][0-7][0-7]) ;; *) echo "payload line without a file mode" >&2; exit 1 ;; esac
  case $path in /*) ;; *) echo "payload path is not absolute: $path" >&2; exit 1 ;; esac
  dir=$(dirname -- "$path"); mkdir -p -- "$dir"
  tmp=$(mktemp "$dir/.ha-mysql.XXXXXX")
  printf '%s' "$b64" | base64 -d >"$tmp" || { echo "could not decode the content of $path" >&2; exit 1; }
  chmod "$mode" "$tmp" || exit 1
  if [ -f "$path" ] && cmp -s "$tmp" "$path"; then
    rm -f "$tmp"; tmp=
    if [ -n "$(find "$path" -prune -perm "$mode")" ]; then echo "unchanged $path"
    else chmod "$mode" "$path" || exit 1; echo "mode $path"; fi
  else
    mv -f "$tmp" "$path" || exit 1; tmp=
    echo "wrote $path"
  fi
done
)`;

/**
 * WRITE_FILES, then removes every file directly under `dir` that the payload does not name:
 * what an earlier version of the step wrote there and this one no longer renders (a track
 * script the config stopped naming). `dir` must belong to the step alone. The payload is kept
 * in a private temporary file while the script runs and removed however it ends.
 */
export function writeFilesOwning(dir: string): string {
    const d = shellQuote(dir);
    return `set -eu
payload=$(mktemp)
trap 'rm -f "$payload"' EXIT
trap 'exit 1' HUP INT TERM
cat >"$payload"
${WRITE_FILES} <"$payload"
paths=$(${PAYLOAD_PATHS} "$payload")
for f in ${d}/*; do
  [ -f "$f" ] || continue
  if ! printf '%s\\n' "$paths" | grep -qxF -- "$f"; then rm -f -- "$f"; echo "removed $f (no longer rendered)"; fi
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
