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
 * Progressive regularizer (Zhou et al., IJCNN 2024), as the concrete rule of pruning-methods.md §3 — the
 * paper's own rule is unknown beyond its abstract, so everything here is [design choice, not from the paper]:
 * one shared λ on a group-lasso penalty Σ_f ‖W_f‖₂ over every filter of the targeted groups (gradient
 * λ·W_f/‖W_f‖; option: squared L2, gradient λ·W_f); every K_chk iterations measure the sparsity s = share of
 * filters with n_f below ε × their group's median n_f at the phase start; while s is below the target S,
 * λ ← min(λ_max, growth·λ), else hold. Done after two consecutive checks at target, three at λ_max, or the
 * budget.
 *
 * <p>Our deviations from §3: the target S is the share of targeted channels the keep counts remove, and the
 * final selection removes exactly {@code channels − keep} channels per group (lowest importance first) instead
 * of one global count with a per-layer cap — the keep counts already fix each group's size. A residual group
 * is one unit: one norm over all its producers' filters, n_f summed over producers (§6c).
 */
final class ProgressiveRegularization implements PruningMethod {
    private final MethodConfig cfg;
    private PruneContext ctx;
    private final List<ChannelSlices> layers = new ArrayList<>();
    private double[][] start; // n_f at phase start
    private double[] reference; // ref_l: median n_f of each group at phase start
    private double[][] taylorSum;
    private long taylorCount;
    private double lambda, target;
    private long checkEvery;
    private int atTarget, atMax;
    private boolean done;
    private double lastSparsity;
    private MethodLog log;

