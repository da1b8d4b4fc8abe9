package dev.whittle.prune.method;

import dev.whittle.nn.BatchNorm2d;
import dev.whittle.nn.Conv2d;
import dev.whittle.nn.Layer;
import dev.whittle.nn.Linear;
import dev.whittle.nn.Param;
import dev.whittle.prune.ChannelGroup;
import dev.whittle.prune.PruneContext;
import dev.whittle.prune.PruneResult;
import dev.whittle.prune.PruningMethod;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Group L0 regularization (Louizos et al. 2018; pruning-methods.md §4d): one hard-concrete gate per channel of
 * every targeted group; the penalty (λ·|g|/N)·P(z ≠ 0), |g| = producer weights the channel owns, goes into
 * log α's gradient (§4a reference form; the L2 part is left to the trainer's weight decay).
 *
 * <p>Where the gate multiplies (our choice, §4h.3): for a group with batch norms the gate scales every norm's
 * γ and β of that channel — the same as gating after BN. Gating the conv filter instead would be useless there:
 * BN renormalises a scaled filter, so the loss would not see the gate and a "closed" channel would still emit β.
 * A group without BN gates its producers' filters/rows and biases. A residual group has one gate per channel
 * applied to all its members (§6c).
 *
 * <p>λ (our choice, {@link MethodConfig#l0FilterLambda()} = 0, the default): one λ per group, steered by the
 * group's closed-gate share (ẑ = 0) — ×{@value #GROWTH} per check while below the share its keep count removes,
 * ÷{@value #GROWTH} while above, from {@value #LAMBDA_START} per weight, every {@value #CHECK_EVERY} iterations.
 * A fixed λ that suits one layer's filter size closes all or none of another's (VGG-small, 20k images, 2 epochs,
 * 2026-11-26: λ = 0.05 and 0.5 left conv1–conv5 fully open while λ = 0.5 closed 64 % of conv6; λ = 20 closed
 * conv2–conv6 entirely). The slow growth matches the gates' lag: at Adam lr 0.05 a gate needs ~100 steps to
 * cross from open to closed, and a closed gate reopens slowly, so λ may grow at most ~1.5× per crossing.
 * A positive {@code l0FilterLambda} fixes λ for every group instead.
 *
 * <p>End: L0 sets no exact count, so {@link #finish} keeps exactly keep[g] channels per group, the highest
 * log α first (ẑ is monotone in log α; ties at the clamp go to the larger filter norm). ẑ is folded into the
 * kept channels (a kept channel whose gate had closed gets its raw values back), the rest are zeroed with
 * their BN γ/β.
 */
final class L0FilterGates implements PruningMethod {
    static final double LAMBDA_START = 0.05, GROWTH = 1.1;
    static final int CHECK_EVERY = 25;
    private final MethodConfig cfg;
    private PruneContext ctx;
    private double[] lambda; // per group, per gated weight before ÷N
    private long checkEvery;
    private final List<ChannelSlices> layers = new ArrayList<>();
    private final List<HardConcreteGates> gates = new ArrayList<>();
    private final List<List<Param>> gated = new ArrayList<>();
    private final GateSwap swap = new GateSwap();
    private SplittableRandom rng;
    private MethodLog log;

    L0FilterGates(MethodConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public String name() {
        return "l0-filter";
    }

    @Override
    public void init(PruneContext ctx) {
        this.ctx = ctx;
        List<ChannelGroup> targeted = ContextChecks.requireFilter(ctx, name());
        ContextChecks.requireBudget(ctx, name());
        rng = new SplittableRandom(ctx.seed());
        ChannelSlices[] slices = ChannelSlices.of(ctx.graph(), ctx.groups());
        for (ChannelGroup g : targeted) {
            HardConcreteGates gs = new HardConcreteGates(g.channels(), cfg.l0InitDrop(), rng);
            List<Param> ps = new ArrayList<>();
            if (!g.norms().isEmpty()) {
                for (int n : g.norms()) {
                    BatchNorm2d bn = (BatchNorm2d) ctx.graph().nodes().get(n).layer();
                    ps.add(bn.gamma);
                    ps.add(bn.beta);
                }
            } else {
                for (int p : g.producers()) {
                    Layer l = ctx.graph().nodes().get(p).layer();
                    if (l instanceof Conv2d c) {
                        ps.add(c.weight);
                        if (c.bias != null) ps.add(c.bias);
                    } else if (l instanceof Linear lin) {
                        ps.add(lin.weight);
                        ps.add(lin.bias);
                    }
                }
            }
            for (Param p : ps) swap.add(p, gs, p.size() / g.channels());
            layers.add(slices[g.id()]);
            gates.add(gs);
            gated.add(ps);
        }
        lambda = new double[layers.size()];
        Arrays.fill(lambda, cfg.l0FilterLambda() > 0 ? cfg.l0FilterLambda() : LAMBDA_START);
        checkEvery = CHECK_EVERY;
        log = new MethodLog(ctx.regularizationIterations(), cfg.logEvery());
    }

    /** The feedback step of the auto λ: toward the closed share the group's keep count removes. */
    void steer() {
        for (int i = 0; i < layers.size(); i++) {
            ChannelSlices s = layers.get(i);
            double target = 1 - (double) ctx.keep()[s.group.id()] / s.channels();
            double closed = 1 - gates.get(i).openFraction();
            if (closed < target) lambda[i] *= GROWTH;
            else if (closed > target + 0.5 / s.channels()) lambda[i] /= GROWTH;
        }
    }

    @Override
    public void beforeForward(long iteration) {
        for (HardConcreteGates g : gates) g.sample(rng);
        swap.gate();
    }

    @Override
    public void afterBackward(long iteration) {
        swap.ungate();
        for (int i = 0; i < layers.size(); i++) {
            double coef = lambda[i] * layers.get(i).elementsPerChannel() / cfg.l0DataSize();
            HardConcreteGates g = gates.get(i);
            for (int j = 0; j < g.size(); j++) g.addPenaltyGradient(j, coef);
        }
    }

    @Override
    public void afterStep(long iteration) {
        for (HardConcreteGates g : gates) g.step(cfg.l0LogAlphaLr());
        swap.showTestGates();
        if (cfg.l0FilterLambda() == 0 && (iteration + 1) % checkEvery == 0) steer();
        if (log.due(iteration)) {
            for (int i = 0; i < layers.size(); i++) {
                ChannelSlices s = layers.get(i);
                Map<String, Object> r = log.row(iteration, s.group.name());
                r.put("lambdaMean", lambda[i]);
                r.put("lambdaMax", lambda[i]);
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
        boolean[][] alive = new boolean[ctx.groups().size()][];
        for (int i = 0; i < layers.size(); i++) {
            ChannelSlices s = layers.get(i);
            HardConcreteGates g = gates.get(i);
            double[] score = new double[g.size()];
            for (int c = 0; c < score.length; c++) {
                double n = s.normalizedL2(c);
                score[c] = g.logAlpha[c] + 1e-6 * n / (1 + n); // tie-break below any float step of log α
            }
            boolean[] a = Ranking.keepHighest(score, ctx.keep()[s.group.id()]);
            alive[s.group.id()] = a;
            float[] zt = g.testGates();
            for (Param p : gated.get(i)) {
                float[] raw = swap.raw(p), w = p.value();
                int per = p.size() / g.size();
                for (int e = 0; e < w.length; e++) {
                    int c = e / per;
                    w[e] = a[c] && zt[c] > 0 ? raw[e] * zt[c] : raw[e];
                }
            }
            Map<String, Object> r = log.row(ctx.regularizationIterations(), s.group.name());
            r.put("gateOpen", g.openFraction());
            r.put("kept", ctx.keep()[s.group.id()]);
            r.put("hardPruned", s.channels() - ctx.keep()[s.group.id()]);
        }
        return PruneResult.structured(ContextChecks.masksAndZero(ctx, alive));
    }

    @Override
    public List<Map<String, Object>> log() {
        return log.rows();
    }

    /** λ per group (per gated weight, before ÷N), in targeted-group order. */
    double[] lambdas() {
        return lambda.clone();
    }

    /** The gates of every targeted group, in the same order. */
    List<HardConcreteGates> gates() {
        return gates;
    }

    double openFraction() {
        long open = 0, n = 0;
        for (HardConcreteGates g : gates) {
            open += Math.round(g.openFraction() * g.size());
            n += g.size();
        }
        return n == 0 ? 1 : (double) open / n;
    }
}
