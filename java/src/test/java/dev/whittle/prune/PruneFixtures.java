package dev.whittle.prune;

import dev.whittle.graph.Graph;
import dev.whittle.nn.BatchNorm2d;
import java.util.SplittableRandom;

/** Masks and batch-norm statistics for tests that prune, compact or export models. */
public final class PruneFixtures {
    private PruneFixtures() {}

    /** Random masks keeping roughly {@code keep} of every prunable group, at least one channel each. */
    public static ChannelMasks randomMasks(Graph g, double keep, long seed) {
        ChannelMasks m = new ChannelMasks(ChannelGroups.derive(g));
        SplittableRandom r = new SplittableRandom(seed);
        for (ChannelGroup grp : m.groups()) {
            if (!grp.prunable()) continue;
            boolean[] alive = new boolean[grp.channels()];
            for (int i = 0; i < alive.length; i++) alive[i] = r.nextDouble() < keep;
            alive[r.nextInt(alive.length)] = true;
            m.set(grp.id(), alive);
        }
        return m;
    }

    /** Non-trivial BN statistics so eval-mode BN is not the identity. */
    public static void randomiseNorms(Graph g, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (var n : g.nodes()) {
            if (n.layer() instanceof BatchNorm2d bn) {
                for (int c = 0; c < bn.channels; c++) {
                    bn.gamma.value()[c] = (float) (0.5 + r.nextDouble());
                    bn.beta.value()[c] = (float) (r.nextGaussian() * 0.2);
                    bn.runningMean.value()[c] = (float) (r.nextGaussian() * 0.2);
                    bn.runningVar.value()[c] = (float) (0.5 + r.nextDouble());
                }
            }
        }
    }
}
