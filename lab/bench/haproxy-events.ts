// HAProxy reports a server state change twice when it logs to stdout: once as the log line
// ("Server galera/pn3 is DOWN, reason: ...") and once as its own warning on stderr
// ("[WARNING]  (8) : Server galera/pn3 is DOWN, reason: ..."). Both reach `docker logs`, so
// counting lines counts each event twice; an event is a message text, counted as often as the
// more frequent of its two forms.
const PREFIX = /^\[(WARNING|NOTICE|ALERT)\]\s+\(\d+\)\s*:\s*/;

export function haproxyEvents(lines: ReadonlyArray<string>): string[] {
    const raw = new Map<string, number>();
    const warned = new Map<string, number>();
    for (const line of lines) {
        const t = line.trim();
        const bare = t.replace(PREFIX, "");
        const into = bare === t ? raw : warned;
        into.set(bare, (into.get(bare) ?? 0) + 1);
    }
    const texts = [...new Set([...raw.keys(), ...warned.keys()])];
    return texts.flatMap((t) => Array<string>(Math.max(raw.get(t) ?? 0, warned.get(t) ?? 0)).fill(t));
}
