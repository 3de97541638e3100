// What a configuration change does to the remote steps of the dev stack, as the engine would
// plan it. The @pulumi/command SDK marks every element of a command's `triggers`
// replaceOnChanges, so a step whose triggers change is REPLACED (its old delete runs: keepalived
// stops, the VIP goes, the replica is reset), while a change of create or stdin is an in-place
// UPDATE (the provider runs `update`, which is the create script). So for each change: every
// command keeps identical triggers unless a replacement is intended, and the steps the change
// is about see a new create or stdin.
//
// The mocks give ids that change when the real provider would replace the resource (see
// MockOptions "replacement" in test/support/graph.ts): a Docker container whose inputs change,
// a command whose triggers change. A step triggered by a replaced container's id then shows
// changed triggers here, as it would in a real plan.
import { loadTopology, LoadedStack } from "../../model/load";
import { SecretLookup } from "../../model/rules/secrets";
import { declareUnderMocks, Registered, SECRET_SIG, SIG_KEY } from "../support/graph";
import { goodSecrets, PROJECT, rawTopology } from "../support/stacks";

const COMMANDS = new Set(["command:remote:Command", "command:local:Command"]);
const CONTAINER = "docker:index/container:Container";
const DEV = "Pulumi.dev.yaml";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = any;

interface Change {
    readonly what: string;
    /** Edits the raw `ha-mysql:topology` value of Pulumi.dev.yaml, as a user would. */
    readonly edit?: (raw: Raw) => void;
    readonly secrets?: Record<string, SecretLookup>;
    /** Commands whose create or stdin changes: the engine updates them in place. */
    readonly updates: string[];
    /** Commands declared only after the change (created, not replacements). */
    readonly creates?: string[];
    /** Containers the Docker provider replaces. */
    readonly replacedContainers?: string[];
    /** Commands whose triggers change, so the engine replaces them, and why that is wanted. */
    readonly replaces?: { readonly steps: string[]; readonly why: string };
}

