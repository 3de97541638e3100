// All cross-field rules, run together so every problem is reported at once.
import { Topology } from "../schema";
import { ConfigIssue } from "../issues";
import { containerHostsExist, containerNamesUniquePerHost, hostAddressesUnique, hostKeysUsable, hostNamesUnique, oneSwarmManager } from "./hosts";
import { bridgeOnlyOnOneHost, containerAddressesValid, gatewayInsideSubnet, publishedPortsUniquePerHost, staticAddressesOutsideDynamicRange, subnetsDoNotOverlap } from "./network";
import { dualMasterPair, pxcOneBootstrapNode, pxcQuorumSize, replicationSecretNotRoot, sstMethodMatchesFlavor } from "./database";
import { checkTimingsSane, clustercheckNeedsGalera, haproxyPortsDistinct, listenerNamesUnique, listenersHaveBackends, oneWriteListenerPerGroup, readListenersOnGalera } from "./haproxy";
import { mycatPortsDistinct, mycatReferencesResolve } from "./mycat";
import { lanAddressesUnique, macvlanLanAddresses, macvlanOneLan, macvlanShims } from "./macvlan";
import { routerIdsUnique, vipsUnique, vrrpInstances } from "./vrrp";

export type Rule = (t: Topology) => ConfigIssue[];

export const crossFieldRules: ReadonlyArray<Rule> = [
    hostNamesUnique,
    hostAddressesUnique,
    hostKeysUsable,
    oneSwarmManager,
    containerHostsExist,
    containerNamesUniquePerHost,
    gatewayInsideSubnet,
    subnetsDoNotOverlap,
    bridgeOnlyOnOneHost,
    containerAddressesValid,
    staticAddressesOutsideDynamicRange,
    publishedPortsUniquePerHost,
    pxcQuorumSize,
    pxcOneBootstrapNode,
    sstMethodMatchesFlavor,
    dualMasterPair,
    replicationSecretNotRoot,
    listenersHaveBackends,
    haproxyPortsDistinct,
    listenerNamesUnique,
    readListenersOnGalera,
    oneWriteListenerPerGroup,
    checkTimingsSane,
    clustercheckNeedsGalera,
    mycatReferencesResolve,
    mycatPortsDistinct,
    routerIdsUnique,
    vipsUnique,
    vrrpInstances,
    macvlanLanAddresses,
    macvlanOneLan,
    macvlanShims,
    lanAddressesUnique,
];

export function runRules(t: Topology): ConfigIssue[] {
    return crossFieldRules.flatMap((rule) => rule(t));
}
