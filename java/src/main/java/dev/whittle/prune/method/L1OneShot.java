package dev.whittle.prune.method;

import dev.whittle.prune.ChannelGroup;
import dev.whittle.prune.PruneContext;
import dev.whittle.prune.PruneResult;
import dev.whittle.prune.PruningMethod;
import java.util.List;
import java.util.Map;

/**
 * One-shot L1-norm filter pruning (Li et al. 2017; pruning-methods.md §5a): in each targeted group keep the
 * {@code keep[g]} channels with the largest Σ|W_f|. A residual group (§6c) scores a channel by the sum of its
 * producers' filter norms, so all members lose the same channels. There is no regularization phase:
 * {@link #isDone} is true at once and the scores are taken from the weights as they are when {@link #finish}
 * runs. Ties go to the lower index.
 */
final class L1OneShot implements PruningMethod {
    private PruneContext ctx;
    private List<ChannelGroup> targeted;
    private ChannelSlices[] slices;
    private final MethodLog log = new MethodLog(1, 1);

    @Override
    public String name() {
        return "l1";
    }

    @Override
    public void init(PruneContext ctx) {
        this.ctx = ctx;
        targeted = ContextChecks.requireFilter(ctx, name());
        slices = ChannelSlices.of(ctx.graph(), ctx.groups());
    }

    @Override
    public boolean isDone(long iteration) {
        return true;
    }

    @Override
    public PruneResult finish() {
        boolean[][] alive = new boolean[ctx.groups().size()][];
        for (ChannelGroup g : targeted) {
            ChannelSlices s = slices[g.id()];
            double[] score = new double[g.channels()];
            for (int c = 0; c < score.length; c++) score[c] = s.l1(c);
            alive[g.id()] = Ranking.keepHighest(score, ctx.keep()[g.id()]);
            Map<String, Object> r = log.row(0, g.name());
            r.put("kept", ctx.keep()[g.id()]);
            r.put("hardPruned", g.channels() - ctx.keep()[g.id()]);
            r.put("ratio", meanOf(score, alive[g.id()], true) / Math.max(meanOf(score, alive[g.id()], false), 1e-30));
        }
        return PruneResult.structured(ContextChecks.masksAndZero(ctx, alive));
    }

    /** Mean of the scores whose flag equals {@code which}. */
    static double meanOf(double[] score, boolean[] flags, boolean which) {
        double s = 0;
        int n = 0;
        for (int i = 0; i < score.length; i++) {
            if (flags[i] == which) {
                s += score[i];
                n++;
            }
        }
        return n == 0 ? 0 : s / n;
    }

    @Override
    public List<Map<String, Object>> log() {
        return log.rows();
    }
}
