// Declares a stack under pulumi.runtime.setMocks and records what the engine would be
// told for each resource: type, name, parent, dependencies and serialized inputs
// (with secrets still wrapped), through the public hooks only: the mocks' newResource gives
// the inputs and ids, a stack transformation gives parent, options and dependencies.
import * as crypto from "crypto";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { LoadedStack } from "../../model/load";
import { declareTopology } from "../../infra/topology";

export const SECRET_SIG: string = pulumi.runtime.specialSecretSig;
export const SIG_KEY: string = pulumi.runtime.specialSigKey;

/** What the mocked command:local:run prints: the swarm join token the workers' join steps get. */
export const MOCK_SWARM_TOKEN = "SWMTKN-1-mock-token";

/** A mocked command's stdout is this followed by the command's name. */
export const MOCK_STDOUT_PREFIX = "mock-stdout-of-";

/**
 * What a mocked key step (one that runs `openssl req`) prints: a key and a certificate whose
 * base64 bodies encode the step's name, so a test can follow them into the files they reach.
 */
export function mockKeyAndCertificate(name: string): string {
    const body = (what: string) => Buffer.from(`${what} of ${name}`).toString("base64");
    return `-----BEGIN PRIVATE KEY-----\n${body("key")}\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\n${body("certificate")}\n-----END CERTIFICATE-----\n`;
}

const COMMAND_TYPES = new Set(["command:remote:Command", "command:local:Command"]);

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

/** What a stack transformation sees of a resource as it is constructed. */
interface Declared {
    readonly resource: pulumi.Resource;
    readonly type: string;
    readonly name: string;
    readonly parent?: pulumi.Resource;
    /** Explicit dependsOn plus the resources behind the outputs among its inputs. */
    readonly direct: Promise<pulumi.Resource[]>;
    readonly deleteBeforeReplace: boolean;
    readonly replaceOnChanges: string[];
}

function urnOf(r: pulumi.Resource): Promise<string> {
    return new Promise((resolve) => r.urn.apply((u) => resolve(u)));
}

async function explicit(dependsOn: pulumi.ResourceOptions["dependsOn"]): Promise<pulumi.Resource[]> {
    if (dependsOn === undefined) return [];
    if (pulumi.Output.isInstance(dependsOn)) return explicit(await new Promise((r) => (dependsOn as pulumi.Output<unknown>).apply((v) => r(v as pulumi.ResourceOptions["dependsOn"]))));
    if (!Array.isArray(dependsOn)) return [dependsOn as pulumi.Resource];
    return (await Promise.all(dependsOn.map((d) => explicit(d)))).flat();
}

async function directDependencies(props: pulumi.Inputs, opts: pulumi.ResourceOptions): Promise<pulumi.Resource[]> {
    // The SDK's own serializer: it yields the resources each input property depends on.
    const [, byProperty] = await pulumi.runtime.serializeResourceProperties("graph", props);
    return [...(await explicit(opts.dependsOn)), ...[...byProperty.values()].flatMap((s) => [...s])];
}

