// Zod's issues in, ConfigIssues out: each problem and fix a sentence a user can act on, specific
// to the field (its range, its accepted values, the keys allowed next to it), read off the schema
// itself. Values that may be credentials are never echoed.
import { z } from "zod";
import { HIDDEN, issue, ConfigIssue, pathOf } from "./issues";
import { looksLikeCredential } from "./credentials";

type Def = { type: string; [k: string]: unknown };
type Schema = { _zod: { def: Def } } & Record<string, unknown>;

const defOf = (s: Schema): Def => s._zod.def;

/** The schema itself without the wrappers that do not change what a value must look like. */
function unwrap(s: Schema): Schema {
    let cur = s;
    for (;;) {
        const d = defOf(cur);
        if (["default", "optional", "nullable", "prefault", "readonly", "catch", "nonoptional"].includes(d.type)) cur = d.innerType as Schema;
        else if (d.type === "pipe") cur = d.in as Schema;
        else return cur;
    }
}

/** The schema that validates the value at `path`, when the path leads anywhere. */
export function schemaAt(root: z.ZodType, path: ReadonlyArray<PropertyKey>): Schema | undefined {
    let cur: Schema | undefined = unwrap(root as unknown as Schema);
    for (const p of path) {
        if (!cur) return undefined;
        const d = defOf(cur);
        if (d.type === "object") cur = (d.shape as Record<string, Schema>)[String(p)];
        else if (d.type === "array") cur = d.element as Schema;
        else if (d.type === "record") cur = d.valueType as Schema;
        else return undefined;
        cur = cur ? unwrap(cur) : undefined;
    }
    return cur;
}

interface Check {
    readonly check: string;
    readonly minimum?: number;
    readonly maximum?: number;
    readonly error?: (i?: unknown) => unknown;
}

function checksOf(s: Schema): Check[] {
    return ((defOf(s).checks as Array<{ _zod: { def: Check } }> | undefined) ?? []).map((c) => c._zod.def);
}

/** The custom messages of a schema's checks: "must be an IPv4 address like 172.18.0.2". */
function checkMessages(s: Schema): string[] {
    return checksOf(s).flatMap((c) => {
        const m = typeof c.error === "function" ? c.error() : undefined;
        return typeof m === "string" ? [m] : [];
    });
}

/** "must be an IPv4 address like 172.18.0.2" -> "an IPv4 address like 172.18.0.2". */
function nounOfMessage(message: string): string | undefined {
    const m = /^must be (.+)$/.exec(message);
    return m ? m[1] : undefined;
}

/** The noun without its example or explanation: "an IPv4 address like 172.18.0.2" -> "an IPv4 address". */
function bareNoun(noun: string): string {
    return noun.replace(/\s*(\(.*\)|[,:]? (like|e\.g\.|such as) .*|: .*)$/, "");
}

/** How to write a literal or enum value in the stack's YAML. */
function literal(v: unknown): string {
    return typeof v === "string" && /^[A-Za-z][A-Za-z0-9_.-]*$/.test(v) ? v : JSON.stringify(v);
}

function plural(n: number, one: string, many = `${one}s`): string {
    return `${n} ${n === 1 ? one : many}`;
}

function range(lo: number | null | undefined, hi: number | null | undefined, unit = ""): string {
    const ok = (x: number | null | undefined): x is number => typeof x === "number" && Number.isFinite(x) && Math.abs(x) < Number.MAX_SAFE_INTEGER;
    if (ok(lo) && ok(hi)) return ` between ${lo} and ${hi}${unit}`;
    if (ok(lo)) return ` of at least ${lo}${unit}`;
    if (ok(hi)) return ` of at most ${hi}${unit}`;
    return "";
}

/** The values an enum, a literal or a union of literals accepts; undefined for any other schema. */
function acceptedValues(s: Schema): unknown[] | undefined {
    const d = defOf(s);
    if (d.type === "enum") return Object.values(d.entries as Record<string, unknown>);
    if (d.type === "literal") return d.values as unknown[];
    if (d.type === "union") {
        const opts = (d.options as Schema[]).map((o) => acceptedValues(unwrap(o)));
        return opts.every((o) => o !== undefined) ? opts.flat() : undefined;
    }
    return undefined;
}

