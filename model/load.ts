// Raw stack config in, a validated Topology and its secret values out, or one
// ConfigError listing every problem. Nothing here touches a host.
import { Topology, TopologySchema } from "./schema";
import { ConfigError, ConfigIssue, issue, isWarning, redact } from "./issues";
import { zodIssues } from "./zod-issues";
import { runRules } from "./rules";
import { checkSecrets, SecretSource } from "./rules/secrets";

export interface LoadedStack {
    readonly topology: Topology;
    /** Secret values by config key. Only ever handed to Pulumi wrapped in pulumi.secret. */
    readonly secrets: Readonly<Record<string, string>>;
    /** Issues that do not stop the stack; the caller prints them (warningLines). */
    readonly warnings: ReadonlyArray<ConfigIssue>;
}

export function parseTopology(raw: unknown): { topology?: Topology; issues: ConfigIssue[] } {
    if (raw === undefined || raw === null) {
        return { issues: [issue("", raw, "the stack has no topology", "add a `topology:` object to Pulumi.<stack>.yaml (see Pulumi.dev.yaml and docs/configuration.md)")] };
    }
    const parsed = TopologySchema.safeParse(raw);
    if (!parsed.success) return { issues: zodIssues(TopologySchema, raw, parsed.error) };
    return { topology: parsed.data, issues: runRules(parsed.data) };
}

export function loadTopology(project: string, raw: unknown, secrets: SecretSource): LoadedStack {
    const { topology, issues } = parseTopology(raw);
    if (!topology) throw new ConfigError(project, issues);
    const checked = checkSecrets(project, topology, secrets);
    // A *Secret field naming no secret may hold the password itself: no message may print it.
    const all = redact([...issues, ...checked.issues], checked.unsetNames);
    if (all.some((i) => !isWarning(i))) throw new ConfigError(project, all);
    return { topology, secrets: checked.values, warnings: all };
}
