package dev.whittle.prune;

import dev.whittle.graph.Graph;
import java.util.Map;

/** Weight-level masks: zero every masked element, after each optimizer step, so pruned weights stay at zero. */
public final class WeightMasks {
    private WeightMasks() {}

    public static void apply(Graph g, Map<String, boolean[]> masks) {
        for (Graph.NamedParam p : g.namedParams()) {
            boolean[] keep = masks.get(p.name());
            if (keep == null) continue;
            float[] v = p.param().value();
            if (keep.length != v.length) {
                throw new IllegalArgumentException(
                        "weight mask for '" + p.name() + "' expected " + v.length + " flags but found " + keep.length);
            }
            for (int i = 0; i < v.length; i++) if (!keep[i]) v[i] = 0f;
        }
    }

    /** Fraction of conv and linear weights that are exactly zero. */
    public static double sparsity(Graph g) {
        long zero = 0, total = 0;
        for (Graph.NamedParam p : g.namedParams()) {
            if (!p.name().endsWith(".weight") || p.param().shape().length < 2) continue;
            for (float v : p.param().value()) if (v == 0f) zero++;
            total += p.param().size();
        }
        return total == 0 ? 0 : (double) zero / total;
    }
}