/** A noun phrase with its article for what the schema accepts: "a whole number between 1 and 255". */
export function expectedOf(s: Schema | undefined): string | undefined {
    if (!s) return undefined;
    const d = defOf(s);
    const values = acceptedValues(s);
    if (values) return `one of: ${values.map(literal).join(", ")}`;
    switch (d.type) {
        case "number": {
            const n = s as unknown as { minValue: number | null; maxValue: number | null; isInt: boolean };
            return `${n.isInt ? "a whole number" : "a number"}${range(n.minValue, n.maxValue)}`;
        }
        case "string": {
            const noun = checkMessages(s).map(nounOfMessage).find((x) => x !== undefined);
            if (noun) return noun;
            const str = s as unknown as { minLength: number | null; maxLength: number | null };
            return str.minLength === 1 && str.maxLength === null ? "a non-empty string" : `a string${range(str.minLength, str.maxLength, " characters")}`;
        }
        case "boolean":
            return "true or false";
        case "array": {
            const min = checksOf(s).find((c) => c.check === "min_length")?.minimum;
            return min ? `a list of at least ${plural(min, "item")}` : "a list";
        }
        case "object":
            return "a mapping of keys to values";
        case "record":
            return `a mapping of names to ${expectedOf(unwrap(d.valueType as Schema)) ?? "values"}`;
        case "union":
            return (d.options as Schema[]).map((o) => expectedOf(unwrap(o)) ?? "a value").join(" or ");
        default:
            return undefined;
    }
}

/** "set it to a number" / "use one of: a, b". */
function setTo(expected: string | undefined, fallback: string): string {
    if (!expected) return fallback;
    return expected.startsWith("one of:") ? `use ${expected}` : `set it to ${expected}`;
}

/** What a YAML value is, for "must be a number, not text". */
function kindOf(input: unknown): string {
    if (input === null) return "empty";
    if (Array.isArray(input)) return "a list";
    switch (typeof input) {
        case "string":
            return "text";
        case "number":
            return Number.isInteger(input) ? "a whole number" : "a fraction";
        case "boolean":
            return "true/false";
        case "object":
            return "a mapping";
        default:
            return typeof input;
    }
}

const EXPECTED_TYPE: Record<string, string> = {
    number: "a number",
    int: "a whole number",
    string: "text",
    boolean: "true or false",
    object: "a mapping of keys to values",
    array: "a list",
    record: "a mapping of names to values",
};

/** Edit distance counting a swap of two neighbours as one edit, for "did you mean". */
function distance(a: string, b: string): number {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    const d = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i <= x.length; i++) {
        for (let j = 1; j <= y.length; j++) {
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
            if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[x.length][y.length];
}

/** Whether the field at `path` names a Pulumi secret (rootPasswordSecret, privateKeySecret, ...). */
export function isSecretNameField(path: ReadonlyArray<PropertyKey>): boolean {
    const last = path[path.length - 1];
    return typeof last === "string" && /Secret$/.test(last);
}

/** The fix for a `*Secret` field that does not hold a secret's name. */
export function secretNameFix(field: string): string {
    return `${field} takes the NAME of a Pulumi secret, not the secret itself: run \`pulumi config set --secret <name> <value>\`, then put <name> here (letters and digits, e.g. mysqlRootPassword)`;
}

function unknownKeyIssue(root: z.ZodType, raw: unknown, parent: ReadonlyArray<PropertyKey>, key: string): ConfigIssue {
    const path = [...parent, key];
    const value = valueAt(raw, path);
    const shape = schemaAt(root, parent);
    const allowed = shape && defOf(shape).type === "object" ? Object.keys(defOf(shape).shape as object) : [];
    if (looksLikeCredential(key, value)) {
        const secretFields = allowed.filter((k) => /Secret$/.test(k));
        const where = secretFields.length > 0 ? `put <name> in ${secretFields.join(" or ")}` : "refer to it by name from the section's ...Secret field";
        return issue(
            pathOf(path),
            HIDDEN,
            `unknown key "${key}"; its value may be a credential, so it is not shown`,
            `remove "${key}": credentials never go in the topology; store the value with \`pulumi config set --secret <name> <value>\` and ${where}`,
        );
    }
    const near = allowed.map((k) => ({ k, d: distance(key, k) })).filter((x) => x.d <= Math.max(1, Math.floor(key.length / 3))).sort((a, b) => a.d - b.d)[0];
    const spelling = near ? `did you mean "${near.k}"? ` : "";
    const keys = allowed.length > 0 ? `keys allowed here: ${allowed.join(", ")}` : "see docs/configuration.md for the keys allowed here";
    return issue(pathOf(path), value, `unknown key "${key}"`, `remove "${key}" or correct its spelling (${spelling}${keys})`);
}

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
    let cur: unknown = raw;
    for (const p of path) {
        if (cur === null || typeof cur !== "object") return undefined;
        cur = (cur as Record<PropertyKey, unknown>)[p];
    }
    return cur;
}

