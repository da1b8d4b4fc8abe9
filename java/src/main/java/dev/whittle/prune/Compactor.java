package dev.whittle.prune;

import dev.whittle.graph.Graph;
import dev.whittle.graph.GraphBuilder;
import dev.whittle.graph.Node;
import dev.whittle.nn.BatchNorm2d;
import dev.whittle.nn.Conv2d;
import dev.whittle.nn.Layer;
import dev.whittle.nn.LayerFactory;
import dev.whittle.nn.Linear;
import dev.whittle.nn.Param;
import java.util.List;

/**
 * Physically removes masked channels: builds a new graph whose convs, batch norms and linears have only the
 * alive channels, copying the matching weight slices (pruning-methods.md §6b). The result is an ordinary
 * model: saved, loaded and run like any other.
 */
public final class Compactor {
    private Compactor() {}

    /**
     * The graph of a loaded model file, compacted when the file carries channel masks (e.g. from {@code prune
     * --save-masked}), else as saved. {@code file} names the source in the error for masks that do not fit the
     * model's groups.
     */
    public static Graph compactIfMasked(dev.whittle.io.SavedModel m, java.nio.file.Path file) {
        if (m.masks().isEmpty()) return m.graph();
        ChannelMasks masks;
        try {
            masks = ChannelMasks.fromNamed(ChannelGroups.derive(m.graph()), m.masks());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        return compact(m.graph(), masks);
    }

    public static Graph compact(Graph g, ChannelMasks masks) {
        List<ChannelGroup> groups = masks.groups();
        GroupIndex idx = GroupIndex.of(g.nodes().size(), groups);
        GraphBuilder b = new GraphBuilder(g.name(), g.inputShape());
        for (int i = 0; i < g.nodes().size(); i++) {
            Node n = g.nodes().get(i);
            Layer l = n.layer();
            int[] outAlive = idx.outGroup()[i] >= 0 ? masks.aliveIndices(idx.outGroup()[i]) : null;
            int[] inAlive = idx.inGroup()[i] >= 0 ? masks.aliveIndices(idx.inGroup()[i]) : null;
            Layer copy;
            if (l instanceof Conv2d c) {
                Conv2d k = new Conv2d(
                        inAlive.length, outAlive.length, c.kernel, c.stride, c.pad, c.bias != null, c.groups);
                int rs = c.kernel * c.kernel, cin = c.inChannels;
                for (int o = 0; o < outAlive.length; o++) {
                    for (int ci = 0; ci < inAlive.length; ci++) {
                        System.arraycopy(
                                c.weight.value(),
                                (outAlive[o] * cin + inAlive[ci]) * rs,
                                k.weight.value(),
                                (o * inAlive.length + ci) * rs,
                                rs);
                    }
                    if (c.bias != null) k.bias.value()[o] = c.bias.value()[outAlive[o]];
                }
                copy = k;
            } else if (l instanceof Linear lin) {
                int block = idx.inBlock()[i];
                Linear k = new Linear(inAlive.length * block, outAlive.length);
                for (int o = 0; o < outAlive.length; o++) {
                    for (int ci = 0; ci < inAlive.length; ci++) {
                        System.arraycopy(
                                lin.weight.value(),
                                outAlive[o] * lin.in + inAlive[ci] * block,
                                k.weight.value(),
                                o * k.in + ci * block,
                                block);
                    }
                    k.bias.value()[o] = lin.bias.value()[outAlive[o]];
                }
                copy = k;
            } else if (l instanceof BatchNorm2d bn) {
                BatchNorm2d k = new BatchNorm2d(outAlive.length);
                gather(bn.gamma, k.gamma, outAlive);
                gather(bn.beta, k.beta, outAlive);
                gather(bn.runningMean, k.runningMean, outAlive);
                gather(bn.runningVar, k.runningVar, outAlive);
                copy = k;
            } else {
                copy = LayerFactory.create(l.op(), l.attrs()); // parameter-free
            }
            b.add(n.name(), copy, n.inputs());
        }
        return b.build();
    }

    private static void gather(Param from, Param to, int[] alive) {
        for (int i = 0; i < alive.length; i++) to.value()[i] = from.value()[alive[i]];
    }
}
