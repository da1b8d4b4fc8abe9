package dev.whittle.prune.method;

import dev.whittle.prune.ChannelGroup;
import dev.whittle.prune.ChannelMasks;
import dev.whittle.prune.MaskBinding;
import dev.whittle.prune.MaskZeroing;
import dev.whittle.prune.PruneContext;
import dev.whittle.prune.PruneResult;
import dev.whittle.prune.PruningMethod;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * IncReg, incremental regularization (Wang et al. 2019/2020; pruning-methods.md §2b), applied to whole
 * filters (our adaptation, §2d/§2h.3: Whittle's kernels gain speed only from whole channels). Every iteration,
 * per targeted group: L1 scores of the unpruned channels → instantaneous rank → running-mean rank h → rank ρ
 * by h → λ_c ← max(0, λ_c + f(ρ)) → a channel whose λ reaches λ_u is removed for good (zeroed with its BN
 * γ/β and kept at zero after every step) → {@code grad += λ·W}. The linear f uses the remaining counts M and
 * N' (§2b), so exactly the M least important channels get positive increments.
 *
 * <p>Done when every group has removed {@code channels − keep} channels, or the budget is spent; then
 * {@link #finish} removes any still missing by the largest λ (ties: least important h), so keep counts hold
 * exactly. When several channels reach λ_u in one iteration only as many as still needed go, largest λ first.
 */
final class IncReg implements PruningMethod {
    private static final class Layer {
        final ChannelSlices slices;
        final int target; // channels to remove in total
        final double[] lambda, h;
        final boolean[] pruned;
        int removed;

        Layer(ChannelSlices s, int target) {
            slices = s;
            this.target = target;
            lambda = new double[s.channels()];
            h = new double[s.channels()];
            pruned = new boolean[s.channels()];
        }

        boolean done() {
            return removed == target;
        }

        List<Integer> unpruned() {
            List<Integer> u = new ArrayList<>();
            for (int c = 0; c < pruned.length; c++) if (!pruned[c]) u.add(c);
            return u;
        }
    }

    private final MethodConfig cfg;
    private PruneContext ctx;
    private final List<Layer> layers = new ArrayList<>();
    private double increment;
    private long t; // updates so far (the t of the running mean, from 1)
    private MethodLog log;

    IncReg(MethodConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public String name() {
        return "increg";
    }

    @Override
    public void init(PruneContext ctx) {
        this.ctx = ctx;
        List<ChannelGroup> targeted = ContextChecks.requireFilter(ctx, name());
        ContextChecks.requireBudget(ctx, name());
        ChannelSlices[] slices = ChannelSlices.of(ctx.graph(), ctx.groups());
        for (ChannelGroup g : targeted) layers.add(new Layer(slices[g.id()], g.channels() - ctx.keep()[g.id()]));
        increment = cfg.incRegIncrement() > 0
                ? cfg.incRegIncrement()
                : cfg.incRegCeiling() / (cfg.incRegReachFraction() * ctx.regularizationIterations());
        log = new MethodLog(ctx.regularizationIterations(), cfg.logEvery());
    }

    /** Δ for rank ρ ∈ [0, N') with M still to remove (§2b); crosses 0 at ρ = M. */
    double f(int rho, int m, int n) {
        double a = increment;
        if (cfg.incRegFunction() == MethodConfig.IncRegFunction.LINEAR) {
            return rho <= m ? a * (1 - (double) rho / m) : -a * (rho - m) / (double) (n - m);
        }
        double u = 0.25, alpha = Math.log(2 / u) / m, rc = Math.log(1 / u) / alpha; // the code's kk = 0.25
        return rho < rc ? a * Math.exp(-alpha * rho) : 2 * u * a - a * Math.exp(-alpha * (2 * rc - rho));
    }

    @Override
    public void afterBackward(long iteration) {
        t++;
        for (Layer l : layers) {
            if (!l.done()) update(l);
            for (int c = 0; c < l.lambda.length; c++)
                if (!l.pruned[c]) l.slices.addScaledToGrad(c, l.lambda[c], cfg.bnPenalty());
        }
        if (log.due(iteration)) record(iteration);
    }

    private void update(Layer l) {
        List<Integer> u = l.unpruned();
        double[] score = new double[l.pruned.length];
        for (int c : u) score[c] = l.slices.l1(c);
        List<Integer> byScore = new ArrayList<>(u);
        byScore.sort(Comparator.comparingDouble((Integer c) -> score[c]));
        for (int r = 0; r < byScore.size(); r++) {
            int c = byScore.get(r);
            l.h[c] = ((t - 1) * l.h[c] + r) / t;
        }
        List<Integer> byH = new ArrayList<>(u);
        byH.sort(Comparator.comparingDouble((Integer c) -> l.h[c]));
        int m = l.target - l.removed, n = u.size();
        List<Integer> reached = new ArrayList<>();
        for (int rho = 0; rho < n; rho++) {
            int c = byH.get(rho);
            l.lambda[c] = Math.max(0, l.lambda[c] + f(rho, m, n));
            if (l.lambda[c] >= cfg.incRegCeiling()) reached.add(c);
        }
        reached.sort(Comparator.comparingDouble((Integer c) -> -l.lambda[c]));
        for (int i = 0; i < reached.size() && !l.done(); i++) prune(l, reached.get(i));
    }

    private void prune(Layer l, int c) {
        l.pruned[c] = true;
        l.removed++;
        zero();
    }

    /** Hard-pruned channels stay exactly zero: momentum and weight decay would otherwise revive them. */
    @Override
    public void afterStep(long iteration) {
        zero();
    }

    private void zero() {
        ChannelMasks m = new ChannelMasks(ctx.groups());
        boolean any = false;
        for (Layer l : layers) {
            if (l.removed == 0) continue;
            boolean[] alive = new boolean[l.pruned.length];
            for (int c = 0; c < alive.length; c++) alive[c] = !l.pruned[c];
            m.set(l.slices.group.id(), alive);
            any = true;
        }
        if (any) {
            MaskZeroing.apply(ctx.graph(), m);
            // Bind the masks too, so the kernels skip the hard-pruned filters for the rest of the phase: the
            // regularization gets faster as filters die (zeroed and skipped channels compute the same numbers).
            int removed = 0;
            for (Layer l : layers) removed += l.removed;
            if (removed != boundRemoved) { // removals are permanent: a new count is a new set
                MaskBinding.apply(ctx.graph(), m);
                boundRemoved = removed;
            }
        }
    }

    /** Hard-pruned channels when the masks were last handed to the layers. */
    private int boundRemoved;

    private void record(long iteration) {
        for (Layer l : layers) {
            Map<String, Object> r = log.row(iteration, l.slices.group.name());
            double sum = 0, max = 0;
            List<Integer> u = l.unpruned();
            for (int c : u) {
                sum += l.lambda[c];
                max = Math.max(max, l.lambda[c]);
            }
            r.put("lambdaMean", u.isEmpty() ? 0.0 : sum / u.size());
            r.put("lambdaMax", max);
            r.put("hardPruned", l.removed);
            // kept/pruned mean |w|: the channels ranked to stay vs. the M current candidates for removal.
            u.sort(Comparator.comparingDouble((Integer c) -> l.h[c]));
            int m = l.target - l.removed;
            double cand = 0, kept = 0;
            for (int i = 0; i < u.size(); i++) {
                if (i < m) cand += l.slices.meanAbs(u.get(i));
                else kept += l.slices.meanAbs(u.get(i));
            }
            r.put("ratio", m == 0 ? Double.NaN : (kept / (u.size() - m)) / Math.max(cand / m, 1e-30));
        }
    }

    @Override
    public boolean isDone(long iteration) {
        return layers.stream().allMatch(Layer::done) || iteration + 1 >= ctx.regularizationIterations();
    }

    @Override
    public PruneResult finish() {
        boolean[][] alive = new boolean[ctx.groups().size()][];
        for (Layer l : layers) {
            List<Integer> u = l.unpruned();
            u.sort(Comparator.comparingDouble((Integer c) -> -l.lambda[c]).thenComparingDouble(c -> l.h[c]));
            for (int i = 0; !l.done(); i++) {
                l.pruned[u.get(i)] = true;
                l.removed++;
            }
            boolean[] a = new boolean[l.pruned.length];
            for (int c = 0; c < a.length; c++) a[c] = !l.pruned[c];
            alive[l.slices.group.id()] = a;
        }
        return PruneResult.structured(ContextChecks.masksAndZero(ctx, alive));
    }

    @Override
    public List<Map<String, Object>> log() {
        return log.rows();
    }

    /** Channels hard-pruned so far per targeted group name (for tests and reports). */
    Map<String, Integer> hardPruned() {
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        for (Layer l : layers) out.put(l.slices.group.name(), l.removed);
        return out;
    }
}
