package dev.whittle.prune;

import dev.whittle.graph.Graph;
import dev.whittle.nn.BatchNorm2d;
import dev.whittle.nn.Conv2d;
import dev.whittle.nn.Layer;
import dev.whittle.nn.Linear;

/**
 * Hands channel masks to the layers as alive-index lists, so kernels skip dead filters and dead input
 * channels in forward and backward: training gets faster as filters die, and the masked model computes what
 * the compact one does. Linear layers after a flatten receive each alive channel's block of H·W columns.
 */
public final class MaskBinding {
    private MaskBinding() {}

    public static void apply(Graph g, ChannelMasks masks) {
        GroupIndex idx = GroupIndex.of(g.nodes().size(), masks.groups());
        for (int i = 0; i < g.nodes().size(); i++) {
            Layer l = g.nodes().get(i).layer();
            int og = idx.outGroup()[i], ig = idx.inGroup()[i];
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

    /** Removes all masks: every layer computes every channel again. */
    public static void clear(Graph g) {
        for (var n : g.nodes()) {
            if (n.layer() instanceof Conv2d c) c.setAlive(null, null);
            else if (n.layer() instanceof Linear lin) lin.setAlive(null, null);
            else if (n.layer() instanceof BatchNorm2d bn) bn.setAlive(null);
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
