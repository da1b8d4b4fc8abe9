package dev.whittle.prune;

import dev.whittle.graph.Graph;
import dev.whittle.nn.BatchNorm2d;
import dev.whittle.nn.Conv2d;
import dev.whittle.nn.Layer;
import dev.whittle.nn.Linear;
import dev.whittle.nn.MaxPool2d;
import dev.whittle.nn.Relu;

/**
 * Hands channel masks to the layers as alive-index lists, so kernels skip dead filters and dead input
 * channels in forward and backward: training gets faster as filters die, and the masked model computes what
 * the compact one does. Linear layers after a flatten receive each alive channel's block of H·W columns.
 */
public final class MaskBinding {
    private MaskBinding() {}

    public static void apply(Graph g, ChannelMasks masks) {
        GroupIndex idx = GroupIndex.of(g.nodes().size(), masks.groups());
        // ReLU and max pooling carry their input's channels through: they take the group of the node they read
        // (through batch norms), as long as that output still has channels (before a flatten).
        int[] carried = idx.outGroup().clone();
        for (int i = 0; i < g.nodes().size(); i++) {
            var n = g.nodes().get(i);
            int src = n.inputs()[0];
            boolean perChannel =
                    n.layer() instanceof Relu || n.layer() instanceof MaxPool2d || n.layer() instanceof BatchNorm2d;
            if (carried[i] < 0 && perChannel && src != Graph.INPUT) carried[i] = carried[src];
        }
        for (int i = 0; i < g.nodes().size(); i++) {
            Layer l = g.nodes().get(i).layer();
            int og = idx.outGroup()[i], ig = idx.inGroup()[i];
            if (l instanceof Relu || l instanceof MaxPool2d) {
                int cg = carried[i];
                boolean masked = cg >= 0 && !masks.isFull(cg) && perChannelShape(g, i, masks, cg);
                int[] alive = masked ? masks.aliveIndices(cg) : null;
                if (l instanceof Relu r) r.setAlive(alive);
                else ((MaxPool2d) l).setAlive(alive);
                continue;
            }
            int[] out = og < 0 || masks.isFull(og) ? null : masks.aliveIndices(og);
            int[] in = ig < 0 || masks.isFull(ig) ? null : masks.aliveIndices(ig);
            if (l instanceof Conv2d c) {
                c.setAlive(out, in);
            } else if (l instanceof Linear lin) {
                lin.setAlive(out, in == null ? null : expand(in, idx.inBlock()[i]));
            } else if (l instanceof BatchNorm2d bn) {
                bn.setAlive(out);
            }
        }
    }

    /** The node's output has the group's channels as its channel axis (not a flattened vector). */
    private static boolean perChannelShape(Graph g, int node, ChannelMasks masks, int group) {
        return g.nodes().get(node).outShape().c() == masks.groups().get(group).channels();
    }

    /** Removes all masks: every layer computes every channel again. */
    public static void clear(Graph g) {
        for (var n : g.nodes()) {
            if (n.layer() instanceof Conv2d c) c.setAlive(null, null);
            else if (n.layer() instanceof Linear lin) lin.setAlive(null, null);
            else if (n.layer() instanceof BatchNorm2d bn) bn.setAlive(null);
            else if (n.layer() instanceof Relu r) r.setAlive(null);
            else if (n.layer() instanceof MaxPool2d mp) mp.setAlive(null);
        }
    }

    static int[] expand(int[] channels, int block) {
        int[] cols = new int[channels.length * block];
        for (int i = 0; i < channels.length; i++) {
            for (int j = 0; j < block; j++) cols[i * block + j] = channels[i] * block + j;
        }
        return cols;
    }
}
