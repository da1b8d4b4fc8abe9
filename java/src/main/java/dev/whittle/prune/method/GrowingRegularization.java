package dev.whittle.prune.method;

import dev.whittle.prune.ChannelGroup;
import dev.whittle.prune.PruneContext;
import dev.whittle.prune.PruneResult;
import dev.whittle.prune.PruningMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What GReg-1 and GReg-2 share (pruning-methods.md §1b): per-channel coefficients λ on every targeted group
 * ("layer" in the paper; a residual group is one layer whose λ applies to all its members, §6c), updated every
 * K_u iterations while the pruner is in the update state, added as {@code grad += λ·W} after every backward;
 * once every layer has finished, K_s stabilization iterations with the final λ, then the selected set S is
 * removed.
 *
 * <p>Timing: the reference updates λ after the forward and before the backward of iteration t; the loss
 * gradient does not depend on λ, so updating at the start of {@code afterBackward(t)} — same weights, same
 * iteration, before the penalty is added — is exactly equivalent.
 *
 * <p>Budget (our choice, §1h.8): δ defaults to τ·K_u/(E·iters_per_epoch), so λ reaches τ after E epochs,
 * and K_s to one epoch.
 */
abstract class GrowingRegularization implements PruningMethod {
    /** One targeted group's state. */
    static final class Layer {
        final ChannelSlices slices;
        final int prune; // n_l = channels − keep
        final double[] lambda;
        boolean[] selected; // S_l; null while GReg-2 is still picking
        double rhoEma = Double.NaN;
        boolean finished;

        Layer(ChannelSlices slices, int prune) {
            this.slices = slices;
            this.prune = prune;
            this.lambda = new double[slices.channels()];
        }

        double[] meanAbs() {
            double[] m = new double[slices.channels()];
            for (int c = 0; c < m.length; c++) m[c] = slices.meanAbs(c);
            return m;
        }

        /** ρ_l = mean over kept of m_g / mean over S of m_g (§1b). */
        double ratio() {
            if (selected == null) return Double.NaN;
            double[] m = meanAbs();
            double pruned = L1OneShot.meanOf(m, selected, true), kept = L1OneShot.meanOf(m, selected, false);
            return pruned == 0 ? Double.POSITIVE_INFINITY : kept / pruned;
        }

        /** ρ̄ ← 0.9·ρ̄ + 0.1·ρ, the first value being ρ itself. */
        void updateRho() {
            double r = ratio();
            rhoEma = Double.isNaN(rhoEma) ? r : 0.9 * rhoEma + 0.1 * r;
        }

        double maxLambda() {
            double m = Double.NEGATIVE_INFINITY;
            for (double l : lambda) m = Math.max(m, l);
            return m;
        }
    }

    final MethodConfig cfg;
    PruneContext ctx;
    final List<Layer> layers = new ArrayList<>();
    long stabilizeFrom = -1; // t_s: iteration at which every layer had finished
    long stabilizeIterations;
    private MethodLog log;

    GrowingRegularization(MethodConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public void init(PruneContext ctx) {
        this.ctx = ctx;
        List<ChannelGroup> targeted = ContextChecks.requireFilter(ctx, name());
        ContextChecks.requireBudget(ctx, name());
        ChannelSlices[] slices = ChannelSlices.of(ctx.graph(), ctx.groups());
        for (ChannelGroup g : targeted) layers.add(new Layer(slices[g.id()], g.channels() - ctx.keep()[g.id()]));
        stabilizeIterations = cfg.gregStabilize() >= 0 ? cfg.gregStabilize() : ctx.iterationsPerEpoch();
        log = new MethodLog(ctx.regularizationIterations(), cfg.logEvery());
        initSelection();
        if (layers.isEmpty()) stabilizeFrom = 0; // nothing to regularize
    }

    /** GReg-1: S_l from magnitudes now. GReg-2: nothing yet. */
    abstract void initSelection();

    /** One λ update over the unfinished layers (called every K_u iterations while updating). */
    abstract void updateLambdas(long iteration);

    /** δ scaled so λ climbs {@code height} in {@code epochs} epochs of K_u-spaced updates (§1h.8). */
    double scaledIncrement(double configured, double height, double epochs) {
        if (configured > 0) return configured;
        return height * cfg.gregUpdateInterval() / (epochs * ctx.iterationsPerEpoch());
    }

    @Override
    public void afterBackward(long iteration) {
        if (stabilizeFrom < 0 && iteration % cfg.gregUpdateInterval() == 0) {
            updateLambdas(iteration);
            if (layers.stream().allMatch(l -> l.finished)) stabilizeFrom = iteration;
        }
        for (Layer l : layers) {
            for (int c = 0; c < l.lambda.length; c++) l.slices.addScaledToGrad(c, l.lambda[c], cfg.bnPenalty());
        }
        if (log.due(iteration)) record(iteration);
    }

    private void record(long iteration) {
        for (Layer l : layers) {
            Map<String, Object> r = log.row(iteration, l.slices.group.name());
            r.put(
                    "phase",
                    stabilizeFrom >= 0
                            ? "stabilize"
                            : l.selected == null ? "pick" : l.finished ? "finished" : "update");
            double sum = 0;
            int n = 0;
            for (int c = 0; c < l.lambda.length; c++) {
                if (l.selected == null || l.selected[c]) {
                    sum += l.lambda[c];
                    n++;
                }
            }
            r.put("lambdaMean", n == 0 ? 0.0 : sum / n);
            r.put("lambdaMax", l.maxLambda());
            r.put("ratio", l.ratio());
            r.put("rho", l.rhoEma);
            r.put("hardPruned", 0);
        }
    }

    @Override
    public boolean isDone(long iteration) {
        return stabilizeFrom >= 0 && iteration - stabilizeFrom >= stabilizeIterations;
    }

    /** Removes S_l from every layer (§1f); a layer still picking (GReg-2 stopped early) picks now. */
    @Override
    public PruneResult finish() {
        boolean[][] alive = new boolean[ctx.groups().size()][];
        for (Layer l : layers) {
            if (l.selected == null) l.selected = Ranking.lowest(l.meanAbs(), l.prune);
            boolean[] a = new boolean[l.selected.length];
            for (int c = 0; c < a.length; c++) a[c] = !l.selected[c];
            alive[l.slices.group.id()] = a;
        }
        return PruneResult.structured(ContextChecks.masksAndZero(ctx, alive));
    }

    @Override
    public List<Map<String, Object>> log() {
        return log.rows();
    }

    /** t_s, or −1 while some layer is still updating (for tests and reports). */
    long stabilizedAt() {
        return stabilizeFrom;
    }
}
