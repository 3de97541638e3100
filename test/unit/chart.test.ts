// The bench's downtime chart: well-formed SVG (xmllint, when present), one bar pair per
// drill, bar lengths proportional to the measured downtime, labels escaped.
import { spawnSync } from "child_process";
import { downtimeChart } from "../../lab/bench/chart";

const legend = { tutorial: "tutorial <defaults>", ours: "ours & co" };
const rows = [
    { drill: "vip-holder-crash", tutorialMs: 6000, oursMs: 2000 },
    { drill: "a<b", tutorialMs: 3000, oursMs: 0 },
];

const widths = (svg: string, color: string) => [...svg.matchAll(new RegExp(`<rect x="\\d+" y="\\d+" width="([\\d.]+)" height="16" fill="${color}"/>`, "g"))].map((m) => Number(m[1]));

describe("downtimeChart", () => {
    const svg = downtimeChart(rows, "Downtime", legend);

    it("draws a tutorial and an ours bar per drill, proportional to the downtime", () => {
        const [t, o] = [widths(svg, "#c0504d"), widths(svg, "#4f81bd")];
        expect(t).toHaveLength(2);
        expect(o).toHaveLength(2);
        expect(t[0] / o[0]).toBeCloseTo(3, 1);
        expect(t[0] / t[1]).toBeCloseTo(2, 1);
        expect(svg).toContain("6.00 s");
        expect(svg).toContain("2.00 s");
    });

    it("escapes drill names and legends", () => {
        expect(svg).toContain("a&lt;b");
        expect(svg).toContain("tutorial &lt;defaults&gt;");
        expect(svg).toContain("ours &amp; co");
    });

    const hasXmllint = spawnSync("xmllint", ["--version"]).status === 0;
    (hasXmllint ? it : it.skip)("is well-formed XML (xmllint)", () => {
        const r = spawnSync("xmllint", ["--noout", "-"], { input: svg, encoding: "utf8" });
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
    });
});
