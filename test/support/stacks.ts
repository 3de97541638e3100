// Reads the committed stack files and test fixtures as a user's `pulumi config` would.
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { loadTopology, LoadedStack } from "../../model/load";
import { SecretLookup } from "../../model/rules/secrets";

export const ROOT = path.resolve(__dirname, "../..");
export const PROJECT = "ha-mysql";

export function stackConfig(file: string): Record<string, unknown> {
    const doc = parse(fs.readFileSync(path.resolve(ROOT, file), "utf8")) as { config?: Record<string, unknown> };
    return doc.config ?? {};
}

export function rawTopology(file: string): unknown {
    return stackConfig(file)[`${PROJECT}:topology`];
}

export const TEST_SSH_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";

/** A secret source that knows every key and returns a valid value for its kind. */
export function goodSecrets(overrides: Record<string, SecretLookup | undefined> = {}) {
    return (key: string): SecretLookup | undefined => {
        if (key in overrides) return overrides[key];
        if (/Key$/.test(key)) return { value: TEST_SSH_KEY, secret: true };
        if (/^vrrp|Auth/.test(key)) return { value: "Vr7pQx2z", secret: true };
        return { value: `${key}-Test-Value-42`, secret: true };
    };
}

export function loadStackFile(file: string, overrides: Record<string, SecretLookup | undefined> = {}): LoadedStack {
    return loadTopology(PROJECT, rawTopology(file), goodSecrets(overrides));
}

export const EXAMPLE_STACKS = ["Pulumi.dev.yaml", "Pulumi.tutorial.yaml"];

/** Every stack a renderer is checked against: the committed stacks and one fixture per tutorial. */
export function allStackFiles(): string[] {
    const dir = path.join(ROOT, "test/fixtures");
    const fixtures = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort().map((f) => `test/fixtures/${f}`) : [];
    return [...EXAMPLE_STACKS, ...fixtures];
}

export function stackLabel(file: string): string {
    return path.basename(file, ".yaml").replace(/^Pulumi\./, "");
}
