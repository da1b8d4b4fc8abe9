package dev.whittle.prune;

import java.util.List;

/**
 * A set of channels that must be kept or removed together, derived from the graph: the output channels of
 * every producer writing into it (several when they meet in a residual add), the batch norms that normalise
 * it, and every consumer's input slice. Channel {@code i} of the group is channel {@code i} of each member.
 *
 * @param producers nodes (conv or linear) whose output channels/rows form this group
 * @param norms batch-norm nodes over this group's channels
 * @param consumers nodes reading the group, with how many input columns one channel owns there
 * @param reason why the group cannot be pruned, or null when it can
 */
public record ChannelGroup(
        int id,
        String name,
        int channels,
        List<Integer> producers,
        List<Integer> norms,
        List<Consumer> consumers,
        String reason) {

    public boolean prunable() {
        return reason == null;
    }

    /**
     * A node reading the group. {@code block} is how many consecutive input positions one channel owns: 1 for a
     * conv's input channel or a linear after global pooling, H·W for a linear after a (C,H,W) flatten.
     */
    public record Consumer(int node, int block) {}
}
