// One shape for every configuration problem, so a user sees all of them at once,
// each with the key path, the offending value and what to do about it.
export interface ConfigIssue {
    /** Path below the project's topology key, e.g. "haproxy.nodes[1].ip". */
    readonly path: string;
    readonly value?: unknown;
    readonly problem: string;
    readonly fix: string;
}

export const TOPOLOGY_KEY = "topology";

export function issue(path: string, value: unknown, problem: string, fix: string): ConfigIssue {
    return { path, value, problem, fix };
}

export function pathOf(parts: ReadonlyArray<PropertyKey>): string {
    return parts
        .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
        .join("");
}

function showValue(value: unknown): string {
    if (value === undefined) return "(not set)";
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function formatIssue(project: string, i: ConfigIssue): string {
    const key = i.path.startsWith(":") ? `${project}${i.path}` : `${project}:${TOPOLOGY_KEY}${i.path ? "." + i.path : ""}`;
    return `${key} = ${showValue(i.value)}: ${i.problem}. Fix: ${i.fix}`;
}

export class ConfigError extends Error {
    constructor(
        readonly project: string,
        readonly issues: ReadonlyArray<ConfigIssue>,
    ) {
        super(
            `${issues.length} problem(s) in the stack configuration; nothing was applied:\n` +
                issues.map((i, n) => `  ${n + 1}. ${formatIssue(project, i)}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}
