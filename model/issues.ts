// One shape for every configuration problem, so a user sees all of them at once,
// each with the key path, the offending value and what to do about it.

/**
 * error: nothing is applied until it is fixed. warning: printed, but the stack is applied
 * anyway (a choice that works but weakens what the stack promises, e.g. quorum across hosts).
 */
export type Severity = "error" | "warning";

export interface ConfigIssue {
    /** Path below the project's topology key, e.g. "haproxy.nodes[1].ip". */
    readonly path: string;
    readonly value?: unknown;
    readonly problem: string;
    readonly fix: string;
    /** Absent means "error". */
    readonly severity?: Severity;
}

export const TOPOLOGY_KEY = "topology";

/** Stands for a value that must not be printed (it may be a password or a key). */
export const HIDDEN: unique symbol = Symbol("hidden");

export function issue(path: string, value: unknown, problem: string, fix: string): ConfigIssue {
    return { path, value, problem, fix };
}

export function warning(path: string, value: unknown, problem: string, fix: string): ConfigIssue {
    return { path, value, problem, fix, severity: "warning" };
}

export function isWarning(i: ConfigIssue): boolean {
    return i.severity === "warning";
}

/**
 * Issues with every occurrence of `words` taken out: in the value (which becomes HIDDEN) and
 * in the problem and fix texts. For values that may be credentials and that a rule printed
 * without knowing it.
 */
export function redact(issues: ReadonlyArray<ConfigIssue>, words: ReadonlyArray<string>): ConfigIssue[] {
    if (words.length === 0) return [...issues];
    const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    const pattern = new RegExp(`(?<![A-Za-z0-9])(${escaped.join("|")})(?![A-Za-z0-9])`, "g");
    const mentions = (text: string) => new RegExp(pattern.source).test(text);
    const scrub = (text: string) => text.replace(pattern, "(hidden)");
    return issues.map((i) => ({
        ...i,
        value: i.value !== HIDDEN && i.value !== undefined && mentions(JSON.stringify(i.value) ?? "") ? HIDDEN : i.value,
        path: scrub(i.path),
        problem: scrub(i.problem),
        fix: scrub(i.fix),
    }));
}

export function pathOf(parts: ReadonlyArray<PropertyKey>): string {
    return parts
        .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
        .join("");
}

function showValue(value: unknown): string {
    if (value === HIDDEN) return "(hidden)";
    if (value === undefined) return "(not set)";
    const text = JSON.stringify(value);
    if (text === undefined) return String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function formatIssue(project: string, i: ConfigIssue): string {
    const key = i.path.startsWith(":") ? `${project}${i.path}` : `${project}:${TOPOLOGY_KEY}${i.path ? "." + i.path : ""}`;
    return `${isWarning(i) ? "warning: " : ""}${key} = ${showValue(i.value)}: ${i.problem}. Fix: ${i.fix}`;
}

/** The lines a loader prints for warnings it does not stop on. */
export function warningLines(project: string, issues: ReadonlyArray<ConfigIssue>): string[] {
    return issues.filter(isWarning).map((i) => formatIssue(project, i));
}

export class ConfigError extends Error {
    readonly errors: ReadonlyArray<ConfigIssue>;
    readonly warnings: ReadonlyArray<ConfigIssue>;

    /** `issues` may include warnings: they are listed after the problems and not counted as problems. */
    constructor(
        readonly project: string,
        readonly issues: ReadonlyArray<ConfigIssue>,
    ) {
        const errors = issues.filter((i) => !isWarning(i));
        const warnings = issues.filter(isWarning);
        const list = (xs: ReadonlyArray<ConfigIssue>) => xs.map((i, n) => `  ${n + 1}. ${formatIssue(project, i)}`).join("\n");
        super(
            `${errors.length} problem(s) in the stack configuration; nothing was applied:\n` +
                list(errors) +
                (warnings.length > 0 ? `\nand ${warnings.length} warning(s):\n${list(warnings)}` : ""),
        );
        this.name = "ConfigError";
        this.errors = errors;
        this.warnings = warnings;
    }
}
