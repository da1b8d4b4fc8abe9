package dev.whittle.prune.method;

import dev.whittle.prune.ChannelGroup;
import dev.whittle.prune.PruneContext;
import dev.whittle.prune.PruneResult;
import dev.whittle.prune.PruningMethod;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Network slimming (Liu et al., ICCV 2017; pruning-methods.md §5c): during the regularization epochs add the
 * L1 subgradient {@code γ.grad += s·sign(γ)} to the BN scales, then remove the channels with the smallest |γ|.
 *
 * <p>Our choices. (1) The penalty is put on the BN of targeted groups only: untargeted groups keep every channel,
 * so shrinking their γ would only cost accuracy. (2) The paper cuts at one global |γ| percentile; here the keep
 * counts of the {@link PruneContext} are honoured exactly (every structured method must end with keep[g]
 * channels), so the global percentile only serves as a diagnostic: {@link #finish} logs, per group, how many
 * channels a global threshold removing the same total would have taken ("globalWouldPrune"), while each group
 * actually drops its own lowest-|γ| channels. (3) A residual group scores a channel by Σ|γ| over its norms and
 * penalises all of them (§6c). (4) A group without BN (e.g. LeNet-5's convs) has no γ to read: it falls back to
 * the filter L1 norm of §5a and receives no penalty.
 */
final class NetworkSlimming implements PruningMethod {
    private final MethodConfig cfg;
    private PruneContext ctx;
    private final List<ChannelSlices> layers = new ArrayList<>();
    private MethodLog log;

    NetworkSlimming(MethodConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public String name() {
        return "slimming";
    }

    @Override
    public void init(PruneContext ctx) {
        this.ctx = ctx;
        List<ChannelGroup> targeted = ContextChecks.requireFilter(ctx, name());
        ContextChecks.requireBudget(ctx, name());
        ChannelSlices[] slices = ChannelSlices.of(ctx.graph(), ctx.groups());
        for (ChannelGroup g : targeted) layers.add(slices[g.id()]);
        log = new MethodLog(ctx.regularizationIterations(), cfg.logEvery());
    }

    @Override
    public void afterBackward(long iteration) {
        for (ChannelSlices s : layers) {
            if (!s.hasNorms()) continue;
            for (int c = 0; c < s.channels(); c++) s.addGammaSign(c, cfg.slimmingS());
        }
        if (log.due(iteration)) {
            for (ChannelSlices s : layers) {
                double[] score = score(s);
                boolean[] alive = Ranking.keepHighest(score, ctx.keep()[s.group.id()]);
                Map<String, Object> r = log.row(iteration, s.group.name());
                r.put("lambdaMean", s.hasNorms() ? cfg.slimmingS() : 0.0);
                r.put("lambdaMax", s.hasNorms() ? cfg.slimmingS() : 0.0);
                r.put(
                        "ratio",
                        L1OneShot.meanOf(score, alive, true) / Math.max(L1OneShot.meanOf(score, alive, false), 1e-30));
                r.put("gammaMean", Arrays.stream(score).average().orElse(0));
                r.put("hardPruned", 0);
            }
        }
    }

    /** Σ|γ| over the group's norms, or the filter L1 norm when the group has no BN. */
    private static double[] score(ChannelSlices s) {
        double[] v = new double[s.channels()];
        for (int c = 0; c < v.length; c++) v[c] = s.hasNorms() ? s.gammaL1(c) : s.l1(c);
        return v;
    }

    @Override
    public boolean isDone(long iteration) {
        return iteration + 1 >= ctx.regularizationIterations();
    }

    @Override
    public PruneResult finish() {
        boolean[][] alive = new boolean[ctx.groups().size()][];
        List<float[]> gammas = new ArrayList<>();
        long removeTotal = 0;
        for (ChannelSlices s : layers) {
            double[] score = score(s);
            alive[s.group.id()] = Ranking.keepHighest(score, ctx.keep()[s.group.id()]);
            if (s.hasNorms()) {
                float[] f = new float[score.length];
                for (int c = 0; c < f.length; c++)
                    f[c] = (float) (score[c] / (s.normParams().size() / 2));
                gammas.add(f);
                removeTotal += s.channels() - ctx.keep()[s.group.id()];
            }
        }
        boolean[][] global = gammas.isEmpty() ? new boolean[0][] : PrunableWeights.keepAllBut(gammas, removeTotal);
        int k = 0;
        for (ChannelSlices s : layers) {
            Map<String, Object> r = log.row(ctx.regularizationIterations(), s.group.name());
            r.put("kept", ctx.keep()[s.group.id()]);
            r.put("hardPruned", s.channels() - ctx.keep()[s.group.id()]);
            if (s.hasNorms()) r.put("globalWouldPrune", PrunableWeights.zeros(global[k++]));
            else r.put("score", "filter L1 (no BN)");
        }
        return PruneResult.structured(ContextChecks.masksAndZero(ctx, alive));
    }

    @Override
    public List<Map<String, Object>> log() {
        return log.rows();
    }
}
