package dev.whittle.prune.method;

import static dev.whittle.prune.method.MethodTestKit.data;
import static dev.whittle.prune.method.MethodTestKit.iterationsPerEpoch;
import static dev.whittle.prune.method.MethodTestKit.pretrainedVgg;
import static dev.whittle.prune.method.MethodTestKit.regularize;
import static dev.whittle.prune.method.MethodTestKit.weightContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.data.Dataset;
import dev.whittle.graph.Graph;
import dev.whittle.prune.PruneContext;
import dev.whittle.prune.PruneResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Weight-level GReg-1: λ grows to τ within the budget, the selected weights shrink far more than the kept ones
 * (the separation the method exists for), and removal masks exactly the target sparsity to zero.
 */
class GReg1WeightTest {

    @Test
    void growingPenaltySeparatesSelectedWeightsThenMasksExactlyTheTarget() {
        Graph g = pretrainedVgg();
        Dataset d = data(96, 3);
        long ipe = iterationsPerEpoch(d);
        PruneContext ctx = weightContext(g, 0.8, 2, ipe);
        MethodConfig cfg = MethodConfig.builder().gregStabilize(2).build();
        GReg1Weight m = (GReg1Weight) PruningMethods.create("greg1-weight", cfg);
        m.init(ctx);
        regularize(g, m, d, 4, 0.02f);
        assertTrue(m.lambda() > cfg.gregTau(), "λ passed τ within the budget: " + m.lambda());
        List<Map<String, Object>> log = m.log();
        assertTrue(!log.isEmpty());
        Map<String, Object> first = log.getFirst(), last = log.getLast();
        assertEquals(first.get("group"), log.get(0).get("group"));
        double r0 = ((Number) first.get("ratio")).doubleValue(), r1 = ((Number) last.get("ratio")).doubleValue();
        assertTrue(r1 > 2 * r0, "kept/pruned magnitude ratio grew from " + r0 + " to " + r1);

        PruneResult r = m.finish();
        long total = 0, dropped = 0;
        for (var e : r.weights().entrySet()) {
            float[] w = g.namedParams().stream()
                    .filter(p -> p.name().equals(e.getKey()))
                    .findFirst()
                    .orElseThrow()
                    .param()
                    .value();
            for (int i = 0; i < w.length; i++) {
                total++;
                if (!e.getValue()[i]) {
                    dropped++;
                    assertEquals(0f, w[i], e.getKey() + "[" + i + "] masked but nonzero");
                }
            }
        }
        assertEquals(0.8, (double) dropped / total, 1e-3);
        for (var grp : ctx.groups()) assertTrue(r.channels().isFull(grp.id()), "weight-level keeps every channel");
    }

    @Test
    void filterTargetOrNoBudgetIsRefused() {
        Graph g = MethodTestKit.vgg(1);
        var e = assertThrows(
                IllegalArgumentException.class, () -> PruningMethods.create("greg1-weight", MethodConfig.defaults())
                        .init(MethodTestKit.filterContext(g, 0.5, 1, 4)));
        assertTrue(e.getMessage().contains("needs WEIGHT granularity"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> PruningMethods.create("greg1-weight", MethodConfig.defaults())
                        .init(weightContext(g, 0.5, 0, 4)));
        assertTrue(e.getMessage().contains("regularization budget"), e.getMessage());
    }
}
