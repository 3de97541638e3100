// The only place that reads Pulumi's stack config: everything below it is plain data.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, issue, TOPOLOGY_KEY, warningLines } from "../model/issues";
import { loadTopology, LoadedStack } from "../model/load";
import { SecretSource } from "../model/rules/secrets";

// isConfigSecret is exported by the runtime but marked internal; it is the one way to
// tell a `secure:` value from a plaintext one without reading Pulumi.<stack>.yaml.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const runtimeConfig: { isConfigSecret(k: string): boolean } = require("@pulumi/pulumi/runtime/config");

export function loadStackConfig(): LoadedStack {
    const project = pulumi.getProject();
    const config = new pulumi.Config(project);
    const fullKey = (k: string) => `${project}:${k}`;
    if (runtimeConfig.isConfigSecret(fullKey(TOPOLOGY_KEY))) {
        throw new ConfigError(project, [
            issue("", "(secret)", "the topology object contains a secret value", "keep passwords in their own top-level secret keys and refer to them by name (e.g. rootPasswordSecret: mysqlRootPassword)"),
        ]);
    }
    const source: SecretSource = (key) => {
        const value = pulumi.runtime.getConfig(fullKey(key));
        return value === undefined ? undefined : { value, secret: runtimeConfig.isConfigSecret(fullKey(key)) };
    };
    const stack = loadTopology(project, config.getObject<unknown>(TOPOLOGY_KEY), source);
    for (const line of warningLines(project, stack.warnings)) pulumi.log.warn(line);
    return stack;
}
