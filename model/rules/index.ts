// All cross-field rules, run together so every problem is reported at once.
import { Topology } from "../schema";
import { ConfigIssue } from "../issues";
import { containerHostsExist, containerNamesUniquePerHost, hostAddressesUnique, hostKeysUsable, hostNamesUnique, installChoicesNeedInstall, oneSwarmManager } from "./hosts";
import { anchorsNeedOverlay, bridgeOnlyOnOneHost, containerAddressesValid, dockerDefaultNetworksFree, gatewayInsideSubnet, publishedPortsFreeOnHost, publishedPortsUniquePerHost, staticAddressesOutsideDynamicRange, subnetsDoNotOverlap } from "./network";
import { dualMasterPair, galeraNodesSpreadOverHosts, pxcOneBootstrapNode, pxcQuorumSize, sstMethodMatchesFlavor } from "./database";
import { checkTimingsSane, clustercheckNeedsGalera, haproxyPortsDistinct, listenerNamesUnique, listenersHaveBackends, oneWriteListenerPerGroup, readListenersOnGalera } from "./haproxy";
import { mycatAddressesValid, mycatPortsDistinct, mycatReferencesResolve } from "./mycat";
import { lanAddressesUnique, macvlanLanAddresses, macvlanOneLan, macvlanShims } from "./macvlan";
import { secretsNotSharedAcrossRoles } from "./secrets";
import { routerIdsUnique, vipsUnique, vrrpInstances } from "./vrrp";
import { mycatBackendsWithoutTls, tlsRequirementNeedsTls } from "./tls";

export type Rule = (t: Topology) => ConfigIssue[];

export const crossFieldRules: ReadonlyArray<Rule> = [
    hostNamesUnique,
    hostAddressesUnique,
    hostKeysUsable,
    oneSwarmManager,
    installChoicesNeedInstall,
    containerHostsExist,
    containerNamesUniquePerHost,
    gatewayInsideSubnet,
    subnetsDoNotOverlap,
    dockerDefaultNetworksFree,
    bridgeOnlyOnOneHost,
    anchorsNeedOverlay,
    containerAddressesValid,
    staticAddressesOutsideDynamicRange,
    publishedPortsUniquePerHost,
    publishedPortsFreeOnHost,
    pxcQuorumSize,
    pxcOneBootstrapNode,
    galeraNodesSpreadOverHosts,
    sstMethodMatchesFlavor,
    dualMasterPair,
    secretsNotSharedAcrossRoles,
    tlsRequirementNeedsTls,
    mycatBackendsWithoutTls,
    listenersHaveBackends,
    haproxyPortsDistinct,
    listenerNamesUnique,
    readListenersOnGalera,
    oneWriteListenerPerGroup,
    checkTimingsSane,
    clustercheckNeedsGalera,
    mycatReferencesResolve,
    mycatPortsDistinct,
    mycatAddressesValid,
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
