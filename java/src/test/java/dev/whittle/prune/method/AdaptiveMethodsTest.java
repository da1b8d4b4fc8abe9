package dev.whittle.prune.method;

import static dev.whittle.prune.method.MethodTestKit.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.data.Dataset;
import dev.whittle.graph.Graph;
import dev.whittle.nn.BatchNorm2d;
import dev.whittle.nn.Conv2d;
import dev.whittle.nn.Param;
import dev.whittle.prune.ChannelGroup;
import dev.whittle.prune.ChannelGroups;
import dev.whittle.prune.PruneContext;
import dev.whittle.prune.PruneResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** IncReg (§2), the progressive regularizer (§3) and slimming (§5c) on short runs of a tiny VGG. */
class AdaptiveMethodsTest {
    private static final Dataset TRAIN = data(64, 1);

    @Test
    void incRegHardPrunesGraduallyUntilEveryGroupReachesItsCount() {
        Graph g = pretrainedVgg();
        PruneContext ctx = filterContext(g, 0.5, 5, iterationsPerEpoch(TRAIN));
        IncReg m = (IncReg) PruningMethods.create(
                "increg", MethodConfig.builder().logEvery(1).build());
        m.init(ctx);
        regularize(g, m, TRAIN, 5, 0.05f);
        ChannelGroup conv3 = group(ctx, "conv3");
        List<Integer> counts = m.log().stream()
                .filter(r -> r.get("group").equals("conv3"))
                .map(r -> (Integer) r.get("hardPruned"))
                .toList();
        for (int i = 1; i < counts.size(); i++)
            assertTrue(counts.get(i) >= counts.get(i - 1), "removals are permanent: " + counts);
        assertTrue(
                counts.getFirst() == 0 && counts.stream().distinct().count() >= 3,
                "one by one, not at once: " + counts);
        assertEquals(
                Map.of("conv1", 2, "conv2", 2, "conv3", 4, "conv4", 4, "conv5", 4, "conv6", 4),
                m.hardPruned(),
                "all reached inside the budget");
        // Hard-pruned channels are exact zeros, BN included.
        BatchNorm2d bn3 = (BatchNorm2d) g.nodes().get(conv3.norms().getFirst()).layer();
        PruneResult r = m.finish();
        assertNull(checkKeepCounts(ctx, r.channels()));
        for (int c = 0; c < 8; c++)
            if (!r.channels().isAlive(conv3.id(), c)) assertEquals(0f, bn3.gamma.value()[c]);
        // ... and the kernels skip them: the conv and its batch norm carry the alive list of the hard-pruned masks.
        Conv2d c3 = (Conv2d) g.nodes().get(conv3.producers().getFirst()).layer();
        int[] alive = r.channels().aliveIndices(conv3.id());
        assertArrayEquals(alive, c3.aliveFilters(), "conv3 skips its hard-pruned filters");
        assertArrayEquals(alive, bn3.aliveChannels(), "bn3 skips them too");
    }

    @Test
    void incRegExponentialIncrementCrossesZeroAtTheBoundary() {
        IncReg m = (IncReg) PruningMethods.create(
                "increg",
                MethodConfig.builder()
                        .incRegIncrement(1)
                        .incRegFunction(MethodConfig.IncRegFunction.EXPONENTIAL)
                        .build());
        IncReg lin = (IncReg) PruningMethods.create(
                "increg", MethodConfig.builder().incRegIncrement(1).build());
        m.init(filterContext(vgg(1), 0.5, 1, 4));
        lin.init(filterContext(vgg(1), 0.5, 1, 4));
        for (IncReg x : List.of(m, lin)) {
            assertEquals(1, x.f(0, 4, 8), 1e-12, "A for the least important");
            assertEquals(0, x.f(4, 4, 8), 1e-12, "zero at ρ = M");
            assertTrue(x.f(3, 4, 8) > 0 && x.f(5, 4, 8) < 0);
        }
        assertEquals(-1, lin.f(8, 4, 8), 1e-12, "−A past the end of the linear ramp");
    }

