// docs/results.md is generated from bench/results/latest.json (npm run docs:results) and must
// be exactly what the generator makes of the committed result.
import * as fs from "fs";
import * as path from "path";
import { BenchResult, LATEST, RESULTS_DOC, resultsDoc } from "../../lab/bench/results-doc";

const latest = JSON.parse(fs.readFileSync(LATEST, "utf8")) as BenchResult;

describe("docs/results.md", () => {
    const doc = fs.readFileSync(RESULTS_DOC, "utf8");

    it("is what `npm run docs:results` makes of bench/results/latest.json", () => {
        expect(doc).toBe(resultsDoc(latest));
    });

    it("shows every drill of the bench", () => {
        const drills = [...latest.drills.ours, ...latest.drills.tutorial, ...Object.values(latest.placements).flat()].map((d) => d.drill);
        for (const d of new Set(drills)) expect(doc).toContain(`| ${d} |`);
    });

    it("links only to files that exist", () => {
        const links = [...doc.matchAll(/\]\(([^)#]+)\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
        expect(links.length).toBeGreaterThan(0);
        for (const l of links) expect(fs.existsSync(path.resolve(path.dirname(RESULTS_DOC), l))).toBe(true);
    });

    it("judges the targets on the p95 over each drill's runs", () => {
        const crash = latest.drills.ours.find((d) => d.drill === "vip-holder-crash");
        if (!crash) throw new Error("the committed result has a vip-holder-crash run");
        const withCrashes = (ms: number[]) => ({ ...latest, summary: undefined, drills: { ...latest.drills, ours: [...latest.drills.ours.filter((d) => d.drill !== crash.drill), ...ms.map((downtimeMs) => ({ ...crash, downtimeMs }))] } });
        const target = /\| host crash of the VIP holder: clients served again within 2\.0 s \| [^|]*: p95 ([\d.]+) s over (\d+) runs \| (met|missed) \|/;
        expect(target.exec(resultsDoc(withCrashes([1500, 1900, 1800])))?.slice(1)).toEqual(["1.90", "3", "met"]);
        expect(target.exec(resultsDoc(withCrashes([1500, 1900, 2500, 1800])))?.slice(1)).toEqual(["2.50", "4", "missed"]);
    });

    it("judges the soak by its false positives", () => {
        const soak = (falsePositives: string[]) => ({ ...latest, soak: { minutes: 30, threads: 4, endpoint: "pxc", sampleS: 5, transactions: 9000, failed: 0, evictions: 0, nonPrimaryViews: 0, vipMoves: falsePositives.length, haproxyDown: 0, falsePositives } });
        expect(resultsDoc(soak([]))).toMatch(/\| no false positive in a 30-minute soak under the OLTP load \| none in 9000 transactions \| met \|/);
        expect(resultsDoc(soak(["VI_HAPROXY (host) moved from lab1 to lab2 after 61 s"]))).toMatch(/\| no false positive in a 30-minute soak [^|]*\| VI_HAPROXY \(host\) moved from lab1 to lab2 after 61 s \| missed \|/);
    });

    it("judges the write endpoint's certification conflicts from the numbers", () => {
        const oltp = (conflicts: number) => ({
            ...latest,
            oltp: {
                threads: 4,
                seconds: 60,
                write: { endpoint: "pxc via VI_HAPROXY 10.0.0.1:3306", threads: 4, seconds: 60, transactions: 1000, tps: 16.7, failed: conflicts, conflicts, servedBy: { pn1: 4 }, p50Ms: 10, p99Ms: 40 },
            },
        });
        expect(resultsDoc(oltp(0))).toMatch(/\| no certification conflict through the Galera write endpoint \| 0 in 1000 transactions \| met \|/);
        expect(resultsDoc(oltp(3))).toMatch(/\| no certification conflict through the Galera write endpoint \| 3 in 1003 transactions \| missed \|/);
        expect(resultsDoc(oltp(0))).toContain("| write (one writer, the others backup) | pxc via VI_HAPROXY 10.0.0.1:3306 | 16.7 | 1000 | 0 | 0 | 10 ms | 40 ms | pn1 4 |");
    });
});