const CHANGES: Change[] = [
    {
        what: "an HAProxy check timing (haproxy.check.interMs)",
        edit: (t) => (t.haproxy.check.interMs = 750),
        updates: ["haproxy-h1-config", "haproxy-h2-config"],
    },
    {
        what: "a keepalived priority and advert interval (host VIP)",
        edit: (t) => {
            t.keepalived.instances[0].advertInt = 0.2;
            t.keepalived.instances[0].priorities = { lab1: 150, lab2: 145 };
        },
        updates: ["lab1-keepalived-apply", "lab2-keepalived-apply"],
    },
    {
        what: "firewall ports (an extra port on lab1)",
        edit: (t) => (t.hosts[0].firewall = { ports: [15999] }),
        updates: ["lab1-firewall-rules"],
    },
    {
        // lab3 becomes a third holder of the host VIP (and the isolation check gains a reference
        // that is no holder): its drop-in gains net.ipv4.ip_nonlocal_bind = 1, it needs keepalived
        // (its preflight and install steps), its firewall admits VRRP besides the swarm, and the
        // other holders get a new unicast peer (keepalived.conf and the VRRP firewall rules).
        what: "a sysctl value (lab3 holds the host VIP too)",
        edit: (t) => {
            t.keepalived.instances[0].holders = ["lab1", "lab2", "lab3"];
            t.keepalived.instances[0].track.isolation.push({ address: "10.77.0.1", port: 22 });
        },
        updates: ["lab3-preflight", "lab3-install", "lab3-prereq", "lab1-firewall-rules", "lab2-firewall-rules", "lab3-firewall-rules", "lab1-keepalived-apply", "lab2-keepalived-apply"],
        creates: ["lab3-keepalived-apply"],
    },
    {
        what: "lab3's Docker packages (hosts[2].install.docker.packages)",
        edit: (t) => (t.hosts[2].install = { docker: { packages: ["docker-ce", "docker-ce-cli"] } }),
        // The preflight names them in its messages; the install step installs them where Docker is missing.
        updates: ["lab3-preflight", "lab3-install"],
    },
    {
        // The committed dev stack pins nothing (the lab pins its hosts' generated keys in its
        // config copy): a new pin runs lab1's key check again, as an update.
        what: "lab1's pinned host key (hosts[0].ssh.hostKey)",
        edit: (t) => (t.hosts[0].ssh.hostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDCZ7eHnnc6sojMeaz6AYOSXN5mFaCy/UIXsu+l5k90j"),
        updates: ["lab1-host-key"],
    },
    {
        what: "the replication user's password (a secret value)",
        secrets: { replicationPassword: { value: "a-New-Replication-Password-7", secret: true } },
        updates: ["dualmaster-dm1-users", "dualmaster-dm2-users", "dualmaster-dm1-replication", "dualmaster-dm2-replication"],
    },
    {
        what: "a track script setting (macvlan VIP, keepalived in the containers)",
        edit: (t) => (t.keepalived.instances[1].track.intervalS = 2),
        updates: ["h1-keepalived-apply", "h2-keepalived-apply"],
    },
    {
        what: "the image of the HAProxy containers",
        edit: (t) => (t.haproxy.image = "ha-lab/haproxy:2.8"),
        // The config steps ask the new image which user reads the config.
        updates: ["haproxy-h1-config", "haproxy-h2-config"],
        replacedContainers: ["haproxy-h1", "haproxy-h2"],
        replaces: {
            steps: ["h1-keepalived-apply", "h2-keepalived-apply"],
            why: "keepalived lives inside the HAProxy container: a new container has none, so the step starts over (old delete first)",
        },
    },
    {
        what: "the image of the dual-master servers",
        edit: (t) => (t.database.dualMaster.image = "ha-lab/mariadb:10.11.9"),
        // The TLS files go to the new image's mysql account, which `id` in that image names.
        updates: ["dualmaster-dm1-tls", "dualmaster-dm2-tls"],
        replacedContainers: ["dualmaster-dm1", "dualmaster-dm2"],
        replaces: {
            steps: ["dualmaster-dm1-users", "dualmaster-dm2-users", "dualmaster-dm1-replication", "dualmaster-dm2-replication"],
            why: "new containers need their files and users again, and replication is set up again after both (triggered by the users steps' ids)",
        },
    },
];

/** Steps that carry triggers, and what those triggers are: the ids of what they work inside. */
const TRIGGERED: Record<string, string[]> = {
    "pxc-pn1-synced": ["pxc-pn1"],
    "pxc-pn2-synced": ["pxc-pn2"],
    "pxc-pn3-synced": ["pxc-pn3"],
    "pxc-whole-check": ["pxc-pn1", "pxc-pn2", "pxc-pn3"],
    "dualmaster-dm1-users": ["dualmaster-dm1"],
    "dualmaster-dm2-users": ["dualmaster-dm2"],
    "dualmaster-dm1-replication": ["dualmaster-dm1-users", "dualmaster-dm2-users"],
    "dualmaster-dm2-replication": ["dualmaster-dm1-users", "dualmaster-dm2-users"],
    "h1-keepalived-apply": ["haproxy-h1"],
    "h2-keepalived-apply": ["haproxy-h2"],
};

function stackWith(change: Change | undefined): LoadedStack {
    const raw = rawTopology(DEV) as Raw;
    change?.edit?.(raw);
    return loadTopology(PROJECT, raw, goodSecrets(change?.secrets ?? {}));
}

const commands = (rs: Registered[]) => new Map(rs.filter((r) => COMMANDS.has(r.type)).map((r) => [r.name, r]));
const containers = (rs: Registered[]) => new Map(rs.filter((r) => r.type === CONTAINER).map((r) => [r.name, r]));
const json = (v: unknown) => JSON.stringify(v);
const sorted = (xs: string[]) => [...xs].sort();

describe("configuration changes of the dev stack update remote steps in place", () => {
    let base: Registered[];

    beforeAll(async () => {
        base = await declareUnderMocks(stackWith(undefined), { ids: "replacement" });
    }, 60_000);

    it("declares every command with deleteBeforeReplace, and triggers only on the steps that work inside a container", () => {
        const cmds = commands(base);
        expect(cmds.size).toBeGreaterThan(10);
        const idOf = new Map(base.filter((r) => r.custom).map((r) => [r.name, r.id]));
        for (const r of cmds.values()) {
            expect([r.name, r.deleteBeforeReplace]).toEqual([r.name, true]);
            expect([r.name, r.replaceOnChanges]).toEqual([r.name, ["triggers[*]"]]);
            const want = TRIGGERED[r.name];
            // Absent, not empty, where there is nothing to trigger on.
            expect([r.name, r.inputs.triggers]).toEqual([r.name, want ? want.map((n) => idOf.get(n)) : undefined]);
        }
        expect(Object.keys(TRIGGERED).every((n) => cmds.has(n))).toBe(true);
    });

    describe.each(CHANGES.map((c) => [c.what, c] as const))("%s", (_what, change) => {
        let after: Registered[];

        beforeAll(async () => {
            after = await declareUnderMocks(stackWith(change), { ids: "replacement" });
        }, 60_000);

        it("declares the same commands (plus the new ones) and replaces no container it should not", () => {
            const [a, b] = [commands(base), commands(after)];
            expect(sorted([...a.keys()].filter((n) => !b.has(n)))).toEqual([]);
            expect(sorted([...b.keys()].filter((n) => !a.has(n)))).toEqual(sorted(change.creates ?? []));
            const [ca, cb] = [containers(base), containers(after)];
            expect(sorted([...cb.keys()])).toEqual(sorted([...ca.keys()]));
            expect(sorted([...ca.keys()].filter((n) => ca.get(n)?.id !== cb.get(n)?.id))).toEqual(sorted(change.replacedContainers ?? []));
        });

        it(`keeps every command's triggers identical${change.replaces ? ` except the intended replacements (${change.replaces.why})` : ""}`, () => {
            const [a, b] = [commands(base), commands(after)];
            const replaced = [...a.keys()].filter((n) => b.has(n) && json(a.get(n)?.inputs.triggers) !== json(b.get(n)?.inputs.triggers));
            expect(sorted(replaced)).toEqual(sorted(change.replaces?.steps ?? []));
            // Each intended replacement is triggered by the id of a replaced container or step.
            for (const n of change.replaces?.steps ?? []) expect([n, TRIGGERED[n] !== undefined]).toEqual([n, true]);
        });

        it("changes the create or stdin of exactly the steps it is about (they update)", () => {
            const [a, b] = [commands(base), commands(after)];
            const touched = [...a.keys()].filter((n) => {
                const [x, y] = [a.get(n)?.inputs, b.get(n)?.inputs];
                return b.has(n) && (json(x?.create) !== json(y?.create) || json(x?.stdin) !== json(y?.stdin));
            });
            expect(sorted(touched)).toEqual(sorted(change.updates));
            for (const n of change.updates) expect([n, b.get(n)?.inputs.update]).toEqual([n, b.get(n)?.inputs.create]);
        });

        it("keeps deleteBeforeReplace on every command", () => {
            for (const r of commands(after).values()) expect([r.name, r.deleteBeforeReplace]).toEqual([r.name, true]);
        });
    });

    it("carries the replication files' hash only as a secret (stdin), never in triggers", () => {
        const rs = commands(base);
        for (const s of ["dm1", "dm2"]) {
            const r = rs.get(`dualmaster-${s}-replication`);
            const stdin = r?.inputs.stdin as Record<string, unknown> | undefined;
            expect(stdin?.[SIG_KEY]).toBe(SECRET_SIG);
        }
    });
});
