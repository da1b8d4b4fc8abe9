package dev.whittle.prune.method;

import dev.whittle.prune.ChannelGroup;
import dev.whittle.prune.ChannelMasks;
import dev.whittle.prune.MaskZeroing;
import dev.whittle.prune.PruneContext;
import dev.whittle.prune.PruneContext.Granularity;
import java.util.ArrayList;
import java.util.List;

/** Validation every method runs in init, and the shared end of structured methods (masks + exact zeros). */
final class ContextChecks {
    private ContextChecks() {}

    /** Structured methods: FILTER granularity and keep counts that are reachable (1 ≤ keep ≤ size; only prunable groups shrink). */
    static List<ChannelGroup> requireFilter(PruneContext ctx, String method) {
        if (ctx.granularity() != Granularity.FILTER) {
            throw new IllegalArgumentException("method '" + method
                    + "' removes whole channels and needs FILTER granularity, but the target is " + ctx.granularity()
                    + "; for weight-level pruning use one of " + PruningMethods.WEIGHT_LEVEL);
        }
        if (ctx.keep().length != ctx.groups().size()) {
            throw new IllegalArgumentException("keep has " + ctx.keep().length + " entries but the graph has "
                    + ctx.groups().size() + " channel groups");
        }
        List<ChannelGroup> targeted = new ArrayList<>();
        for (ChannelGroup g : ctx.groups()) {
            int k = ctx.keep()[g.id()];
            if (k < 1 || k > g.channels()) {
                throw new IllegalArgumentException(
                        "group '" + g.name() + "' must keep between 1 and " + g.channels() + " channels, found " + k);
            }
            if (k < g.channels()) {
                if (!g.prunable())
                    throw new IllegalArgumentException("group '" + g.name() + "' cannot be pruned: " + g.reason());
                targeted.add(g);
            }
        }
        return targeted;
    }

    /** Weight-level methods: WEIGHT granularity and a sparsity strictly between 0 and 1. */
    static void requireWeight(PruneContext ctx, String method) {
        if (ctx.granularity() != Granularity.WEIGHT) {
            throw new IllegalArgumentException(
                    "method '" + method + "' prunes individual weights and needs WEIGHT granularity, but the target is "
                            + ctx.granularity() + "; for channel pruning use one of " + PruningMethods.FILTER_LEVEL);
        }
        double s = ctx.weightSparsity();
        if (!(s > 0 && s < 1)) {
            throw new IllegalArgumentException(
                    "weight sparsity must be in (0, 1) (the fraction of conv+linear weights to remove), found " + s);
        }
    }

    /** Regularizing methods scale their schedules to the budget, so it must exist. */
    static void requireBudget(PruneContext ctx, String method) {
        if (ctx.iterationsPerEpoch() < 1 || ctx.regularizationEpochs() < 1) {
            throw new IllegalArgumentException(
                    "method '" + method + "' needs a regularization budget of at least one epoch, found "
                            + ctx.regularizationEpochs() + " epochs of " + ctx.iterationsPerEpoch() + " iterations");
        }
    }

    /**
     * Channel masks from per-group alive flags (null = full), after checking each targeted group keeps exactly
     * its count; then zero the dead channels' filters and BN γ/β so the masked model equals the compact one (§6d).
     */
    static ChannelMasks masksAndZero(PruneContext ctx, boolean[][] alive) {
        ChannelMasks m = new ChannelMasks(ctx.groups());
        for (ChannelGroup g : ctx.groups()) {
            boolean[] a = alive[g.id()];
            if (a == null) continue;
            int n = Ranking.count(a);
            if (n != ctx.keep()[g.id()]) {
                throw new IllegalStateException(
                        "group '" + g.name() + "' would keep " + n + " channels instead of " + ctx.keep()[g.id()]);
            }
            m.set(g.id(), a);
        }
        MaskZeroing.apply(ctx.graph(), m);
        return m;
    }
}
