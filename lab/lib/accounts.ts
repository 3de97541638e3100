// Which application account and which database servers stand behind an SQL endpoint's backend.
import { AppAccount } from "../../model/schema";
import { Backend } from "../../model/endpoints";
import { LabStack } from "./lab-stack";

export function appOf(lab: LabStack, backend: Backend): AppAccount | undefined {
    const db = lab.topology.database;
    return backend === "pxc" ? db.pxc?.app : backend === "dualMaster" ? db.dualMaster?.app : undefined;
}

/** The database containers behind a backend, each with the host that runs it. */
export function backendNodes(lab: LabStack, backend: Backend): Array<{ name: string; host: string }> {
    const db = lab.topology.database;
    if (backend === "pxc") return db.pxc?.nodes ?? [];
    if (backend === "dualMaster") return db.dualMaster?.servers ?? [];
    return [];
}
