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
import java.util.SplittableRandom;

/**
 * Fine-grained L0 regularization (Louizos et al. 2018 gates, one per weight as Xie et al. 2019;
 * pruning-methods.md §4): every conv and linear weight θ_j is multiplied by a hard-concrete gate z_j; the
 * penalty (λ/N)·Σ_j P(z_j ≠ 0) is added to log α's gradient, never to the loss. Gating mechanics: {@link GateSwap};
 * log α: Adam + clamp ({@link HardConcreteGates}). Biases are not gated (§4g′).
 *
 * <p>End (§4f, our exact-count rule): L0 controls sparsity only through λ, but the context asks for an exact
 * weight sparsity s, so {@link #finish} removes exactly round(s·N) weights, ranked by ẑ·|θ| (the weight the
 * gated net actually uses), closed gates (ẑ = 0) first by ascending log α. Kept weights get ẑ folded in; a kept
 * weight whose gate had closed (only when the gates closed more than s) gets its raw θ back. The log reports the
 * gates' own sparsity (share with ẑ = 0) per layer, so the gap to s is visible.
 */
final class L0WeightGates implements PruningMethod {
    private final MethodConfig cfg;
    private PruneContext ctx;
    private List<Graph.NamedParam> params;
    private final List<HardConcreteGates> gates = new ArrayList<>();
    private final GateSwap swap = new GateSwap();
    private SplittableRandom rng;
    private MethodLog log;

    L0WeightGates(MethodConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public String name() {
        return "l0";
    }

    @Override
    public void init(PruneContext ctx) {
        ContextChecks.requireWeight(ctx, name());
        ContextChecks.requireBudget(ctx, name());
        this.ctx = ctx;
        rng = new SplittableRandom(ctx.seed());
        params = PrunableWeights.of(ctx.graph());
        for (Graph.NamedParam p : params) {
            HardConcreteGates gs = new HardConcreteGates(p.param().size(), cfg.l0InitDrop(), rng);
            gates.add(gs);
            swap.add(p.param(), gs, 1);
        }
        log = new MethodLog(ctx.regularizationIterations(), cfg.logEvery());
    }

    @Override
    public void beforeForward(long iteration) {
        for (HardConcreteGates g : gates) g.sample(rng);
        swap.gate();
    }

    @Override
    public void afterBackward(long iteration) {
        swap.ungate();
        double coef = cfg.l0Lambda() / cfg.l0DataSize(); // λ per weight, ÷ N (§4h.2)
        for (HardConcreteGates g : gates) for (int j = 0; j < g.size(); j++) g.addPenaltyGradient(j, coef);
    }

    @Override
    public void afterStep(long iteration) {
        for (HardConcreteGates g : gates) g.step(cfg.l0LogAlphaLr());
        swap.showTestGates();
        if (log.due(iteration)) {
            for (int i = 0; i < params.size(); i++) {
                Map<String, Object> r = log.row(iteration, params.get(i).name());
                r.put("lambdaMean", cfg.l0Lambda());
                r.put("lambdaMax", cfg.l0Lambda());
                r.put("gateOpen", gates.get(i).openFraction());
                r.put("probabilityOpen", gates.get(i).meanProbabilityOpen());
                r.put("hardPruned", 0);
            }
        }
    }

    @Override
    public boolean isDone(long iteration) {
        return iteration + 1 >= ctx.regularizationIterations();
    }

    @Override
    public PruneResult finish() {
        List<float[]> scores = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < params.size(); i++) {
            float[] raw = swap.raw(params.get(i).param()), zt = gates.get(i).testGates(), la = gates.get(i).logAlpha;
            float[] s = new float[raw.length];
            for (int j = 0; j < s.length; j++) {
                s[j] = zt[j] > 0 ? zt[j] * Math.abs(raw[j]) : (float) -HardConcreteGates.sigmoid(-la[j]);
            }
            scores.add(s);
            total += s.length;
        }
        boolean[][] keep = PrunableWeights.keepAllBut(scores, Math.round(ctx.weightSparsity() * total));
        Map<String, boolean[]> masks = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            float[] raw = swap.raw(params.get(i).param()),
                    zt = gates.get(i).testGates(),
                    w = params.get(i).param().value();
            for (int j = 0; j < w.length; j++) w[j] = !keep[i][j] ? 0f : zt[j] > 0 ? raw[j] * zt[j] : raw[j];
            masks.put(params.get(i).name(), keep[i]);
            Map<String, Object> r =
                    log.row(ctx.regularizationIterations(), params.get(i).name());
            r.put("gateOpen", gates.get(i).openFraction());
            r.put("sparsity", (double) PrunableWeights.zeros(keep[i]) / keep[i].length);
        }
        return new PruneResult(new ChannelMasks(ctx.groups()), masks);
    }

    @Override
    public List<Map<String, Object>> log() {
        return log.rows();
    }

    /** Raw θ and ẑ of one gated weight, by qualified name (for tests and reports). */
    float[][] rawAndTestGates(String name) {
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i).name().equals(name))
                return new float[][] {
                    swap.raw(params.get(i).param()), gates.get(i).testGates()
                };
        }
        throw new IllegalArgumentException("no gated weight " + name);
    }

    /** Share of all gates with ẑ > 0 (for tests and reports). */
    double openFraction() {
        long open = 0, n = 0;
        for (HardConcreteGates g : gates) {
            open += Math.round(g.openFraction() * g.size());
            n += g.size();
        }
        return (double) open / n;
    }
}
