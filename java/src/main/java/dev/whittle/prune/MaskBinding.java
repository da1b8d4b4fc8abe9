package dev.whittle.prune;

import dev.whittle.graph.Graph;
import dev.whittle.nn.BatchNorm2d;
import dev.whittle.nn.Conv2d;
import dev.whittle.nn.Flatten;
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
        boolean[] packable = packable(g, idx, carried, masks.groups().size());
        for (int i = 0; i < g.nodes().size(); i++) {
            Layer l = g.nodes().get(i).layer();
            int og = idx.outGroup()[i], ig = idx.inGroup()[i];
            if (l instanceof Relu || l instanceof MaxPool2d) {
                int cg = carried[i];
                boolean masked = cg >= 0 && !masks.isFull(cg) && perChannelShape(g, i, masks, cg);
                int[] alive = masked ? masks.aliveIndices(cg) : null;
                if (l instanceof Relu r) {
                    r.setAlive(alive);
                    r.setPacked(masked && packable[cg]);
                } else {
                    ((MaxPool2d) l).setAlive(alive);
                    ((MaxPool2d) l).setPacked(masked && packable[cg]);
                }
                continue;
            }
            int[] out = og < 0 || masks.isFull(og) ? null : masks.aliveIndices(og);
            int[] in = ig < 0 || masks.isFull(ig) ? null : masks.aliveIndices(ig);
            if (l instanceof Conv2d c) {
                c.setAlive(out, in);
                c.setPacked(out != null && packable[og], in != null && packable[ig]);
            } else if (l instanceof Linear lin) {
                lin.setAlive(out, in == null ? null : expand(in, idx.inBlock()[i]));
                lin.setPacked(in != null && packable[ig]);
            } else if (l instanceof BatchNorm2d bn) {
                bn.setAlive(out);
                bn.setPacked(out != null && packable[og]);
            }
        }
    }

    /**
     * Groups whose activations training executors may store packed (nn/Packed: alive planes only, contiguous):
     * every node carrying the group's channels and every reader of such a node is a conv, batch norm, ReLU or max
     * pool, which all read and write packed planes. A flatten, a linear layer, a residual add or a global pool
     * reading them keeps the group in the full layout, and so does a group that reaches the graph's output.
     */
    private static boolean[] packable(Graph g, GroupIndex idx, int[] carried, int groups) {
        boolean[] ok = new boolean[groups];
        java.util.Arrays.fill(ok, true);
        int nodes = g.nodes().size();
        for (int i = 0; i < nodes; i++) {
            int cg = carried[i];
            if (cg < 0) continue;
            if (!perChannelLayer(g.nodes().get(i).layer()) || i == nodes - 1) ok[cg] = false;
        }
        for (int j = 0; j < nodes; j++) {
            Layer l = g.nodes().get(j).layer();
            for (int src : g.nodes().get(j).inputs()) {
                if (src == Graph.INPUT || carried[src] < 0) continue;
                int cg = carried[src];
                boolean reads = l instanceof Conv2d
                        ? idx.inGroup()[j] == cg
                        : l instanceof Flatten
                                ? flattenFeedsLinears(g, idx, j, cg)
                                : perChannelLayer(l) && carried[j] == cg;
                if (!reads) ok[cg] = false;
            }
        }
        return ok;
    }

    /** A flatten of group cg's planes whose every reader is a linear layer taking them as its input columns. */
    private static boolean flattenFeedsLinears(Graph g, GroupIndex idx, int flatten, int cg) {
        boolean any = false;
        for (int j = 0; j < g.nodes().size(); j++) {
            for (int src : g.nodes().get(j).inputs()) {
                if (src != flatten) continue;
                if (!(g.nodes().get(j).layer() instanceof Linear) || idx.inGroup()[j] != cg) return false;
                any = true;
            }
        }
        return any && flatten != g.nodes().size() - 1;
    }

    private static boolean perChannelLayer(Layer l) {
        return l instanceof Conv2d || l instanceof BatchNorm2d || l instanceof Relu || l instanceof MaxPool2d;
    }

    /** The node's output has the group's channels as its channel axis (not a flattened vector). */
    private static boolean perChannelShape(Graph g, int node, ChannelMasks masks, int group) {
        return g.nodes().get(node).outShape().c() == masks.groups().get(group).channels();
    }

    /** Removes all masks: every layer computes every channel again. */
    public static void clear(Graph g) {
        for (var n : g.nodes()) {
            if (n.layer() instanceof Conv2d c) {
                c.setAlive(null, null);
                c.setPacked(false, false);
            } else if (n.layer() instanceof Linear lin) {
                lin.setAlive(null, null);
                lin.setPacked(false);
            } else if (n.layer() instanceof BatchNorm2d bn) {
                bn.setAlive(null);
                bn.setPacked(false);
            } else if (n.layer() instanceof Relu r) {
                r.setAlive(null);
                r.setPacked(false);
            } else if (n.layer() instanceof MaxPool2d mp) {
                mp.setAlive(null);
                mp.setPacked(false);
            }
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
