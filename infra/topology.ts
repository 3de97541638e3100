// Composes the components in dependency order from a validated topology.
import { LoadedStack } from "./config/load";

export interface TopologyOutputs {
    readonly hosts: string[];
}

export function declareTopology(stack: LoadedStack): TopologyOutputs {
    return { hosts: stack.topology.hosts.map((h) => h.name) };
}
