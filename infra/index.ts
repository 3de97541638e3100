// The stack program: validate the whole configuration first, then declare the topology.
import { loadStackConfig } from "./config/pulumi-source";
import { declareTopology } from "./topology";

const outputs = declareTopology(loadStackConfig());
export const sqlEndpoints = outputs.sqlEndpoints;
export const statsUrls = outputs.statsUrls;
export const vipHolders = outputs.vipHolders;
export const nodeAddresses = outputs.nodeAddresses;
