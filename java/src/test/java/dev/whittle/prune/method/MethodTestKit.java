package dev.whittle.prune.method;

import dev.whittle.data.Dataset;
import dev.whittle.data.Synthetic;
import dev.whittle.graph.Graph;
import dev.whittle.model.Models;
import dev.whittle.prune.ChannelGroup;
import dev.whittle.prune.ChannelGroups;
import dev.whittle.prune.ChannelMasks;
import dev.whittle.prune.PruneContext;
import dev.whittle.prune.PruneContext.Granularity;
import dev.whittle.prune.PruneTarget;
import dev.whittle.prune.PruningMethod;
import dev.whittle.runtime.Parallel;
import dev.whittle.train.EpochMetrics;
import dev.whittle.train.TrainConfig;
import dev.whittle.train.Trainer;
import java.util.List;

/** Tiny models, synthetic data and short runs shared by the method tests (each run well under a few seconds). */
final class MethodTestKit {
    private MethodTestKit() {}

    static final Parallel PARALLEL = new Parallel(2);
    static final int BATCH = 16;
    static final Trainer.Listener QUIET = new Trainer.Listener() {};

    static Dataset data(int n, long sampleSeed) {
        return Synthetic.make(n, 10, 1, 28, 28, 5, sampleSeed);
    }

    static Graph vgg(long seed) {
        Graph g = Models.vggSmall(new int[] {4, 4, 8, 8, 8, 8}, 10);
        g.initialize(seed);
        return g;
    }

    static TrainConfig config(int epochs, float lr) {
        return new TrainConfig(epochs, BATCH, lr, "constant", 0.9f, 5e-4f, false, 3);
    }

    private static float[][] pretrained;

    /**
     * A VGG that has had a little plain training, so regularization starts from a model that has learnt
     * something. Trained once per test JVM and copied, since iterations are the budget of these tests.
     */
    static synchronized Graph pretrainedVgg() {
        if (pretrained == null) {
            Graph g = vgg(4);
            new Trainer(g, config(2, 0.05f), PARALLEL).fit(data(128, 9), null, QUIET);
            List<Graph.NamedParam> ps = g.namedParams();
            pretrained = new float[ps.size()][];
            for (int i = 0; i < ps.size(); i++)
                pretrained[i] = ps.get(i).param().value().clone();
        }
        Graph g = vgg(4);
        List<Graph.NamedParam> ps = g.namedParams();
        for (int i = 0; i < ps.size(); i++)
            System.arraycopy(pretrained[i], 0, ps.get(i).param().value(), 0, pretrained[i].length);
        return g;
    }

    static PruneContext filterContext(Graph g, double ratio, int epochs, long itersPerEpoch) {
        List<ChannelGroup> groups = ChannelGroups.derive(g);
        int[] keep = PruneTarget.uniform(g, groups, ratio, 1, false);
        return new PruneContext(g, groups, keep, itersPerEpoch, epochs, Granularity.FILTER, 0, 7);
    }

    static PruneContext weightContext(Graph g, double sparsity, int epochs, long itersPerEpoch) {
        List<ChannelGroup> groups = ChannelGroups.derive(g);
        int[] keep = new int[groups.size()];
        for (ChannelGroup grp : groups) keep[grp.id()] = grp.channels();
        return new PruneContext(g, groups, keep, itersPerEpoch, epochs, Granularity.WEIGHT, sparsity, 7);
    }

    static long iterationsPerEpoch(Dataset d) {
        return (d.size() + BATCH - 1) / BATCH;
    }

    /** Runs the method's regularization phase with the trainer (at most {@code maxEpochs}). */
    static List<EpochMetrics> regularize(Graph g, PruningMethod m, Dataset train, int maxEpochs, float lr) {
        return new Trainer(g, config(maxEpochs, lr), PARALLEL).fit(train, null, QUIET, m);
    }

    /** Every targeted group keeps exactly keep[g] channels; every other group stays full. */
    static String checkKeepCounts(PruneContext ctx, ChannelMasks m) {
        for (ChannelGroup g : ctx.groups()) {
            int alive = m.aliveIndices(g.id()).length;
            if (alive != ctx.keep()[g.id()])
                return "group " + g.name() + " keeps " + alive + " instead of " + ctx.keep()[g.id()];
        }
        return null;
    }

    static ChannelGroup group(PruneContext ctx, String name) {
        return ctx.groups().stream()
                .filter(g -> g.name().equals(name))
                .findFirst()
                .orElseThrow();
    }
}
