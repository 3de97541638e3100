// Declares a stack under pulumi.runtime.setMocks and records what the engine would be
// told for each resource: type, name, parent, dependencies and serialized inputs
// (with secrets still wrapped), by listening on the mock monitor's registerResource.
import * as pulumi from "@pulumi/pulumi";
import { LoadedStack } from "../../infra/config/load";
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
}

let sink: Registered[] | undefined;
const original = mocks.MockMonitor.prototype.registerResource;
mocks.MockMonitor.prototype.registerResource = function (req: any, callback: any) {
    const type: string = req.getType();
    const name: string = req.getName();
    const parent: string = req.getParent();
    const urn: string = this.newUrn(parent, type, name);
    sink?.push({ type, name, urn, parent, deps: req.getDependenciesList(), custom: req.getCustom(), inputs: req.getObject()?.toJavaScript() ?? {} });
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

export async function declareUnderMocks(stack: LoadedStack): Promise<Registered[]> {
    const records: Registered[] = [];
    sink = records;
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({
                id: `${args.name}-id`,
                state: { ...args.inputs, stdout: args.type === "command:remote:Command" ? "SWMTKN-mock-token" : undefined },
            }),
            call: (args) => args.inputs,
        },
        "ha-mysql",
        "dev",
        true,
    );
    declareTopology(stack);
    await settle(records);
    sink = undefined;
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
