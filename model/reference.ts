// The configuration reference in docs/configuration.md is generated from the schema itself, so the
// two cannot drift apart unnoticed (test/unit/config-doc.test.ts compares them).
import { z } from "zod";
import { TopologySchema } from "./schema";

interface JsonSchema {
    type?: string | string[];
    description?: string;
    default?: unknown;
    enum?: unknown[];
    const?: unknown;
    properties?: Record<string, JsonSchema>;
    required?: string[];
    items?: JsonSchema;
    anyOf?: JsonSchema[];
    additionalProperties?: JsonSchema | boolean;
    minimum?: number;
    maximum?: number;
}

function typeOf(s: JsonSchema): string {
    if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" \\| ");
    if (s.const !== undefined) return JSON.stringify(s.const);
    if (s.anyOf) return s.anyOf.map(typeOf).join(" \\| ");
    if (s.type === "array") return `list of ${s.items ? typeOf(s.items) : "any"}`;
    if (s.type === "object" && !s.properties) return "map";
    const range = s.minimum !== undefined && s.maximum !== undefined ? ` ${s.minimum}..${s.maximum}` : "";
    return `${Array.isArray(s.type) ? s.type.join("/") : s.type ?? "any"}${range}`;
}

function rows(s: JsonSchema, prefix: string, required: boolean, out: string[]): void {
    const def = s.default === undefined ? (required ? "required" : "") : `\`${JSON.stringify(s.default)}\``;
    const isObject = s.type === "object" && s.properties;
    const isListOfObjects = s.type === "array" && s.items?.type === "object" && s.items.properties;
    if (prefix) {
        const type = isObject ? "object" : isListOfObjects ? "list of objects" : typeOf(s);
        out.push(`| \`${prefix}\` | ${type} | ${isObject && s.default !== undefined ? "" : def} | ${(s.description ?? "").replace(/\|/g, "\\|")} |`);
    }
    if (isObject) {
        const req = new Set(s.required ?? []);
        for (const [k, v] of Object.entries(s.properties ?? {})) rows(v, prefix ? `${prefix}.${k}` : k, req.has(k) && v.default === undefined, out);
    } else if (isListOfObjects && s.items) {
        const req = new Set(s.items.required ?? []);
        for (const [k, v] of Object.entries(s.items.properties ?? {})) rows(v, `${prefix}[].${k}`, req.has(k) && v.default === undefined, out);
    }
}

export function configReference(): string {
    const schema = z.toJSONSchema(TopologySchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
    const out = ["| key under `ha-mysql:topology` | type | default | meaning |", "|---|---|---|---|"];
    rows(schema, "", true, out);
    return out.join("\n") + "\n";
}
