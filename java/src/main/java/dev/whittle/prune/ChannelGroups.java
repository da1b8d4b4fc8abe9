package dev.whittle.prune;

import dev.whittle.graph.Graph;
import dev.whittle.graph.Node;
import dev.whittle.nn.Add;
import dev.whittle.nn.BatchNorm2d;
import dev.whittle.nn.Conv2d;
import dev.whittle.nn.Flatten;
import dev.whittle.nn.GlobalAvgPool;
import dev.whittle.nn.Layer;
import dev.whittle.nn.Linear;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Derives the prunable channel groups of a graph from its edges (pruning-methods.md §6b–6c).
 *
 * <p>Every tensor carries a channel space and a block size. A conv or linear starts a new space (its
 * filters/rows); BN, ReLU and pooling pass it through; flatten keeps the space with block H·W (channel f owns
 * columns [f·H·W, (f+1)·H·W)); global pooling keeps it with block 1; an add merges the spaces of its inputs,
 * which is how every conv writing into one residual sum ends up in one group. Spaces are merged with
 * union-find, then each final space is one group.
 */
public final class ChannelGroups {
    private ChannelGroups() {}

    private static final int INPUT_SPACE = 0;

    public static List<ChannelGroup> derive(Graph g) {
        List<Node> nodes = g.nodes();
        UnionFind uf = new UnionFind();
        uf.make(); // space 0: the graph input
        int[] space = new int[nodes.size()], block = new int[nodes.size()];
        Map<Integer, String> blockers = new LinkedHashMap<>(); // space -> reason (pre-union ids)
        int[] producerSpace = new int[nodes.size()];
        java.util.Arrays.fill(producerSpace, -1);
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            Layer l = n.layer();
            int src = n.inputs()[0];
            int inSpace = src == Graph.INPUT ? INPUT_SPACE : space[src];
            int inBlock = src == Graph.INPUT ? 1 : block[src];
            if (l instanceof Conv2d c) {
                space[i] = uf.make();
                block[i] = 1;
                producerSpace[i] = space[i];
                if (c.groups != 1) {
                    blockers.put(
                            space[i],
                            "grouped conv '" + n.name()
                                    + "' couples its input and output channels (not supported yet)");
                    blockers.put(
                            inSpace,
                            "grouped conv '" + n.name()
                                    + "' couples its input and output channels (not supported yet)");
                }
            } else if (l instanceof Linear) {
                space[i] = uf.make();
                block[i] = 1;
                producerSpace[i] = space[i];
            } else if (l instanceof Flatten) {
                space[i] = inSpace;
                block[i] = inBlock * n.inShapes()[0].plane();
            } else if (l instanceof GlobalAvgPool) {
                space[i] = inSpace;
                block[i] = 1;
            } else if (l instanceof Add) {
                for (int j = 1; j < n.inputs().length; j++) {
                    int other = n.inputs()[j] == Graph.INPUT ? INPUT_SPACE : space[n.inputs()[j]];
                    uf.union(inSpace, other);
                }
                space[i] = inSpace;
                block[i] = inBlock;
            } else {
                // BN, ReLU, max/avg pooling act per channel: the space passes through unchanged.
                space[i] = inSpace;
                block[i] = inBlock;
            }
        }
        blockers.put(space[nodes.size() - 1], "the classifier output is never pruned");
        blockers.put(INPUT_SPACE, "the graph input's channels are fixed by the data");

        Map<Integer, Builder> groups = new LinkedHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            Layer l = n.layer();
            if (producerSpace[i] >= 0)
                groupOf(groups, uf, producerSpace[i], n.outShape().c())
                        .producers
                        .add(i);
            if (l instanceof BatchNorm2d)
                groupOf(groups, uf, space[i], n.outShape().c()).norms.add(i);
            if (l instanceof Conv2d || l instanceof Linear) {
                int src = n.inputs()[0];
                int inSpace = src == Graph.INPUT ? INPUT_SPACE : space[src];
                int inBlock = src == Graph.INPUT ? 1 : block[src];
                int channels = l instanceof Conv2d c ? c.inChannels : ((Linear) l).in / inBlock;
                groupOf(groups, uf, inSpace, channels).consumers.add(new ChannelGroup.Consumer(i, inBlock));
            }
        }
        for (var e : blockers.entrySet()) {
            Builder b = groups.get(uf.find(e.getKey()));
            if (b != null && b.reason == null) b.reason = e.getValue();
        }
        List<ChannelGroup> out = new ArrayList<>();
        for (Builder b : groups.values()) {
            if (b.producers.isEmpty() && b.reason == null) b.reason = "no layer produces these channels";
            String name = b.producers.isEmpty()
                    ? "input"
                    : nodes.get(b.producers.getFirst()).name();
            if (b.producers.size() > 1) name += "+" + (b.producers.size() - 1);
            out.add(new ChannelGroup(
                    out.size(),
                    name,
                    b.channels,
                    List.copyOf(b.producers),
                    List.copyOf(b.norms),
                    List.copyOf(b.consumers),
                    b.reason));
        }
        return out;
    }

    private static Builder groupOf(Map<Integer, Builder> groups, UnionFind uf, int space, int channels) {
        Builder b = groups.computeIfAbsent(uf.find(space), k -> new Builder(channels));
        if (b.channels != channels) {
            throw new IllegalStateException(
                    "channel space " + space + " has members with " + b.channels + " and " + channels + " channels");
        }
        return b;
    }

    private static final class Builder {
        final int channels;
        final List<Integer> producers = new ArrayList<>(), norms = new ArrayList<>();
        final List<ChannelGroup.Consumer> consumers = new ArrayList<>();
        String reason;

        Builder(int channels) {
            this.channels = channels;
        }
    }

    private static final class UnionFind {
        private final List<Integer> parent = new ArrayList<>();

        int make() {
            parent.add(parent.size());
            return parent.size() - 1;
        }

        int find(int x) {
            while (parent.get(x) != x) {
                parent.set(x, parent.get(parent.get(x)));
                x = parent.get(x);
            }
            return x;
        }

        void union(int a, int b) {
            int ra = find(a), rb = find(b);
            if (ra != rb) parent.set(Math.max(ra, rb), Math.min(ra, rb));
        }
    }
}
