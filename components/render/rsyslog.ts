// rsyslog drop-in that receives HAProxy's syslog (`log 127.0.0.1:514 local0`) and
// keeps it in its own file, for HAProxy nodes that log to syslog instead of stdout.
import { file, RenderedFile } from "./file";

/** 49-: read before Debian's 50-default.conf, so `stop` keeps these lines out of syslog/messages. */
export const HAPROXY_RSYSLOG_PATH = "/etc/rsyslog.d/49-haproxy.conf";
export const HAPROXY_LOG_FILE = "/var/log/haproxy.log";
/** The address HAProxy's `log` line points at; renderHaproxyCfg's syslog target uses it. */
export const HAPROXY_SYSLOG_ADDRESS = "127.0.0.1:514";

export function renderHaproxyRsyslog(): RenderedFile {
    const [address, port] = HAPROXY_SYSLOG_ADDRESS.split(":");
    const lines = [
        "# HAProxy's log (facility local0) into its own file.",
        "# Rendered by the stack: edit the stack, not this file.",
        "# Loads imudp itself: keep the imudp lines in /etc/rsyslog.conf commented out",
        "# (rsyslog refuses a module loaded twice).",
        'module(load="imudp")',
        // Loopback only: a syslog port open to the network lets anyone write into the log.
        `input(type="imudp" address="${address}" port="${port}")`,
        "",
        `local0.* action(type="omfile" file="${HAPROXY_LOG_FILE}")`,
        // `stop` replaces the tutorial's deprecated `&~`: nothing else logs these lines again.
        "& stop",
        "",
    ];
    return file(HAPROXY_RSYSLOG_PATH, lines.join("\n"));
}
