// Raw stack config in, a validated Topology and its secret values out, or one
// ConfigError listing every problem. Nothing here touches a host.
import { z } from "zod";
import { Topology, TopologySchema } from "./schema";
import { ConfigError, ConfigIssue, issue, pathOf } from "./issues";
import { runRules } from "./rules";
import { checkSecrets, SecretSource } from "./rules/secrets";

export interface LoadedStack {
    readonly topology: Topology;
    /** Secret values by config key. Only ever handed to Pulumi wrapped in pulumi.secret. */
    readonly secrets: Readonly<Record<string, string>>;
}

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
    let cur: unknown = raw;
    for (const p of path) {
        if (cur === null || typeof cur !== "object") return undefined;
        cur = (cur as Record<PropertyKey, unknown>)[p];
    }
    return cur;
}

function fixFor(i: z.core.$ZodIssue): string {
    switch (i.code) {
        case "unrecognized_keys":
            return `remove ${i.keys.map((k) => `"${k}"`).join(", ")} or correct the spelling (see docs/configuration.md)`;
        case "invalid_type":
            return i.input === undefined ? `set it (a ${i.expected})` : `use a ${i.expected}`;
        case "invalid_value":
            return `use one of: ${i.values.map((v) => JSON.stringify(v)).join(", ")}`;
        case "too_small":
            return i.origin === "array" ? `list at least ${String(i.minimum)}` : `use a value of at least ${String(i.minimum)}`;
        case "too_big":
            return i.origin === "array" ? `list at most ${String(i.maximum)}` : `use a value of at most ${String(i.maximum)}`;
        default:
            return `use a value that ${i.message.replace(/^must /, "is ")}`;
    }
}

export function zodIssues(raw: unknown, error: z.ZodError): ConfigIssue[] {
    return error.issues.flatMap((i) => {
        if (i.code === "unrecognized_keys") {
            return i.keys.map((k) => issue(pathOf([...i.path, k]), valueAt(raw, [...i.path, k]), `unknown key "${k}"`, fixFor({ ...i, keys: [k] })));
        }
        return [issue(pathOf(i.path), valueAt(raw, i.path), i.message, fixFor(i))];
    });
}

export function parseTopology(raw: unknown): { topology?: Topology; issues: ConfigIssue[] } {
    if (raw === undefined || raw === null) {
        return { issues: [issue("", raw, "the stack has no topology", "add a `topology:` object to Pulumi.<stack>.yaml (see Pulumi.dev.yaml and docs/configuration.md)")] };
    }
    const parsed = TopologySchema.safeParse(raw);
    if (!parsed.success) return { issues: zodIssues(raw, parsed.error) };
    return { topology: parsed.data, issues: runRules(parsed.data) };
}

export function loadTopology(project: string, raw: unknown, secrets: SecretSource): LoadedStack {
    const { topology, issues } = parseTopology(raw);
    if (!topology) throw new ConfigError(project, issues);
    const checked = checkSecrets(project, topology, secrets);
    const all = [...issues, ...checked.issues];
    if (all.length > 0) throw new ConfigError(project, all);
    return { topology, secrets: checked.values };
}
