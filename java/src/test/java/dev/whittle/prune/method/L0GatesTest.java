package dev.whittle.prune.method;

import static dev.whittle.prune.method.MethodTestKit.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.data.Dataset;
import dev.whittle.graph.Graph;
import dev.whittle.prune.PruneContext;
import dev.whittle.prune.PruneResult;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hard-concrete gates (§4): a strong penalty closes them; the end hits the exact target; eval sees ẑ. */
class L0GatesTest {
    private static final Dataset TRAIN = data(64, 1);

    private static MethodConfig strong() {
        // Per-gate penalty λ/N = 1 and a fast log α optimizer, so the gates move within a dozen iterations.
        return MethodConfig.builder()
                .l0Lambda(1)
                .l0FilterLambda(1)
                .l0DataSize(1)
                .l0LogAlphaLr(0.5)
                .logEvery(1)
                .build();
    }

    @Test
    void weightGatesCloseUnderAStrongPenaltyAndTheSparsityTargetIsMet() {
        Graph g = pretrainedVgg();
        PruneContext ctx = weightContext(g, 0.6, 3, iterationsPerEpoch(TRAIN));
        L0WeightGates m = (L0WeightGates) PruningMethods.create("l0", strong());
        m.init(ctx);
        assertEquals(1.0, m.openFraction(), 1e-9, "drop rate 0.05 starts with every ẑ > 0");
        regularize(g, m, TRAIN, 3, 0.05f);
        double open = m.openFraction();
        assertTrue(open < 0.5, "gates closed: open fraction " + open);
        PruneResult r = m.finish();
        long total = 0, dropped = 0;
        for (Map.Entry<String, boolean[]> e : r.weights().entrySet()) {
            total += e.getValue().length;
            dropped += PrunableWeights.zeros(e.getValue());
        }
        assertEquals(0.6, (double) dropped / total, 0.01);
        assertTrue(m.log().stream().anyMatch(x -> x.containsKey("gateOpen")));
    }

    @Test
    void afterEachStepTheLayerHoldsTheTestTimeGatedWeights() {
        Graph g = vgg(3);
        PruneContext ctx = weightContext(g, 0.5, 1, iterationsPerEpoch(TRAIN));
        L0WeightGates m = (L0WeightGates) PruningMethods.create(
                "l0", MethodConfig.builder().l0InitDrop(0.5).build());
        m.init(ctx);
        var conv1 = g.namedParams().stream()
                .filter(p -> p.name().equals("conv1.weight"))
                .findFirst()
                .orElseThrow()
                .param();
        regularize(g, m, TRAIN, 1, 0.05f);
        // Between iterations (and so during evaluation) the layer holds θ·ẑ, the deterministic test-time gate.
        float[][] rz = m.rawAndTestGates("conv1.weight");
        boolean partial = false;
        for (int j = 0; j < conv1.size(); j++) {
            assertEquals(rz[0][j] * rz[1][j], conv1.value()[j], 0f);
            partial |= rz[1][j] > 0 && rz[1][j] < 1;
        }
        assertTrue(partial, "p = 0.5 starts gates near ẑ = 0.5, so the check is not trivial");
    }

    @Test
    void filterGatesCloseUnderAStrongPenaltyAndFinishKeepsExactCounts() {
        Graph g = pretrainedVgg();
        PruneContext ctx = filterContext(g, 0.5, 3, iterationsPerEpoch(TRAIN));
        L0FilterGates m = (L0FilterGates) PruningMethods.create("l0-filter", strong());
        m.init(ctx);
        assertEquals(1.0, m.openFraction(), 1e-9);
        regularize(g, m, TRAIN, 3, 0.05f);
        assertTrue(m.openFraction() < 0.5, "gates closed: " + m.openFraction());
        PruneResult r = m.finish();
        assertNull(checkKeepCounts(ctx, r.channels()));
    }

    @Test
    void autoFilterLambdaGrowsWhileTooFewGatesAreClosedAndShrinksWhileTooMany() {
        PruneContext ctx = filterContext(vgg(2), 0.5, 3, 100);
        L0FilterGates m = (L0FilterGates) PruningMethods.create("l0-filter", MethodConfig.defaults());
        m.init(ctx);
        double start = L0FilterGates.LAMBDA_START, up = start * L0FilterGates.GROWTH;
        m.steer(); // every gate open: fewer closed than the half each group removes
        for (double l : m.lambdas()) assertEquals(up, l, 1e-12);
        for (HardConcreteGates g : m.gates()) Arrays.fill(g.logAlpha, (float) HardConcreteGates.LOG_ALPHA_MIN);
        m.steer(); // every gate closed: too many
        for (double l : m.lambdas()) assertEquals(start, l, 1e-12);
        for (HardConcreteGates g : m.gates()) // exactly half closed: held
        for (int j = 0; j < g.size(); j++)
                g.logAlpha[j] =
                        (float) (j % 2 == 0 ? HardConcreteGates.LOG_ALPHA_MIN : HardConcreteGates.LOG_ALPHA_MAX);
        m.steer();
        for (double l : m.lambdas()) assertEquals(start, l, 1e-12);
        // A fixed λ is not steered.
        L0FilterGates fixed = (L0FilterGates) PruningMethods.create(
                "l0-filter", MethodConfig.builder().l0FilterLambda(0.5).build());
        fixed.init(ctx);
        for (double l : fixed.lambdas()) assertEquals(0.5, l, 0);
    }
}
