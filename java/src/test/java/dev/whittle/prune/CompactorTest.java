package dev.whittle.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.graph.Executor;
import dev.whittle.graph.Graph;
import dev.whittle.model.Models;
import dev.whittle.nn.Param;
import dev.whittle.nn.Shape;
import dev.whittle.runtime.Parallel;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A model whose masked channels are zeroed (§6d) and the physically compacted model compute the same logits,
 * for every reference model with random masks, residual groups included.
 */
class CompactorTest {
    private static final Parallel TWO = new Parallel(2);

    static ChannelMasks randomMasks(Graph g, double keep, long seed) {
        return PruneFixtures.randomMasks(g, keep, seed);
    }

    static void randomiseNorms(Graph g, long seed) {
        PruneFixtures.randomiseNorms(g, seed);
    }

    static float[] logits(Graph g, float[] x, int n) {
        return Arrays.copyOf(new Executor(g, n, false, TWO).forward(x, n, false), n * g.classes());
    }

    private static void assertMaskedEqualsCompact(Graph g, long seed) {
        g.initialize(seed);
        randomiseNorms(g, seed);
        ChannelMasks masks = randomMasks(g, 0.5, seed);
        MaskZeroing.apply(g, masks);
        Graph compact = Compactor.compact(g, masks);
        assertTrue(
                compact.macs() < g.macs() && compact.parameterCount() < g.parameterCount(),
                "compaction shrinks the model");
        int n = 3;
        SplittableRandom r = new SplittableRandom(seed + 9);
        float[] x = new float[n * g.inputShape().size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        float[] dense = logits(g, x, n), small = logits(compact, x, n);
        double scale = 0;
        for (float v : dense) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < dense.length; i++) {
            assertEquals(dense[i], small[i], 1e-5 * Math.max(1, scale), "logit " + i + " of " + g.name());
        }
    }

    /** Skipping (alive lists in the kernels, no zeroing) computes what the compact model computes. */
    private static void assertSkippingEqualsCompact(Graph g, long seed) {
        g.initialize(seed);
        randomiseNorms(g, seed);
        ChannelMasks masks = randomMasks(g, 0.5, seed);
        Graph compact = Compactor.compact(g, masks);
        MaskBinding.apply(g, masks);
        int n = 3;
        SplittableRandom r = new SplittableRandom(seed + 9);
        float[] x = new float[n * g.inputShape().size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        float[] masked = logits(g, x, n), small = logits(compact, x, n);
        double scale = 0;
        for (float v : masked) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < masked.length; i++) {
            assertEquals(small[i], masked[i], 1e-5 * Math.max(1, scale), "logit " + i + " of " + g.name());
        }
    }

    @Test
    void skippingMaskedChannelsMatchesCompactOnAllReferenceModels() {
        assertSkippingEqualsCompact(Models.lenet5(10), 11);
        assertSkippingEqualsCompact(Models.vggSmall(new int[] {8, 8, 16, 16, 32, 32}, 10), 12);
        assertSkippingEqualsCompact(Models.resnet20(new int[] {8, 16, 32}, null, new Shape(1, 28, 28), 10), 13);
    }

    @Test
    void lenet5MaskedAndCompactAgree() {
        assertMaskedEqualsCompact(Models.lenet5(10), 1);
    }

    @Test
    void vggSmallMaskedAndCompactAgree() {
        assertMaskedEqualsCompact(Models.vggSmall(new int[] {8, 8, 16, 16, 32, 32}, 10), 2);
    }

    @Test
    void resnet20MaskedAndCompactAgreeIncludingResidualGroups() {
        assertMaskedEqualsCompact(Models.resnet20(new int[] {8, 16, 32}, null, new Shape(1, 28, 28), 10), 3);
    }

    @Test
    void keptChannelsCountMatchesTheCompactShapes() {
        Graph g = Models.byName("vgg_small");
        g.initialize(4);
        List<ChannelGroup> groups = ChannelGroups.derive(g);
        ChannelMasks m = new ChannelMasks(groups);
        // keep half of every conv width: the p50 variant of models.md
        for (ChannelGroup grp : groups) {
            if (!grp.prunable() || grp.name().startsWith("fc")) continue;
            boolean[] alive = new boolean[grp.channels()];
            for (int i = 0; i < alive.length; i += 2) alive[i] = true;
            m.set(grp.id(), alive);
        }
        Graph p50 = Compactor.compact(g, m);
        assertEquals(7_488_256, p50.macs());
        assertEquals(222_298, p50.parameterCount());
        long trainable = p50.trainableParams().stream().mapToLong(Param::size).sum();
        assertEquals(222_298, trainable);
    }

    @Test
    void targetMacsCountedFromKeepCountsEqualTheCompactModelsMacs() {
        for (Graph g : List.of(
                Models.byName("vgg_small"),
                Models.lenet5(10),
                Models.resnet20(new int[] {16, 32, 64}, null, new Shape(3, 32, 32), 10))) {
            List<ChannelGroup> groups = ChannelGroups.derive(g);
            for (double fraction : new double[] {0.3, 0.5, 0.8}) {
                int[] keep = PruneTarget.keepCounts(g, groups, fraction, 1, true);
                ChannelMasks m = new ChannelMasks(groups);
                for (ChannelGroup grp : groups) {
                    if (keep[grp.id()] == grp.channels()) continue;
                    boolean[] alive = new boolean[grp.channels()];
                    for (int i = 0; i < keep[grp.id()]; i++) alive[i] = true;
                    m.set(grp.id(), alive);
                }
                assertEquals(
                        Compactor.compact(g, m).macs(),
                        PruneTarget.macs(g, groups, keep),
                        g.name() + " at " + fraction);
            }
        }
    }
}