async function settle(count: () => number): Promise<void> {
    // Registrations arrive asynchronously as outputs resolve; wait until none arrive for a while.
    let last = -1;
    for (let i = 0; i < 200 && count() !== last; i++) {
        last = count();
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
    /** Collects every invoke the program makes (token, inputs), in order. */
    readonly invokes?: pulumi.runtime.MockCallArgs[];
}

function mockId(args: pulumi.runtime.MockResourceArgs, how: MockOptions["ids"]): string {
    if (how !== "replacement") return `${args.name}-id`;
    const digest = (v: unknown) => crypto.createHash("sha256").update(JSON.stringify(v ?? null)).digest("hex").slice(0, 12);
    if (args.type === "docker:index/container:Container") return `${args.name}-${digest(args.inputs)}`;
    if (args.type === "command:remote:Command" || args.type === "command:local:Command") return `${args.name}-${digest(args.inputs.triggers)}`;
    return `${args.name}-id`;
}

export async function declareUnderMocks(stack: LoadedStack, options: MockOptions = {}): Promise<Registered[]> {
    // The program writes the Docker provider's ssh files of ssh:// hosts: never into the home
    // directory of whoever evaluates it here (test/support/ssh-dir.ts sets a scratch one for jest).
    process.env.HA_MYSQL_SSH_DIR ??= path.join(os.tmpdir(), "ha-mysql-ssh-under-mocks");
    const declared: Declared[] = [];
    const engine = new Map<string, { inputs: Record<string, unknown>; custom: boolean; id?: string }>();
    let registrations = 0;
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registrations++;
                const id = mockId(args, options.ids);
                engine.set(`${args.type}::${args.name}`, { inputs: args.inputs ?? {}, custom: args.custom ?? false, id });
                // Each command prints a text of its own, so that a test sees where a stdout goes.
                const keyStep = String(args.inputs?.create ?? "").includes("openssl req");
                const stdout = COMMAND_TYPES.has(args.type) ? (keyStep ? mockKeyAndCertificate(args.name) : `${MOCK_STDOUT_PREFIX}${args.name}`) : undefined;
                return { id, state: { ...args.inputs, stdout } };
            },
            // command:local:run (the swarm join token read on the manager) answers a token.
            call: (args) => {
                options.invokes?.push(args);
                return args.token === "command:local:run" ? { ...args.inputs, stdout: MOCK_SWARM_TOKEN, stderr: "" } : args.inputs;
            },
        },
        "ha-mysql",
        "dev",
        true,
    );
    await pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation((args) => {
            declared.push({
                resource: args.resource,
                type: args.type,
                name: args.name,
                parent: args.opts.parent,
                direct: directDependencies(args.props, args.opts),
                deleteBeforeReplace: (args.opts as pulumi.CustomResourceOptions).deleteBeforeReplace ?? false,
                replaceOnChanges: args.opts.replaceOnChanges ?? [],
            });
            return undefined;
        });
        declareTopology(stack);
    });
    await settle(() => registrations);
    return resolveRecords(declared, engine);
}

async function resolveRecords(declared: Declared[], engine: Map<string, { inputs: Record<string, unknown>; custom: boolean; id?: string }>): Promise<Registered[]> {
    // URNs as the engine names them: the stack resource is no parent (the mock monitor prefixes its type).
    const isStack = (urn: string) => urn.split("::")[2] === "pulumi:pulumi:Stack";
    const plain = (urn: string) => urn.replace("::pulumi:pulumi:Stack$", "::");
    const urns = new Map<pulumi.Resource, string>();
    for (const d of declared) urns.set(d.resource, plain(await urnOf(d.resource)));
    const children = new Map<pulumi.Resource | undefined, Declared[]>();
    for (const d of declared) children.set(d.parent, [...(children.get(d.parent) ?? []), d]);
    // As the SDK sends them: a dependency on a component stands for the custom resources under it.
    const expand = (r: pulumi.Resource, self: pulumi.Resource, into: Set<string>, seen: Set<pulumi.Resource>) => {
        if (seen.has(r)) return;
        seen.add(r);
        if (pulumi.CustomResource.isInstance(r)) {
            const u = urns.get(r);
            if (u) into.add(u);
            return;
        }
        if (r === self) return;
        for (const c of children.get(r) ?? []) expand(c.resource, self, into, seen);
    };
    const records: Registered[] = [];
    for (const d of declared) {
        const deps = new Set<string>();
        const seen = new Set<pulumi.Resource>();
        for (const r of await d.direct) expand(r, d.resource, deps, seen);
        const parentUrn = d.parent ? await urnOf(d.parent) : "";
        const e = engine.get(`${d.type}::${d.name}`);
        records.push({
            type: d.type,
            name: d.name,
            urn: urns.get(d.resource) as string,
            parent: parentUrn === "" || isStack(parentUrn) ? "" : plain(parentUrn),
            deps: [...deps],
            custom: e?.custom ?? false,
            inputs: e?.inputs ?? {},
            deleteBeforeReplace: d.deleteBeforeReplace,
            replaceOnChanges: d.replaceOnChanges,
            id: e?.id,
        });
    }
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
