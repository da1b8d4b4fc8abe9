package dev.whittle.prune.method;

import dev.whittle.graph.Graph;
import dev.whittle.nn.BatchNorm2d;
import dev.whittle.nn.Conv2d;
import dev.whittle.nn.Layer;
import dev.whittle.nn.Linear;
import dev.whittle.nn.Param;
import dev.whittle.prune.ChannelGroup;
import java.util.ArrayList;
import java.util.List;

/**
 * The tensors one channel of a {@link ChannelGroup} owns on the producer side: the filter (conv, a contiguous
 * (C/G·R·S) block of the (K,C/G,R,S) weight) or row (linear, (OUT,IN)) of every producer, plus the γ and β of
 * every batch norm over the group. Scores and penalties are taken over all producers together, so a residual
 * group (several producers, §6c) gets one score per channel — the sum of the per-producer norms — and one
 * coefficient applied to every member.
 *
 * <p>Consumer input slices are not penalised: the reference codes penalise only the producer's filter
 * (pruning-methods.md §1b, §2b), and the slice disappears with the filter at removal.
 */
final class ChannelSlices {
    final ChannelGroup group;
    private final List<Param> weights = new ArrayList<>();
    private final int[] per; // elements of one channel's slice, per producer weight
    private final List<Param> bnParams = new ArrayList<>(); // γ and β of every norm, per channel 1 element
    private final int elements;

    ChannelSlices(Graph graph, ChannelGroup group) {
        this.group = group;
        per = new int[group.producers().size()];
        int total = 0;
        for (int i = 0; i < per.length; i++) {
            Layer l = graph.nodes().get(group.producers().get(i)).layer();
            if (l instanceof Conv2d c) {
                weights.add(c.weight);
                per[i] = c.weight.size() / c.outChannels;
            } else if (l instanceof Linear lin) {
                weights.add(lin.weight);
                per[i] = lin.in;
            } else {
                throw new IllegalArgumentException(
                        "group '" + group.name() + "' has a producer that is neither conv nor linear: " + l.op());
            }
            total += per[i];
        }
        elements = total;
        for (int n : group.norms()) {
            BatchNorm2d bn = (BatchNorm2d) graph.nodes().get(n).layer();
            bnParams.add(bn.gamma);
            bnParams.add(bn.beta);
        }
    }

    int channels() {
        return group.channels();
    }

    /** Number of producer weights one channel owns (the |g| of §0). */
    int elementsPerChannel() {
        return elements;
    }

    boolean hasNorms() {
        return !bnParams.isEmpty();
    }

    /** Σ|w| over every producer's filter c: the L1 score of §5a, summed over residual members. */
    double l1(int c) {
        double s = 0;
        for (int p = 0; p < per.length; p++) {
            float[] w = weights.get(p).value();
            for (int i = c * per[p], e = i + per[p]; i < e; i++) s += Math.abs(w[i]);
        }
        return s;
    }

    /** Mean |w| over the channel's producer weights: GReg's score m_g (§1c). */
    double meanAbs(int c) {
        return l1(c) / elements;
    }

    /** Σw² over every producer's filter c. */
    double sumSquares(int c) {
        double s = 0;
        for (int p = 0; p < per.length; p++) {
            float[] w = weights.get(p).value();
            for (int i = c * per[p], e = i + per[p]; i < e; i++) s += (double) w[i] * w[i];
        }
        return s;
    }

    /** Sum over producers of ‖W_{p,c}‖₂ / sqrt(|W_{p,c}|): the progressive regularizer's n_f (§3). */
    double normalizedL2(int c) {
        double s = 0;
        for (int p = 0; p < per.length; p++) {
            float[] w = weights.get(p).value();
            double q = 0;
            for (int i = c * per[p], e = i + per[p]; i < e; i++) q += (double) w[i] * w[i];
            s += Math.sqrt(q / per[p]);
        }
        return s;
    }

    /** Σ|γ| over the group's norms (slimming's score, §5c). */
    double gammaL1(int c) {
        double s = 0;
        for (int i = 0; i < bnParams.size(); i += 2)
            s += Math.abs(bnParams.get(i).value()[c]);
        return s;
    }

    /**
     * ‖(γ_c, β_c)‖₂ over the group's norms together (one vector for a residual group's several norms): the
     * channel's output scale after batch norm. Under BN this, not the filter norm, says how much the channel
     * contributes (BN renormalises any filter scale).
     */
    double normScale(int c) {
        double s = 0;
        for (Param p : bnParams) s += (double) p.value()[c] * p.value()[c];
        return Math.sqrt(s);
    }

    /** |Σ γ·∂L/∂γ + β·∂L/∂β| over the group's norms (Taylor importance of the BN scale); before penalties. */
    double normTaylor(int c) {
        double s = 0;
        for (Param p : bnParams) s += (double) p.value()[c] * p.grad()[c];
        return Math.abs(s);
    }

    /**
     * grad += coef·(γ_c, β_c) over the group's norms. Penalising β with γ drives the channel's output to
     * ReLU(0) = 0, so removing it later changes nothing downstream; γ alone would leave a constant β behind.
     */
    void addScaledToNorms(int c, double coef) {
        float k = (float) coef;
        for (Param p : bnParams) p.grad()[c] += k * p.value()[c];
    }

    /** |Σ w·∂L/∂w| over the producers' filter c (first-order Taylor importance); call before penalties are added. */
    double taylor(int c) {
        double s = 0;
        for (int p = 0; p < per.length; p++) {
            float[] w = weights.get(p).value(), g = weights.get(p).grad();
            for (int i = c * per[p], e = i + per[p]; i < e; i++) s += (double) w[i] * g[i];
        }
        return Math.abs(s);
    }

    /**
     * The penalty-gradient convention of §0: {@code grad += coef·W} over the channel's producer weights, and over
     * its BN γ/β when {@code withNorms}. Adding to the gradient (not the loss) sends it through momentum and keeps
     * ordinary weight decay on top (§1h.3).
     */
    void addScaledToGrad(int c, double coef, boolean withNorms) {
        if (coef == 0) return;
        float k = (float) coef;
        for (int p = 0; p < per.length; p++) {
            float[] w = weights.get(p).value(), g = weights.get(p).grad();
            for (int i = c * per[p], e = i + per[p]; i < e; i++) g[i] += k * w[i];
        }
        if (withNorms) addScaledToNorms(c, coef);
    }

    /** γ.grad += s·sign(γ) over the group's norms (slimming subgradient, §5c). */
    void addGammaSign(int c, double s) {
        for (int i = 0; i < bnParams.size(); i += 2) {
            Param gamma = bnParams.get(i);
            float v = gamma.value()[c];
            gamma.grad()[c] += (float) (s * Math.signum(v));
        }
    }

    List<Param> producerWeights() {
        return weights;
    }

    int perChannel(int producer) {
        return per[producer];
    }

    /** γ, β, γ, β, … of the group's norms. */
    List<Param> normParams() {
        return bnParams;
    }

    /** Slices of every group that is prunable (producers are conv or linear), indexed by group id; null otherwise. */
    static ChannelSlices[] of(Graph graph, List<ChannelGroup> groups) {
        ChannelSlices[] out = new ChannelSlices[groups.size()];
        for (ChannelGroup g : groups)
            if (g.prunable() && !g.producers().isEmpty()) out[g.id()] = new ChannelSlices(graph, g);
        return out;
    }
}