    ProgressiveRegularization(MethodConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public String name() {
        return "progressive";
    }

    @Override
    public void init(PruneContext ctx) {
        this.ctx = ctx;
        List<ChannelGroup> targeted = ContextChecks.requireFilter(ctx, name());
        ContextChecks.requireBudget(ctx, name());
        ChannelSlices[] slices = ChannelSlices.of(ctx.graph(), ctx.groups());
        int total = 0, removed = 0;
        for (ChannelGroup g : targeted) {
            layers.add(slices[g.id()]);
            total += g.channels();
            removed += g.channels() - ctx.keep()[g.id()];
        }
        target = total == 0 ? 0 : (double) removed / total;
        start = new double[layers.size()][];
        reference = new double[layers.size()];
        taylorSum = new double[layers.size()][];
        for (int i = 0; i < layers.size(); i++) {
            start[i] = norms(layers.get(i));
            reference[i] = median(start[i]);
            taylorSum[i] = new double[start[i].length];
        }
        lambda = cfg.progLambda0();
        long budget = ctx.regularizationIterations();
        checkEvery = cfg.progCheckInterval() > 0 ? cfg.progCheckInterval() : autoCheckInterval(cfg, ctx);
        log = new MethodLog(budget, cfg.logEvery());
        done = layers.isEmpty();
    }

    /**
     * K_chk when not set: once per epoch, as §3 proposes, but never so rarely that the geometric sweep
     * λ₀ → λ_max would need more than half the regularization budget. With §3's once-per-epoch checks a
     * 3-epoch phase grows λ from 1e-5 to 3.4e-5 only, so no filter moves and the final selection is one-shot
     * magnitude pruning (VGG-small, 2026-11-26: 92.9 % after regularization, 17.2 % right after removal). The
     * second half of the budget is left for λ at or near λ_max to push the weakest filters to ε·median.
     */
    static long autoCheckInterval(MethodConfig cfg, PruneContext ctx) {
        long budget = ctx.regularizationIterations();
        int growthChecks =
                (int) Math.ceil(Math.log(cfg.progLambdaMax() / cfg.progLambda0()) / Math.log(cfg.progGrowth()));
        long sweep = budget / (2L * Math.max(1, growthChecks));
        return Math.max(1, Math.min(ctx.iterationsPerEpoch(), sweep));
    }

    private static double median(double[] v) {
        double[] sorted = v.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double[] norms(ChannelSlices s) {
        double[] n = new double[s.channels()];
        for (int c = 0; c < n.length; c++) n[c] = s.normalizedL2(c);
        return n;
    }

    @Override
    public void afterBackward(long iteration) {
        for (int i = 0; i < layers.size(); i++) {
            ChannelSlices s = layers.get(i);
            for (int c = 0; c < s.channels(); c++) {
                if (cfg.progImportance() == MethodConfig.ProgressiveImportance.TAYLOR)
                    taylorSum[i][c] += s.taylor(c); // loss gradient only
                double coef = cfg.progSquared() ? lambda : lambda / Math.max(Math.sqrt(s.sumSquares(c)), 1e-12);
                s.addScaledToGrad(c, coef, cfg.bnPenalty());
            }
        }
        taylorCount++;
    }

    @Override
    public void afterStep(long iteration) {
        if (log.due(iteration)) record(iteration);
        if (done || (iteration + 1) % checkEvery != 0) return;
        lastSparsity = sparsity();
        if (lastSparsity < target) {
            atTarget = 0;
            lambda = Math.min(cfg.progLambdaMax(), cfg.progGrowth() * lambda);
            atMax = lambda >= cfg.progLambdaMax() ? atMax + 1 : 0;
        } else {
            atTarget++;
        }
        if (atTarget >= 2 || atMax >= 3) done = true;
        // Taylor importance is averaged over the latest check interval ("the last epoch" by default).
        if (!done && cfg.progImportance() == MethodConfig.ProgressiveImportance.TAYLOR) {
            for (double[] t : taylorSum) Arrays.fill(t, 0);
            taylorCount = 0;
        }
    }

    /** Share of targeted filters whose n_f is below ε × their group's median at the phase start. */
    double sparsity() {
        int zero = 0, total = 0;
        for (int i = 0; i < layers.size(); i++) {
            double[] n = norms(layers.get(i));
            for (double v : n) if (v < cfg.progEpsilon() * reference[i]) zero++;
            total += n.length;
        }
        return total == 0 ? 0 : (double) zero / total;
    }

    private void record(long iteration) {
        for (int i = 0; i < layers.size(); i++) {
            ChannelSlices s = layers.get(i);
            double[] imp = importance(i);
            boolean[] drop = Ranking.lowest(imp, s.channels() - ctx.keep()[s.group.id()]);
            double[] mean = new double[s.channels()];
            for (int c = 0; c < mean.length; c++) mean[c] = s.meanAbs(c);
            Map<String, Object> r = log.row(iteration, s.group.name());
            r.put("lambdaMean", lambda);
            r.put("lambdaMax", lambda);
            r.put("ratio", L1OneShot.meanOf(mean, drop, false) / Math.max(L1OneShot.meanOf(mean, drop, true), 1e-30));
            r.put("sparsity", lastSparsity);
            double[] n = norms(s);
            r.put("minRelativeNorm", Arrays.stream(n).min().orElse(0) / Math.max(reference[i], 1e-30));
            r.put("medianRelativeNorm", median(n) / Math.max(reference[i], 1e-30));
            r.put("target", target);
            r.put("hardPruned", 0);
        }
    }

    private double[] importance(int i) {
        return switch (cfg.progImportance()) {
            case MAGNITUDE -> norms(layers.get(i));
            case RESPONSE -> {
                double[] now = norms(layers.get(i));
                for (int c = 0; c < now.length; c++) now[c] /= Math.max(start[i][c], 1e-30);
                yield now;
            }
            case TAYLOR -> {
                double[] t = taylorSum[i].clone();
                for (int c = 0; c < t.length; c++) t[c] /= Math.max(1, taylorCount);
                yield t;
            }
        };
    }

    @Override
    public boolean isDone(long iteration) {
        return done || iteration + 1 >= ctx.regularizationIterations();
    }

    @Override
    public PruneResult finish() {
        boolean[][] alive = new boolean[ctx.groups().size()][];
        for (int i = 0; i < layers.size(); i++) {
            ChannelSlices s = layers.get(i);
            alive[s.group.id()] = Ranking.keepHighest(importance(i), ctx.keep()[s.group.id()]);
        }
        return PruneResult.structured(ContextChecks.masksAndZero(ctx, alive));
    }

    @Override
    public List<Map<String, Object>> log() {
        return log.rows();
    }

    double lambda() {
        return lambda;
    }

    double target() {
        return target;
    }
}