    @Test
    void progressiveRaisesLambdaWhileBelowTargetAndTheKeptPrunedGapWidens() {
        Graph g = pretrainedVgg();
        PruneContext ctx = filterContext(g, 0.5, 4, iterationsPerEpoch(TRAIN));
        MethodConfig cfg = MethodConfig.builder()
                .progLambda0(0.1)
                .progGrowth(3)
                .progLambdaMax(3)
                .progCheckInterval(2)
                .progPenalty(MethodConfig.ProgressivePenalty.WEIGHTS) // §3's literal rule
                .logEvery(1)
                .build();
        ProgressiveRegularization m = (ProgressiveRegularization) PruningMethods.create("progressive", cfg);
        m.init(ctx);
        regularize(g, m, TRAIN, 4, 0.02f);
        assertEquals(3, m.lambda(), 1e-12, "below target at every check, so λ grew to λ_max");
        List<Map<String, Object>> conv3 =
                m.log().stream().filter(r -> r.get("group").equals("conv3")).toList();
        double r0 = (Double) conv3.getFirst().get("ratio"),
                r1 = (Double) conv3.getLast().get("ratio");
        assertTrue(r1 > 1.3 * r0, "group lasso separates the weakest filters: ratio " + r0 + " → " + r1);
        PruneResult r = m.finish();
        assertNull(checkKeepCounts(ctx, r.channels()));
        assertEquals(0.5, m.target(), 0.01);
        assertTrue(m.log().size() <= MethodLog.MAX_ROWS);
    }

    @Test
    void progressiveDefaultChecksLetLambdaReachItsMaximumWithinHalfAShortBudget() {
        MethodConfig cfg = MethodConfig.defaults();
        // VGG-small's recipe: 469 iterations an epoch, 3 regularization epochs.
        PruneContext ctx = filterContext(vgg(2), 0.5, 3, 469);
        long every = ProgressiveRegularization.autoCheckInterval(cfg, ctx);
        long checksInHalf = ctx.regularizationIterations() / 2 / every;
        assertTrue(every <= 469, "at least once per epoch: " + every);
        assertTrue(
                cfg.progLambda0() * Math.pow(cfg.progGrowth(), checksInHalf) >= cfg.progLambdaMax(),
                "λ₀·growth^" + checksInHalf + " reaches λ_max, checking every " + every);
        // A long phase keeps §3's once-per-epoch checks.
        assertEquals(469, ProgressiveRegularization.autoCheckInterval(cfg, filterContext(vgg(2), 0.5, 60, 469)));
    }

    @ParameterizedTest
    @EnumSource(MethodConfig.ProgressivePenalty.class)
    void progressiveHoldsLambdaOnceTheTargetIsMetAndStopsAfterTwoChecks(MethodConfig.ProgressivePenalty penalty) {
        Graph g = vgg(2);
        PruneContext ctx = filterContext(g, 0.5, 4, iterationsPerEpoch(TRAIN));
        // Half the channels of every targeted group are already ~0 in what the penalty measures (the filters, or
        // the BN (γ, β) of the channel): the sparsity target is met from the start.
        for (ChannelGroup grp : ctx.groups()) {
            if (!ctx.targets(grp)) continue;
            ChannelSlices s = new ChannelSlices(g, grp);
            var tensors = penalty == MethodConfig.ProgressivePenalty.WEIGHTS ? s.producerWeights() : s.normParams();
            for (var w : tensors) {
                int per = w.size() / grp.channels();
                for (int c = 0; c < grp.channels(); c += 2)
                    for (int i = 0; i < per; i++) w.value()[c * per + i] *= 1e-4f;
            }
        }
        MethodConfig cfg =
                MethodConfig.builder().progCheckInterval(2).progPenalty(penalty).build();
        ProgressiveRegularization m = (ProgressiveRegularization) PruningMethods.create("progressive", cfg);
        m.init(ctx);
        assertEquals(0.5, m.sparsity(), 1e-12);
        regularize(g, m, TRAIN, 4, 1e-9f); // frozen: under BN a tiny filter gets a huge (scale-invariant) gradient
        assertEquals(cfg.progLambda0(), m.lambda(), 0, "held");
        assertEquals(3L, m.log().getLast().get("iteration"), "the trainer stopped at the second check (iteration 3)");
        assertEquals(
                penalty == MethodConfig.ProgressivePenalty.WEIGHTS ? "weights" : "bn",
                m.log().getLast().get("penalised"));
        PruneResult r = m.finish();
        for (ChannelGroup grp : ctx.groups()) {
            if (!ctx.targets(grp)) continue;
            for (int c = 0; c < grp.channels(); c++)
                assertEquals(c % 2 == 1, r.channels().isAlive(grp.id(), c), grp.name() + " " + c);
        }
    }

