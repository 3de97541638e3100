// The bench's generated topologies pass the config rules: the bench evaluates them after its
// lab drills, so a refused one would throw away a whole run (it did once: no macvlan shims).
import { loadTopology } from "../../model/load";
import { EVALUATION_SIZES, scaledTopology } from "../../lab/bench/evaluate";
import { goodSecrets, PROJECT } from "../support/stacks";

describe.each(EVALUATION_SIZES.map(([n, h]) => [n, h]))("bench topology of %i Galera nodes on %i hosts", (dbNodes, hosts) => {
    it("is accepted by the config rules, with every node placed", () => {
        const t = loadTopology(PROJECT, scaledTopology(dbNodes, hosts), goodSecrets());
        expect(t.topology.hosts).toHaveLength(hosts);
        expect(t.topology.database.pxc?.nodes).toHaveLength(dbNodes);
    });
});
