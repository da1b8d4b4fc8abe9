package dev.whittle.prune.method;

import dev.whittle.graph.Graph;
import dev.whittle.prune.ChannelMasks;
import dev.whittle.prune.PruneContext;
import dev.whittle.prune.PruneResult;
import dev.whittle.prune.PruningMethod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GReg-1 at weight level (the GReg paper's unstructured setting; pruning-methods.md §1b with a weight as the
 * "group"): S = the round(s·N) conv+linear weights of smallest |w| at the start (one global threshold, or s per
 * layer, as {@link MethodConfig#magnitudeScope()} says), fixed; every K_u iterations λ += δ; after every backward
 * {@code grad += λ·w} on S only; once λ exceeds τ, K_s stabilization iterations with the final λ; then S is masked
 * to exactly zero and held there (gradients masked, weights re-zeroed after each step) while fine-tuning.
 *
 * <p>Every weight in S starts at λ = 0 and gains δ at the same updates, so one λ serves them all. δ and K_s
 * default to the budget-scaled values of the filter-level GReg-1 (§1h.8): λ reaches τ after the regularization
 * epochs, then one epoch of stabilization.
 */
final class GReg1Weight implements PruningMethod {
    private final MethodConfig cfg;
    private PruneContext ctx;
    private List<Graph.NamedParam> params;
    private boolean[][] keep;
    private double lambda, delta;
    private long stabilizeFrom = -1, stabilizeIterations;
    private boolean removed;
    private MethodLog log;

    GReg1Weight(MethodConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public String name() {
        return "greg1-weight";
    }

    @Override
    public void init(PruneContext ctx) {
        ContextChecks.requireWeight(ctx, name());
        ContextChecks.requireBudget(ctx, name());
        this.ctx = ctx;
        params = PrunableWeights.of(ctx.graph());
        double s = ctx.weightSparsity();
        if (cfg.magnitudeScope() == MethodConfig.MagnitudeScope.GLOBAL) {
            List<float[]> scores = new ArrayList<>();
            long total = 0;
            for (Graph.NamedParam p : params) {
                scores.add(abs(p.param().value()));
                total += p.param().size();
            }
            keep = PrunableWeights.keepAllBut(scores, Math.round(s * total));
        } else {
            keep = new boolean[params.size()][];
            for (int i = 0; i < params.size(); i++) {
                float[] w = params.get(i).param().value();
                keep[i] = PrunableWeights.keepAllBut(List.of(abs(w)), Math.round(s * w.length))[0];
            }
        }
        delta = cfg.gregDelta() > 0
                ? cfg.gregDelta()
                : cfg.gregTau() * cfg.gregUpdateInterval() / (ctx.regularizationEpochs() * ctx.iterationsPerEpoch());
        stabilizeIterations = cfg.gregStabilize() >= 0 ? cfg.gregStabilize() : ctx.iterationsPerEpoch();
        log = new MethodLog(ctx.regularizationIterations(), cfg.logEvery());
    }

    private static float[] abs(float[] w) {
        float[] a = new float[w.length];
        for (int i = 0; i < w.length; i++) a[i] = Math.abs(w[i]);
        return a;
    }

    @Override
    public void afterBackward(long iteration) {
        if (removed) {
            for (int i = 0; i < params.size(); i++)
                PrunableWeights.zeroMasked(params.get(i).param().grad(), keep[i]);
            return;
        }
        if (stabilizeFrom < 0 && iteration % cfg.gregUpdateInterval() == 0) {
            lambda += delta;
            if (lambda > cfg.gregTau()) stabilizeFrom = iteration;
        }
        float l = (float) lambda;
        for (int i = 0; i < params.size(); i++) {
            float[] w = params.get(i).param().value(), g = params.get(i).param().grad();
            boolean[] k = keep[i];
            for (int j = 0; j < w.length; j++) if (!k[j]) g[j] += l * w[j];
        }
        if (log.due(iteration)) record(iteration);
    }

    private void record(long iteration) {
        for (int i = 0; i < params.size(); i++) {
            Map<String, Object> r = log.row(iteration, params.get(i).name());
            float[] w = params.get(i).param().value();
            double kept = 0, pruned = 0;
            int nk = 0, np = 0;
            for (int j = 0; j < w.length; j++) {
                if (keep[i][j]) {
                    kept += Math.abs(w[j]);
                    nk++;
                } else {
                    pruned += Math.abs(w[j]);
                    np++;
                }
            }
            r.put("phase", stabilizeFrom >= 0 ? "stabilize" : "update");
            r.put("lambda", lambda);
            // Kept/pruned mean-|w| ratio: how far regularization has separated the two sets.
            r.put(
                    "ratio",
                    np == 0 || pruned == 0 ? Double.POSITIVE_INFINITY : (kept / Math.max(1, nk)) / (pruned / np));
            r.put("sparsity", (double) np / w.length);
        }
    }

    @Override
    public void afterStep(long iteration) {
        if (removed) zero();
    }

    @Override
    public boolean isDone(long iteration) {
        return stabilizeFrom >= 0 && iteration - stabilizeFrom >= stabilizeIterations;
    }

    private void zero() {
        for (int i = 0; i < params.size(); i++)
            PrunableWeights.zeroMasked(params.get(i).param().value(), keep[i]);
    }

    @Override
    public PruneResult finish() {
        removed = true;
        zero();
        Map<String, boolean[]> w = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) w.put(params.get(i).name(), keep[i].clone());
        return new PruneResult(new ChannelMasks(ctx.groups()), w); // weight-level: every channel stays
    }

    @Override
    public List<Map<String, Object>> log() {
        return log.rows();
    }

    double lambda() {
        return lambda;
    }
}