    @Test
    void progressiveOnBatchNormScalesShrinksTheChannelsItWillRemoveAndLeavesTheFilters() {
        Graph g = pretrainedVgg();
        Dataset train = data(256, 1);
        PruneContext ctx = filterContext(g, 0.5, 4, iterationsPerEpoch(train));
        ChannelGroup conv3 = group(ctx, "conv3");
        ChannelSlices s = new ChannelSlices(g, conv3);
        double[] before = new double[conv3.channels()];
        for (int c = 0; c < before.length; c++) before[c] = s.normScale(c);
        MethodConfig cfg = MethodConfig.builder()
                .progLambda0(0.02)
                .progGrowth(1.5)
                .progLambdaMax(1)
                .progCheckInterval(2)
                .build();
        ProgressiveRegularization m = (ProgressiveRegularization) PruningMethods.create("progressive", cfg);
        m.init(ctx);
        regularize(g, m, train, 4, 0.02f);
        double[] after = new double[conv3.channels()];
        for (int c = 0; c < after.length; c++) after[c] = s.normScale(c);
        PruneResult r = m.finish();
        // The penalty on (γ, β) shrinks the channels it will remove relative to the kept ones: the removed/kept
        // ratio of BN output scale falls (§3's lasso on the filters cannot do this under BN, which renormalises any
        // filter scale).
        double kb = 0, rb = 0, ka = 0, ra = 0;
        for (int c = 0; c < after.length; c++)
            if (r.channels().isAlive(conv3.id(), c)) {
                kb += before[c];
                ka += after[c];
            } else {
                rb += before[c];
                ra += after[c];
            }
        assertTrue(ra / ka < 0.9 * (rb / kb), "removed/kept scale " + rb / kb + " → " + ra / ka);
        assertEquals("bn", m.log().getLast().get("penalised"));
    }

    @Test
    void normScaleAndItsPenaltyTouchOnlyTheChannelsBatchNormParameters() {
        Graph g = vgg(5);
        ChannelGroup conv2 = ChannelGroups.derive(g).stream()
                .filter(x -> x.name().equals("conv2"))
                .findFirst()
                .orElseThrow();
        ChannelSlices s = new ChannelSlices(g, conv2);
        Param gamma = s.normParams().get(0), beta = s.normParams().get(1);
        gamma.value()[1] = 3f;
        beta.value()[1] = -4f;
        assertEquals(5.0, s.normScale(1), 1e-6);
        float g0 = gamma.grad()[0];
        float[] filterGrad = s.producerWeights().getFirst().grad().clone();
        float gb = gamma.grad()[1], bb = beta.grad()[1];
        s.addScaledToNorms(1, 0.5);
        assertEquals(gb + 1.5f, gamma.grad()[1], 1e-6);
        assertEquals(bb - 2f, beta.grad()[1], 1e-6);
        assertEquals(g0, gamma.grad()[0], "other channels untouched");
        assertArrayEquals(filterGrad, s.producerWeights().getFirst().grad(), "filters untouched");
    }

    @Test
    void slimmingShrinksTheGammaOfThePrunedChannels() {
        Graph g = pretrainedVgg();
        PruneContext ctx = filterContext(g, 0.5, 3, iterationsPerEpoch(TRAIN));
        ChannelGroup conv4 = group(ctx, "conv4");
        BatchNorm2d bn4 = (BatchNorm2d) g.nodes().get(conv4.norms().getFirst()).layer();
        float[] before = bn4.gamma.value().clone();
        var m = PruningMethods.create(
                "slimming", MethodConfig.builder().slimmingS(0.3).build());
        m.init(ctx);
        regularize(g, m, TRAIN, 3, 0.05f);
        float[] after = bn4.gamma.value().clone();
        PruneResult r = m.finish();
        assertNull(checkKeepCounts(ctx, r.channels()));
        double was = 0, now = 0, kept = 0;
        for (int c = 0; c < 8; c++) {
            if (r.channels().isAlive(conv4.id(), c)) {
                kept += Math.abs(after[c]);
            } else {
                was += Math.abs(before[c]);
                now += Math.abs(after[c]);
            }
        }
        assertTrue(now < 0.8 * was, "pruned |γ| shrank: " + was + " → " + now);
        assertTrue(now < kept, "pruned |γ| below kept |γ|");
        assertTrue(m.log().stream().anyMatch(x -> x.containsKey("globalWouldPrune")));
    }
}
