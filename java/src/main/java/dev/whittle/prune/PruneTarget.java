package dev.whittle.prune;

import dev.whittle.graph.Graph;
import java.util.List;

/**
 * Turns a user's target into kept-channel counts per group. Our choice where the papers are silent: one keep
 * fraction shared by every eligible group (conv-produced, prunable), found by bisection so the compact model
 * has at most {@code targetMacs} × the dense MACs; counts can be rounded up to a multiple (e.g. 8) so
 * kernels stay vector-friendly. Linear hidden layers and (optionally) residual streams can be excluded.
 */
public final class PruneTarget {
    private PruneTarget() {}

    /** Keep counts for a uniform pruning ratio r in (0,1): each eligible group keeps ceil((1−r)·C), rounded. */
    public static int[] uniform(Graph g, List<ChannelGroup> groups, double ratio, int roundTo, boolean residual) {
        if (!(ratio > 0 && ratio < 1))
            throw new IllegalArgumentException("pruning ratio must be in (0, 1), found " + ratio);
        return keepCounts(g, groups, 1 - ratio, roundTo, residual);
    }

    /** Keep counts whose compact model has at most targetMacs × dense MACs (targetMacs in (0,1)). */
    /**
     * Masks keeping the fraction {@code alive} of every prunable group's channels, evenly spaced (channel
     * i·channels/keep for i < keep): the synthetic "filters died" state that speed benchmarks time.
     */
    public static ChannelMasks evenlySpaced(Graph g, List<ChannelGroup> groups, double alive) {
        ChannelMasks masks = new ChannelMasks(groups);
        if (alive >= 1) return masks;
        int[] keep = uniform(g, groups, 1 - alive, 1, false);
        for (ChannelGroup grp : groups) {
            if (keep[grp.id()] == grp.channels()) continue;
            boolean[] a = new boolean[grp.channels()];
            for (int i = 0; i < keep[grp.id()]; i++) a[i * grp.channels() / keep[grp.id()]] = true;
            masks.set(grp.id(), a);
        }
        return masks;
    }

    public static int[] forMacs(Graph g, List<ChannelGroup> groups, double targetMacs, int roundTo, boolean residual) {
        if (!(targetMacs > 0 && targetMacs < 1)) {
            throw new IllegalArgumentException(
                    "--target-macs must be in (0, 1) (the fraction of dense MACs to keep), found " + targetMacs);
        }
        long dense = g.macs(), goal = (long) Math.floor(targetMacs * dense);
        double lo = 0, hi = 1;
        int[] best = null;
        for (int it = 0; it < 40; it++) {
            double mid = (lo + hi) / 2;
            int[] keep = keepCounts(g, groups, mid, roundTo, residual);
            if (macs(g, groups, keep) <= goal) {
                best = keep;
                lo = mid;
            } else {
                hi = mid;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException(
                    "--target-macs " + targetMacs + " is unreachable: even one channel per eligible group leaves "
                            + macs(g, groups, keepCounts(g, groups, 0, roundTo, residual)) + " of " + dense + " MACs");
        }
        return best;
    }

    public static boolean eligible(Graph g, ChannelGroup grp, boolean residual) {
        if (!grp.prunable()) return false;
        boolean allConv =
                grp.producers().stream().allMatch(p -> g.nodes().get(p).layer() instanceof dev.whittle.nn.Conv2d);
        return allConv && (residual || grp.producers().size() == 1);
    }

    static int[] keepCounts(Graph g, List<ChannelGroup> groups, double fraction, int roundTo, boolean residual) {
        if (roundTo < 1) throw new IllegalArgumentException("--round-to must be >= 1, found " + roundTo);
        int[] keep = new int[groups.size()];
        for (ChannelGroup grp : groups) {
            int c = grp.channels();
            if (!eligible(g, grp, residual)) {
                keep[grp.id()] = c;
                continue;
            }
            int k = (int) Math.ceil(fraction * c - 1e-9);
            k = Math.max(1, k);
            if (roundTo > 1) k = Math.min(c, ((k + roundTo - 1) / roundTo) * roundTo);
            keep[grp.id()] = Math.min(c, k);
        }
        return keep;
    }

    /**
     * MACs of the model compacted to these keep counts, without building it: a conv's or linear's MACs are
     * (output channels) × (input channels) × (work per pair), so each node scales by kept/total on both sides.
     * The bisection in {@link #forMacs} calls this ~40 times, so it must not copy weights.
     */
    public static long macs(Graph g, List<ChannelGroup> groups, int[] keep) {
        GroupIndex idx = GroupIndex.of(g.nodes().size(), groups);
        long total = 0;
        for (int i = 0; i < g.nodes().size(); i++) {
            var n = g.nodes().get(i);
            long m = n.layer().macs(n.inShapes());
            if (m == 0) continue;
            int og = idx.outGroup()[i], ig = idx.inGroup()[i];
            if (og >= 0 && keep[og] < groups.get(og).channels())
                m = m / groups.get(og).channels() * keep[og];
            if (ig >= 0 && keep[ig] < groups.get(ig).channels())
                m = m / groups.get(ig).channels() * keep[ig];
            total += m;
        }
        return total;
    }
}
