// The dual-master steps on a server's host: its users (and the accounts an update no longer
// wants dropped), then replication from the peer, each checked before the step reports done.
import { DualMaster } from "../../model/schema";
import { ROOT_CLIENT_CNF } from "./client-cnf";
import { staleAccountsSql } from "./database-users-sql";
import { HA_MYSQL_DIR } from "./mysql-cnf";
import { inContainer, quote, waitFor, WRITE_FILES } from "./step-scripts";

const USERS_SQL = `${HA_MYSQL_DIR}/users.sql`;
/** The users.sql an update replaces, kept until the accounts only it created are dropped. */
const USERS_SQL_PREVIOUS = `${HA_MYSQL_DIR}/users.sql.previous`;

const client = (server: string) => `docker exec -i ${server} mysql --defaults-extra-file=${ROOT_CLIENT_CNF}`;

// MySQL 8.4 dropped the SLAVE forms; MariaDB accepts REPLICA since 10.5.
function replicaStatements(flavor: DualMaster["flavor"]): [status: string, stop: string] {
    return flavor === "mysql57" ? ["SHOW SLAVE STATUS", "STOP SLAVE; RESET SLAVE ALL"] : ["SHOW REPLICA STATUS", "STOP REPLICA; RESET REPLICA ALL"];
}

/**
 * Files first (users, replication SQL, the apply script, read on stdin), then the users, so the
 * peer can log in; then the accounts the previous users.sql created and this one no longer does
 * (a renamed user, a dropped host mask) go, so an update leaves none behind.
 */
export function dualMasterUsersApply(server: string): string {
    const dir = (cmd: string) => `docker exec ${quote(server)} sh -c ${quote(cmd)} </dev/null`;
    return [
        "set -eu",
        waitFor(`${server} accepting SQL`, `${client(server)} -e 'SELECT 1' >/dev/null 2>&1 </dev/null`, 300),
        dir(`if [ -f ${USERS_SQL} ]; then cp -p ${USERS_SQL} ${USERS_SQL_PREVIOUS}; fi`),
        inContainer(server, WRITE_FILES),
        `${client(server)} --batch -e "source ${USERS_SQL}" </dev/null`,
        `${dir(staleAccountsSql(USERS_SQL_PREVIOUS, USERS_SQL))} | ${client(server)} --batch`,
        dir(`rm -f ${USERS_SQL_PREVIOUS}`),
        `echo "users on ${server} in place"`,
    ].join("\n");
}

/** Runs the uploaded apply script and waits for both replication threads; stdin (a hash) is read and dropped. */
export function dualMasterReplicationApply(flavor: DualMaster["flavor"], server: string): string {
    const [status] = replicaStatements(flavor);
    return `set -eu\ncat >/dev/null\ndocker exec ${server} bash ${HA_MYSQL_DIR}/apply-replication.sh </dev/null\n${waitFor(`replication threads on ${server}`, `${client(server)} -e '${status}\\G' </dev/null | grep -c 'Running: Yes' | grep -q 2`, 120)}`;
}

export function dualMasterReplicationRemove(flavor: DualMaster["flavor"], server: string): string {
    const [, stop] = replicaStatements(flavor);
    return `${client(server)} -e '${stop}' </dev/null 2>/dev/null || true\necho "replication on ${server} stopped"`;
}
