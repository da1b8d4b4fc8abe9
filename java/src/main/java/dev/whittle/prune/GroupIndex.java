package dev.whittle.prune;

import java.util.List;

/** For each node: the group of its output channels (producers and norms) and of its input channels (consumers). */
record GroupIndex(int[] outGroup, int[] inGroup, int[] inBlock) {
    static GroupIndex of(int nodes, List<ChannelGroup> groups) {
        int[] out = new int[nodes], in = new int[nodes], block = new int[nodes];
        java.util.Arrays.fill(out, -1);
        java.util.Arrays.fill(in, -1);
        for (ChannelGroup g : groups) {
            for (int p : g.producers()) out[p] = g.id();
            for (int n : g.norms()) out[n] = g.id();
            for (ChannelGroup.Consumer c : g.consumers()) {
                in[c.node()] = g.id();
                block[c.node()] = c.block();
            }
        }
        return new GroupIndex(out, in, block);
    }
}
