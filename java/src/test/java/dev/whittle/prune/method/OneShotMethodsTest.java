package dev.whittle.prune.method;

import static dev.whittle.prune.method.MethodTestKit.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.graph.Graph;
import dev.whittle.model.Models;
import dev.whittle.nn.Conv2d;
import dev.whittle.nn.Shape;
import dev.whittle.prune.ChannelGroup;
import dev.whittle.prune.ChannelGroups;
import dev.whittle.prune.PruneContext;
import dev.whittle.prune.PruneContext.Granularity;
import dev.whittle.prune.PruneResult;
import dev.whittle.prune.PruningMethod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One-shot L1 (§5a) picks exactly the lowest-norm filters; magnitude (§5b) hits its sparsity and holds it. */
class OneShotMethodsTest {

    @Test
    void l1RemovesExactlyTheLowestNormFiltersOfAHandBuiltLayer() {
        Graph g = vgg(1);
        PruneContext ctx = filterContext(g, 0.5, 1, 1);
        ChannelGroup conv3 = group(ctx, "conv3");
        Conv2d c = (Conv2d) g.nodes().get(conv3.producers().getFirst()).layer();
        int per = c.weight.size() / c.outChannels;
        double[] norms = {5, 0.5, 7, 1, 3, 0.25, 2, 9}; // filters 1, 3, 5, 6 are the four smallest
        for (int f = 0; f < 8; f++) {
            for (int i = 0; i < per; i++)
                c.weight.value()[f * per + i] = (float) ((i % 2 == 0 ? 1 : -1) * norms[f] / per);
        }
        PruningMethod m = PruningMethods.create("l1", MethodConfig.defaults());
        m.init(ctx);
        assertTrue(m.isDone(0), "one-shot: no regularization phase");
        PruneResult r = m.finish();
        assertArrayEquals(new int[] {0, 2, 4, 7}, r.channels().aliveIndices(conv3.id()));
        assertNull(checkKeepCounts(ctx, r.channels()));
        for (int f : new int[] {1, 3, 5, 6}) assertEquals(0f, c.weight.value()[f * per], "pruned filter zeroed");
        assertTrue(!m.log().isEmpty());
    }

    @Test
    void l1ScoresAResidualGroupBySummingItsProducersNorms() {
        Graph g = Models.resnet20(new int[] {4, 8, 8}, null, new Shape(1, 28, 28), 10);
        g.initialize(3);
        List<ChannelGroup> groups = ChannelGroups.derive(g);
        ChannelGroup stream = groups.stream()
                .filter(x -> x.producers().size() > 2 && x.channels() == 4)
                .findFirst()
                .orElseThrow();
        int[] keep = new int[groups.size()];
        for (ChannelGroup x : groups) keep[x.id()] = x.channels();
        keep[stream.id()] = 2;
        // Producer 0 favours channels 0,1; producer 1 favours 2,3 strongly; the sum decides: 2 and 3 stay.
        Conv2d a = (Conv2d) g.nodes().get(stream.producers().get(0)).layer(),
                b = (Conv2d) g.nodes().get(stream.producers().get(1)).layer();
        fillFilters(a, new double[] {3, 3, 1, 1});
        fillFilters(b, new double[] {0.1, 0.1, 4, 4});
        for (int p = 2; p < stream.producers().size(); p++)
            fillFilters((Conv2d) g.nodes().get(stream.producers().get(p)).layer(), new double[] {1, 1, 1, 1});
        PruneContext ctx = new PruneContext(g, groups, keep, 1, 1, Granularity.FILTER, 0, 1);
        PruningMethod m = PruningMethods.create("l1", MethodConfig.defaults());
        m.init(ctx);
        assertArrayEquals(new int[] {2, 3}, m.finish().channels().aliveIndices(stream.id()));
    }

    private static void fillFilters(Conv2d c, double[] l1) {
        int per = c.weight.size() / c.outChannels;
        for (int f = 0; f < c.outChannels; f++)
            for (int i = 0; i < per; i++) c.weight.value()[f * per + i] = (float) (l1[f] / per);
    }

    @Test
    void magnitudeReachesTheSparsityGloballyAndPerLayerAndKeepsMaskedWeightsAtZero() {
        for (MethodConfig.MagnitudeScope scope : MethodConfig.MagnitudeScope.values()) {
            Graph g = vgg(2);
            PruneContext ctx = weightContext(g, 0.7, 1, 8);
            PruningMethod m = PruningMethods.create(
                    "magnitude", MethodConfig.builder().magnitudeScope(scope).build());
            m.init(ctx);
            // Keep training with the hooks installed (as fine-tuning would): momentum and decay must not revive
            // weights.
            new dev.whittle.train.Trainer(g, config(1, 0.05f), PARALLEL)
                    .fit(data(48, 1), null, QUIET, new dev.whittle.train.Trainer.Hooks() {
                        @Override
                        public void afterBackward(long t) {
                            m.afterBackward(t);
                        }

                        @Override
                        public void afterStep(long t) {
                            m.afterStep(t);
                        }
                    });
            PruneResult r = m.finish();
            long total = 0, dropped = 0, zeros = 0;
            for (Map.Entry<String, boolean[]> e : r.weights().entrySet()) {
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
                        if (w[i] == 0f) zeros++;
                    }
                }
                if (scope == MethodConfig.MagnitudeScope.LAYER) {
                    assertEquals(
                            0.7,
                            (double) PrunableWeights.zeros(e.getValue()) / w.length,
                            1.0 / w.length + 1e-9,
                            e.getKey());
                }
            }
            assertEquals(0.7, (double) dropped / total, 0.01, scope.name());
            assertEquals(dropped, zeros, "masked weights stay exactly zero");
        }
    }

    @Test
    void granularityMismatchesAndBadInputsAreRejectedWithClearMessages() {
        Graph g = vgg(1);
        var e = assertThrows(
                IllegalArgumentException.class, () -> PruningMethods.create("magnitude", MethodConfig.defaults())
                        .init(filterContext(g, 0.5, 1, 1)));
        assertTrue(e.getMessage().contains("WEIGHT granularity"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PruningMethods.create("greg1", MethodConfig.defaults())
                .init(weightContext(g, 0.5, 1, 1)));
        assertTrue(e.getMessage().contains("FILTER granularity"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> PruningMethods.create("magnitude", MethodConfig.defaults())
                        .init(weightContext(g, 1.0, 1, 1)));
        assertTrue(e.getMessage().contains("(0, 1)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PruningMethods.create("obd", MethodConfig.defaults()));
        assertTrue(
                e.getMessage().contains("'obd'")
                        && e.getMessage().contains("greg1")
                        && e.getMessage().contains("l0-filter"),
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> MethodConfig.builder().gregTau(-1).build());
        assertTrue(e.getMessage().contains("gregTau"), e.getMessage());
        PruneContext noBudget = filterContext(g, 0.5, 0, 8);
        e = assertThrows(IllegalArgumentException.class, () -> PruningMethods.create("greg1", MethodConfig.defaults())
                .init(noBudget));
        assertTrue(e.getMessage().contains("at least one epoch"), e.getMessage());
    }
}
