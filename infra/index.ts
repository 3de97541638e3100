// The stack program: validate the whole configuration first, then declare the topology.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../model/issues";
import { loadStackConfig } from "./pulumi-config";
import { withoutStackTraces } from "./stack-traces";
import { declareTopology } from "./topology";

withoutStackTraces();

function loadOrExplain(): ReturnType<typeof loadStackConfig> {
    try {
        return loadStackConfig();
    } catch (err) {
        // A RunError prints its message alone: the list of problems, not a stack trace.
        if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
        throw err;
    }
}

const outputs = declareTopology(loadOrExplain());
export const sqlEndpoints = outputs.sqlEndpoints;
export const statsUrls = outputs.statsUrls;
export const vipHolders = outputs.vipHolders;
export const nodeAddresses = outputs.nodeAddresses;
export const tlsCaCertificate = outputs.tlsCaCertificate;