/** Problem and fix for one zod issue at a field whose schema is `s`. */
function translate(i: z.core.$ZodIssue, s: Schema | undefined, input: unknown): { problem: string; fix: string } {
    const expected = expectedOf(s);
    switch (i.code) {
        case "invalid_type": {
            const want = expected ?? EXPECTED_TYPE[i.expected] ?? `a ${i.expected}`;
            if (input === undefined) return { problem: "is required", fix: setTo(want, "set it") };
            if (input === null) return { problem: "is empty", fix: setTo(want, "set it") };
            const unquoted = typeof input === "string" && ((i.expected === "number" && input.trim() !== "" && !Number.isNaN(Number(input))) || (i.expected === "boolean" && /^(true|false)$/.test(input)));
            const type = EXPECTED_TYPE[i.expected] ?? `a ${i.expected}`;
            const problem = i.expected === "int" && typeof input === "number" ? "must be a whole number" : `must be ${type}, not ${kindOf(input)}`;
            return { problem, fix: unquoted ? `write it without quotes: ${input}` : setTo(want, `set it to ${type}`) };
        }
        case "too_small": {
            const min = Number(i.minimum);
            if (i.origin === "array") {
                const n = Array.isArray(input) ? input.length : 0;
                return { problem: `lists ${n === 0 ? "no items" : plural(n, "item")}; at least ${min} ${min === 1 ? "is" : "are"} required`, fix: `list at least ${plural(min, "item")}` };
            }
            if (i.origin === "string") {
                const problem = input === "" ? "is empty" : `is ${plural(String(input).length, "character")}; at least ${min} ${min === 1 ? "is" : "are"} required`;
                return { problem, fix: setTo(expected, `use at least ${plural(min, "character")}`) };
            }
            return { problem: i.inclusive ? `is below the minimum ${min}` : `must be more than ${min}`, fix: setTo(expected, `set it to ${i.inclusive ? "at least" : "more than"} ${min}`) };
        }
        case "too_big": {
            const max = Number(i.maximum);
            if (i.origin === "array") {
                const n = Array.isArray(input) ? input.length : 0;
                return { problem: `lists ${plural(n, "item")}; at most ${max} ${max === 1 ? "is" : "are"} allowed`, fix: `list at most ${plural(max, "item")}` };
            }
            if (i.origin === "string") {
                return { problem: `is ${plural(String(input).length, "character")}; at most ${max} ${max === 1 ? "is" : "are"} allowed`, fix: setTo(expected, `use at most ${plural(max, "character")}`) };
            }
            return { problem: i.inclusive ? `is above the maximum ${max}` : `must be less than ${max}`, fix: setTo(expected, `set it to ${i.inclusive ? "at most" : "less than"} ${max}`) };
        }
        case "invalid_value":
        case "invalid_union": {
            const values = (s && acceptedValues(s)) ?? (i.code === "invalid_value" ? i.values : undefined);
            if (values) {
                const sameButCase = typeof input === "string" ? values.find((v) => typeof v === "string" && v.toLowerCase() === input.toLowerCase()) : undefined;
                const asNumber = typeof input === "string" ? values.find((v) => typeof v === "number" && String(v) === input.trim()) : undefined;
                const fix =
                    sameButCase !== undefined
                        ? `write ${literal(sameButCase)} (the values are case-sensitive)`
                        : asNumber !== undefined
                          ? `write it without quotes: ${asNumber}`
                          : `use one of: ${values.map(literal).join(", ")}`;
                return { problem: "is not one of the accepted values", fix };
            }
            return { problem: "matches none of the accepted forms", fix: setTo(expected, "see docs/configuration.md for the accepted forms") };
        }
        case "invalid_format":
        case "custom": {
            const noun = nounOfMessage(i.message);
            if (noun) return { problem: `is not ${bareNoun(noun)}`, fix: `set it to ${noun}` };
            if (i.code === "invalid_format" && i.format === "regex") return { problem: "does not have the expected form", fix: `use a value matching ${String(i.pattern)}` };
            if (i.code === "invalid_format") return { problem: `is not a valid ${i.format}`, fix: `set it to a valid ${i.format}` };
            return { problem: i.message, fix: setTo(expected, "see docs/configuration.md") };
        }
        case "not_multiple_of":
            return { problem: `is not a multiple of ${String(i.divisor)}`, fix: `set it to a multiple of ${String(i.divisor)}` };
        case "invalid_key":
            return { problem: "has a key that is not allowed here", fix: "see docs/configuration.md for the keys allowed here" };
        default:
            return { problem: i.message.replace(/^Invalid input: /, "").replace(/^./, (c) => c.toLowerCase()), fix: setTo(expected, "see docs/configuration.md") };
    }
}

export function zodIssues(root: z.ZodType, raw: unknown, error: z.ZodError): ConfigIssue[] {
    const seen = new Set<string>();
    return error.issues.flatMap((i) => {
        if (i.code === "unrecognized_keys") return i.keys.map((k) => unknownKeyIssue(root, raw, i.path, k));
        const path = pathOf(i.path);
        // One message per field: an empty image fails both its length and its pattern.
        if (seen.has(path)) return [];
        seen.add(path);
        const input = valueAt(raw, i.path);
        const s = schemaAt(root, i.path);
        if (isSecretNameField(i.path)) {
            const field = String(i.path[i.path.length - 1]);
            const { problem } = translate(i, s, input);
            return [issue(path, input === undefined || input === null ? input : HIDDEN, `${problem}; it may be the secret itself, so it is not shown`, secretNameFix(field))];
        }
        const { problem, fix } = translate(i, s, input);
        return [issue(path, input, problem, fix)];
    });
}
