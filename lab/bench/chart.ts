// Renders bench results as SVG charts: the drill downtimes side by side (tutorial settings vs
// ours) and their distributions over the runs. Pure: rows in, SVG text out.
export interface ChartRow {
    readonly drill: string;
    readonly tutorialMs: number;
    readonly oursMs: number;
}

function esc(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function downtimeChart(rows: ChartRow[], title: string, legend: { tutorial: string; ours: string }): string {
    const W = 900;
    const rowH = 46;
    const left = 170;
    const right = 90;
    const top = 56;
    const H = top + rows.length * rowH + 40;
    const max = Math.max(1, ...rows.flatMap((r) => [r.tutorialMs, r.oursMs]));
    const scale = (ms: number) => ((W - left - right) * ms) / max;
    const bar = (y: number, ms: number, color: string) =>
        `<rect x="${left}" y="${y}" width="${Math.max(1, scale(ms)).toFixed(1)}" height="16" fill="${color}"/>` +
        `<text x="${(left + scale(ms) + 6).toFixed(1)}" y="${y + 13}" font-size="12">${(ms / 1000).toFixed(2)} s</text>`;
    const body = rows
        .map((r, i) => {
            const y = top + i * rowH;
            return `<text x="${left - 8}" y="${y + 22}" font-size="13" text-anchor="end">${esc(r.drill)}</text>` + bar(y, r.tutorialMs, "#c0504d") + bar(y + 18, r.oursMs, "#4f81bd");
        })
        .join("\n");
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="22" font-size="15" text-anchor="middle" font-weight="bold">${esc(title)}</text>
<rect x="12" y="32" width="12" height="12" fill="#c0504d"/><text x="30" y="42" font-size="12">${esc(legend.tutorial)}</text>
<rect x="12" y="${H - 22}" width="12" height="12" fill="#4f81bd"/><text x="30" y="${H - 12}" font-size="12">${esc(legend.ours)}</text>
${body}
</svg>
`;
}

export interface DistributionRow {
    readonly label: string;
    readonly p50Ms: number;
    readonly p95Ms: number;
    readonly maxMs: number;
    readonly runs: number;
    /** Bar colour: one per settings label. */
    readonly color: string;
}

/**
 * A drill's distribution per row: a bar to the p50, a whisker on to the max, and a tick at the
 * p95, labelled "p50 / p95 / max".
 */
export function distributionChart(rows: DistributionRow[], title: string, legend: ReadonlyArray<{ color: string; text: string }>): string {
    const W = 900;
    const rowH = 26;
    const left = 300;
    const right = 170;
    const top = 40 + legend.length * 18;
    const H = top + rows.length * rowH + 16;
    const max = Math.max(1, ...rows.map((r) => r.maxMs));
    const x = (ms: number) => left + ((W - left - right) * ms) / max;
    const sec = (ms: number) => (ms / 1000).toFixed(2);
    const body = rows
        .map((r, i) => {
            const y = top + i * rowH;
            return [
                `<text x="${left - 8}" y="${y + 13}" font-size="12" text-anchor="end">${esc(r.label)} (${r.runs})</text>`,
                `<rect x="${left}" y="${y + 2}" width="${Math.max(1, x(r.p50Ms) - left).toFixed(1)}" height="14" fill="${r.color}"/>`,
                `<line x1="${x(r.p50Ms).toFixed(1)}" y1="${y + 9}" x2="${x(r.maxMs).toFixed(1)}" y2="${y + 9}" stroke="${r.color}" stroke-width="2"/>`,
                `<line x1="${x(r.p95Ms).toFixed(1)}" y1="${y}" x2="${x(r.p95Ms).toFixed(1)}" y2="${y + 18}" stroke="black" stroke-width="2"/>`,
                `<line x1="${x(r.maxMs).toFixed(1)}" y1="${y + 4}" x2="${x(r.maxMs).toFixed(1)}" y2="${y + 14}" stroke="${r.color}" stroke-width="2"/>`,
                `<text x="${(x(r.maxMs) + 6).toFixed(1)}" y="${y + 13}" font-size="11">${sec(r.p50Ms)} / ${sec(r.p95Ms)} / ${sec(r.maxMs)} s</text>`,
            ].join("");
        })
        .join("\n");
    const keys = legend.map((l, i) => `<rect x="12" y="${32 + i * 18}" width="12" height="12" fill="${l.color}"/><text x="30" y="${42 + i * 18}" font-size="12">${esc(l.text)}</text>`).join("\n");
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="20" font-size="15" text-anchor="middle" font-weight="bold">${esc(title)}</text>
${keys}
${body}
</svg>
`;
}
