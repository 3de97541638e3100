// What every database and proxy component shares: the prepared hosts, the container network
// they join and the stack's secrets. The rest of a component's Args is the slice of the
// topology it builds and the text already rendered for it.
import * as pulumi from "@pulumi/pulumi";
import { HostBase } from "./host/host-base";

export interface StackContext {
    /** The prepared hosts by name: containers run through a host's Docker provider, remote steps over its SSH connection, after the host is ready. */
    readonly hosts: Record<string, HostBase>;
    /** Name of the container network every node joins at its fixed address. */
    readonly network: pulumi.Input<string>;
    /** The stack secrets by name (a secret Output); values only ever reach files, stdin or secret inputs. */
    readonly secrets: pulumi.Output<Record<string, string>>;
}
