// Declares a stack under pulumi.runtime.setMocks and records what the engine would be
// told for each resource: type, name, parent, dependencies and serialized inputs
// (with secrets still wrapped), by listening on the mock monitor's registerResource.
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { LoadedStack } from "../../model/load";
import { declareTopology } from "../../infra/topology";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const mocks = require("@pulumi/pulumi/runtime/mocks");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const rpc = require("@pulumi/pulumi/runtime/rpc");

export const SECRET_SIG: string = rpc.specialSecretSig;
export const SIG_KEY: string = rpc.specialSigKey;

export interface Registered {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly parent: string;
    readonly deps: string[];
    readonly custom: boolean;
    readonly inputs: Record<string, unknown>;
    /** The deleteBeforeReplace option as the engine receives it. */
    readonly deleteBeforeReplace: boolean;
    /** replaceOnChanges, with what the SDK adds (command: triggers[*]). */
    readonly replaceOnChanges: string[];
    /** The id the mock gave a custom resource (undefined for components). */
    id?: string;
}

let sink: Registered[] | undefined;
const original = mocks.MockMonitor.prototype.registerResource;
mocks.MockMonitor.prototype.registerResource = function (req: any, callback: any) {
    const type: string = req.getType();
    const name: string = req.getName();
    const parent: string = req.getParent();
    const urn: string = this.newUrn(parent, type, name);
    sink?.push({
        type,
        name,
        urn,
        parent,
        deps: req.getDependenciesList(),
        custom: req.getCustom(),
        inputs: req.getObject()?.toJavaScript() ?? {},
        deleteBeforeReplace: req.getDeletebeforereplace(),
        replaceOnChanges: req.getReplaceonchangesList(),
    });
    return original.call(this, req, callback);
};

async function settle(records: Registered[]): Promise<void> {
    // Registrations arrive asynchronously as outputs resolve; wait until none arrive for a while.
    let last = -1;
    for (let i = 0; i < 200 && records.length !== last; i++) {
        last = records.length;
        await new Promise((r) => setTimeout(r, 50));
    }
}

export interface MockOptions {
    /**
     * "name" (default): every id is `<name>-id`, the same whatever the inputs.
     * "replacement": an id changes exactly when the real provider would replace the resource,
     * as far as this project's resources go: a Docker container when any of its inputs changes
     * (the Docker provider recreates a container for its image, envs, uploads, networks,
     * ports...), a command when its triggers change (the SDK makes triggers replaceOnChanges;
     * a replaced command gets a new id). Steps triggered by a replaced container's id, or by
     * a replaced step's id, then see their triggers change as they would in a real plan.
     */
    readonly ids?: "name" | "replacement";
}

function mockId(args: pulumi.runtime.MockResourceArgs, how: MockOptions["ids"]): string {
    if (how !== "replacement") return `${args.name}-id`;
    const digest = (v: unknown) => crypto.createHash("sha256").update(JSON.stringify(v ?? null)).digest("hex").slice(0, 12);
    if (args.type === "docker:index/container:Container") return `${args.name}-${digest(args.inputs)}`;
    if (args.type === "command:remote:Command" || args.type === "command:local:Command") return `${args.name}-${digest(args.inputs.triggers)}`;
    return `${args.name}-id`;
}

export async function declareUnderMocks(stack: LoadedStack, options: MockOptions = {}): Promise<Registered[]> {
    const records: Registered[] = [];
    const ids = new Map<string, string>();
    sink = records;
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                const id = mockId(args, options.ids);
                ids.set(`${args.type}::${args.name}`, id);
                return {
                    id,
                    state: { ...args.inputs, stdout: args.type === "command:remote:Command" ? "SWMTKN-mock-token" : undefined },
                };
            },
            call: (args) => args.inputs,
        },
        "ha-mysql",
        "dev",
        true,
    );
    declareTopology(stack);
    await settle(records);
    sink = undefined;
    for (const r of records) r.id = ids.get(`${r.type}::${r.name}`);
    return records;
}

export function byName(records: Registered[], name: string): Registered {
    const r = records.find((x) => x.name === name);
    if (!r) throw new Error(`no resource named ${name}; have: ${records.map((x) => x.name).join(", ")}`);
    return r;
}

/** True when a depends on b directly or through its parents' and dependencies' closure. */
export function dependsOn(records: Registered[], a: string, b: string): boolean {
    const byUrn = new Map(records.map((r) => [r.urn, r]));
    const targetRes = byName(records, b);
    const targets = new Set([targetRes.urn, ...descendants(records, targetRes.urn).map((r) => r.urn)]);
    const seen = new Set<string>();
    // A component's dependencies are those of everything declared under it.
    const start = byName(records, a);
    const stack = [start, ...descendants(records, start.urn)];
    while (stack.length) {
        const r = stack.pop() as Registered;
        for (const d of r.deps) {
            if (targets.has(d)) return true;
            const next = byUrn.get(d);
            if (next && !seen.has(d)) {
                seen.add(d);
                stack.push(next);
            }
            // A dependency on a component means a dependency on all its children.
            for (const child of records.filter((c) => c.parent === d && !seen.has(c.urn))) {
                if (targets.has(child.urn)) return true;
                seen.add(child.urn);
                stack.push(child);
            }
        }
    }
    return false;
}

/** Every place a string occurs in a value, noting whether it sits inside a secret. */
export function occurrences(value: unknown, needle: string, inSecret = false): Array<{ secret: boolean }> {
    if (typeof value === "string") return value.includes(needle) ? [{ secret: inSecret }] : [];
    if (Array.isArray(value)) return value.flatMap((v) => occurrences(v, needle, inSecret));
    if (value && typeof value === "object") {
        const o = value as Record<string, unknown>;
        const secret = inSecret || o[SIG_KEY] === SECRET_SIG;
        return Object.values(o).flatMap((v) => occurrences(v, needle, secret));
    }
    return [];
}

function descendants(records: Registered[], urn: string): Registered[] {
    const children = records.filter((r) => r.parent === urn);
    return [...children, ...children.flatMap((c) => descendants(records, c.urn))];
}
