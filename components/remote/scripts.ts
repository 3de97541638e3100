import { shellQuote } from "../render/shell";

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
