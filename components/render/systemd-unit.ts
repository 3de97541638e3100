// The install and removal every ha-mysql systemd unit shares: its unit file and script arrive
// on stdin, the unit is enabled where systemd runs, and a host without systemd is told what
// it goes without.
import { shellQuote } from "./escape";
import { WRITE_FILES } from "./step-scripts";

/**
 * Installs and enables `unitName` (files on stdin) where systemd runs; elsewhere prints `none`.
 * `restart`: a unit that runs all the time is (re)started too, so that what was just written runs.
 */
export function unitInstall(unitName: string, hostName: string, none: string, opts: { restart?: boolean } = {}): string {
    const state = opts.restart ? "enabled and running" : "enabled";
    return `set -eu
payload=$(mktemp)
trap 'rm -f "$payload"' EXIT
trap 'exit 1' HUP INT TERM
cat >"$payload"
if [ ! -d /run/systemd/system ]; then echo ${shellQuote(none)}; exit 0; fi
${WRITE_FILES} <"$payload"
systemctl daemon-reload
systemctl enable -q ${unitName}
${opts.restart ? `systemctl restart ${unitName}\n` : ""}echo ${shellQuote(`${unitName} ${state} on ${hostName}`)}`;
}

/** Disables and removes the unit and its script. */
export function unitRemove(unitName: string, unitPath: string, scriptPath: string): string {
    return `set -eu
if [ -f ${unitPath} ]; then
  if [ -d /run/systemd/system ]; then systemctl disable -q --now ${unitName} || true; fi
  rm -f ${unitPath}
  if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
  echo "removed ${unitName}"
fi
rm -f ${scriptPath}`;
}
