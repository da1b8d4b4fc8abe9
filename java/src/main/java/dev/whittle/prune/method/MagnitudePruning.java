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
 * Unstructured magnitude pruning (Han et al. 2015; pruning-methods.md §5b): remove exactly
 * round(s·N) conv+linear weights of smallest |w|, either below one global threshold (the re-implementation's
 * default) or at sparsity s in every layer. The mask is fixed at {@link #init}, from the weights as they are.
 *
 * <p>No regularization phase, so {@link #isDone} is true at once. The hooks still hold the mask if a caller keeps
 * them installed while fine-tuning: afterBackward multiplies gradients by the mask (as the reference does) and
 * afterStep re-zeros masked weights, because momentum and weight decay would otherwise revive them.
 */
final class MagnitudePruning implements PruningMethod {
    private final MethodConfig cfg;
    private PruneContext ctx;
    private List<Graph.NamedParam> params;
    private boolean[][] keep;
    private final MethodLog log = new MethodLog(1, 1);

    MagnitudePruning(MethodConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public String name() {
        return "magnitude";
    }

    @Override
    public void init(PruneContext ctx) {
        ContextChecks.requireWeight(ctx, name());
        this.ctx = ctx;
        params = PrunableWeights.of(ctx.graph());
        double s = ctx.weightSparsity();
        keep = new boolean[params.size()][];
        if (cfg.magnitudeScope() == MethodConfig.MagnitudeScope.GLOBAL) {
            List<float[]> scores = new ArrayList<>();
            long total = 0;
            for (Graph.NamedParam p : params) {
                scores.add(abs(p.param().value()));
                total += p.param().size();
            }
            keep = PrunableWeights.keepAllBut(scores, Math.round(s * total));
        } else {
            for (int i = 0; i < params.size(); i++) {
                float[] w = params.get(i).param().value();
                keep[i] = PrunableWeights.keepAllBut(List.of(abs(w)), Math.round(s * w.length))[0];
            }
        }
        applyMask();
        for (int i = 0; i < params.size(); i++) {
            Map<String, Object> r = log.row(0, params.get(i).name());
            r.put("sparsity", (double) PrunableWeights.zeros(keep[i]) / keep[i].length);
        }
    }

    private static float[] abs(float[] w) {
        float[] a = new float[w.length];
        for (int i = 0; i < w.length; i++) a[i] = Math.abs(w[i]);
        return a;
    }

    private void applyMask() {
        for (int i = 0; i < params.size(); i++)
            PrunableWeights.zeroMasked(params.get(i).param().value(), keep[i]);
    }

    @Override
    public void afterBackward(long iteration) {
        for (int i = 0; i < params.size(); i++)
            PrunableWeights.zeroMasked(params.get(i).param().grad(), keep[i]);
    }

    @Override
    public void afterStep(long iteration) {
        applyMask();
    }

    @Override
    public boolean isDone(long iteration) {
        return true;
    }

    @Override
    public PruneResult finish() {
        applyMask();
        Map<String, boolean[]> w = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) w.put(params.get(i).name(), keep[i].clone());
        return new PruneResult(new ChannelMasks(ctx.groups()), w); // weight-level: every channel stays
    }

    @Override
    public List<Map<String, Object>> log() {
        return log.rows();
    }
}
