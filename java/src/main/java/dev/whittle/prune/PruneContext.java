package dev.whittle.prune;

import dev.whittle.graph.Graph;
import java.util.List;

/**
 * What a method works on: the graph, its channel groups, how many channels each group must keep at the end
 * ({@code keep[groupId]}, equal to the group size for groups left alone), the regularization budget in
 * iterations, and the granularity.
 */
public record PruneContext(
        Graph graph,
        List<ChannelGroup> groups,
        int[] keep,
        long iterationsPerEpoch,
        int regularizationEpochs,
        Granularity granularity,
        double weightSparsity,
        long seed) {

    public enum Granularity {
        FILTER,
        WEIGHT
    }

    /** True when the method should thin this group (it has a target below its size). */
    public boolean targets(ChannelGroup g) {
        return keep[g.id()] < g.channels();
    }

    public long regularizationIterations() {
        return iterationsPerEpoch * regularizationEpochs;
    }
}
