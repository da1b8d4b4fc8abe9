package dev.whittle.prune.method;

import static dev.whittle.prune.method.MethodTestKit.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.graph.Graph;
import dev.whittle.model.Models;
import dev.whittle.nn.Param;
import dev.whittle.prune.ChannelGroup;
import dev.whittle.prune.ChannelGroups;
import dev.whittle.prune.PruneContext;
import dev.whittle.prune.PruneContext.Granularity;
import dev.whittle.prune.PruneTarget;
import dev.whittle.prune.PruningMethod;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The pieces under the methods: the gate chain rule, the bounded log, slimming's no-BN fallback. */
class SupportTest {

    @Test
    void gateSwapAppliesTheChainRuleToThetaAndLogAlphaAndRestoresTheta() {
        Param p = Param.trainable("w", 2, 3); // two channels of three elements, one gate per channel
        float[] theta = {1, 2, 3, -1, -2, -3};
        System.arraycopy(theta, 0, p.value(), 0, 6);
        HardConcreteGates gates = new HardConcreteGates(2, 0.5, new SplittableRandom(1));
        GateSwap swap = new GateSwap();
        swap.add(p, gates, 3);
        gates.sample(new SplittableRandom(2));
        swap.gate();
        for (int i = 0; i < 6; i++) assertEquals(theta[i] * gates.z[i / 3], p.value()[i], 1e-6);
        float[] gPrime = {0.5f, -1, 2, 1, 1, 1}; // ∂L/∂(θ·z)
        System.arraycopy(gPrime, 0, p.grad(), 0, 6);
        swap.ungate();
        assertArrayEquals(theta, p.value(), "θ restored for the optimizer step");
        for (int i = 0; i < 6; i++) assertEquals(gPrime[i] * gates.z[i / 3], p.grad()[i], 1e-6, "∂L/∂θ = g'·z");
        for (int c = 0; c < 2; c++) {
            double dLdz = 0;
            for (int i = 3 * c; i < 3 * c + 3; i++) dLdz += gPrime[i] * theta[i];
            assertEquals(dLdz * gates.dzDlogAlpha[c], gates.grad[c], 1e-5, "∂L/∂log α = Σ g'·θ · dz/dlog α");
        }
    }

    @Test
    void hardConcreteDerivativeMatchesAFiniteDifference() {
        HardConcreteGates a = new HardConcreteGates(1, 0.3, new SplittableRandom(1)),
                b = new HardConcreteGates(1, 0.3, new SplittableRandom(1));
        double h = 1e-3;
        b.logAlpha[0] = (float) (a.logAlpha[0] + h);
        a.sample(new SplittableRandom(5));
        b.sample(new SplittableRandom(5)); // same u
        if (a.z[0] > 0 && a.z[0] < 1) assertEquals((b.z[0] - a.z[0]) / h, a.dzDlogAlpha[0], 1e-2);
        assertEquals(
                0f,
                new HardConcreteGates(1, 0.999, new SplittableRandom(1)).testGate(0),
                "log α ≤ ln(1/11) is a closed gate");
    }

    @Test
    void theLogThinsItselfToStayBoundedAndEven() {
        MethodLog log = new MethodLog(100, 1);
        for (long t = 0; t < 20_000; t++) if (log.due(t)) log.row(t, "g").put("lambdaMean", 0.0);
        List<?> rows = log.rows();
        assertTrue(rows.size() <= MethodLog.MAX_ROWS && rows.size() > MethodLog.MAX_ROWS / 4, "rows " + rows.size());
        assertEquals(0L, log.rows().getFirst().get("iteration"));
        assertTrue((Long) log.rows().getLast().get("iteration") > 19_000, "covers the whole run");
    }

    @Test
    void slimmingFallsBackToFilterNormsForGroupsWithoutBatchNorm() {
        Graph g = Models.lenet5(10);
        g.initialize(1);
        List<ChannelGroup> groups = ChannelGroups.derive(g);
        PruneContext ctx = new PruneContext(
                g, groups, PruneTarget.uniform(g, groups, 0.5, 1, false), 4, 1, Granularity.FILTER, 0, 1);
        PruningMethod m = PruningMethods.create("slimming", MethodConfig.defaults());
        m.init(ctx);
        assertNull(checkKeepCounts(ctx, m.finish().channels()));
        assertTrue(m.log().stream().anyMatch(r -> "filter L1 (no BN)".equals(r.get("score"))));
    }
}
