// The stack program: validate the whole configuration first, then declare the topology.
import { loadStackConfig } from "./config/pulumi-source";
import { declareTopology } from "./topology";

const stack = loadStackConfig();
export const outputs = declareTopology(stack);
