// Renders the drill downtimes of a bench result as an SVG bar chart: tutorial settings vs
// ours, one pair of bars per drill. Pure: result in, SVG text out.
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
