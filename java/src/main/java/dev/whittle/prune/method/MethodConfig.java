package dev.whittle.prune.method;

/**
 * Every knob of every pruning method, with defaults from pruning-methods.md scaled to Fashion-MNIST budgets
 * (469 iterations per epoch at batch 128, a regularization phase of a few to ~10 epochs). A value of 0 for an
 * "auto" knob means "derive it from the {@link dev.whittle.prune.PruneContext} budget"; each such rule is an
 * our-choice documented on the field.
 *
 * @param logEvery sample the per-group log every this many iterations; 0 = auto, ~1 % of the budget
 *     (the log also thins itself to at most {@link MethodLog#MAX_ROWS} rows, so it stays bounded)
 * @param bnPenalty also penalise the BN γ and β of penalised channels with the same coefficient (GReg,
 *     IncReg, progressive). Off by default, as the papers (which penalise conv/linear weights only); §1g′
 *     observed that BN renormalises a shrinking filter, so this option is there to measure whether it helps
 * @param gregUpdateInterval K_u, iterations between λ updates (§1e: 10 on CIFAR)
 * @param gregTau τ, λ ceiling (§1e: 1.0)
 * @param gregDelta δ, λ increment per update; 0 = auto: {@code τ·K_u / (E_pruning·iters_per_epoch)} (§1h.8),
 *     where E_pruning is the regularization epochs (GReg-2: the part after picking)
 * @param gregRhoMax ρ_max, kept/pruned magnitude-ratio stop (§1e: 1000)
 * @param gregStabilize K_s, stabilization iterations after the last layer finished; −1 = auto: one epoch (§1h.8)
 * @param gregTauPick GReg-2 picking ceiling τ_pick (§1e: 1e-2)
 * @param gregDeltaPick GReg-2 picking increment; 0 = auto: τ_pick reached after {@code gregPickFraction} of
 *     the regularization epochs
 * @param gregPickFraction our choice: share of the regularization epochs spent picking (the reference's
 *     iteration counts give ≈ 9 %; 0.2 leaves the weights longer to separate on a short budget)
 * @param gregLambdaRec λ_rec, constant coefficient on kept groups in GReg-2 phase B (§1e: −1e-4)
 * @param incRegCeiling λ_u, a group is hard-pruned when its λ reaches it (§2e: 1e4·A = 2.5)
 * @param incRegIncrement A, the largest per-iteration increment; 0 = auto: {@code λ_u / (incRegReachFraction ·
 *     budget)} — with the reference A = 2.5e-4 the least important group needs 10⁴ iterations, more than a
 *     Fashion-MNIST budget, so A is scaled like GReg's δ (§1h.8)
 * @param incRegReachFraction our choice: share of the budget in which the least important group alone would
 *     reach λ_u. With the linear f and steady ranks the whole cascade of M removals takes 2× (M = 2) to 4.8×
 *     (M = 64) as long as the first one (simulated), so 0.2 ends a layer of ≤ 64 removals inside the budget
 * @param incRegFunction the increment function f(rank) (§2b): paper's piecewise linear (default) or the
 *     code's centre-symmetric exponential
 * @param progLambda0 λ₀ of the progressive regularizer (§3: 1e-5)
 * @param progLambdaMax λ_max (§3: 1e-1)
 * @param progGrowth multiplicative growth per check while sparsity is below target (§3: 1.5)
 * @param progCheckInterval K_chk; 0 = auto: once per epoch (§3), or more often when needed for λ₀ → λ_max to
 *     take at most half the regularization budget (see ProgressiveRegularization.autoCheckInterval)
 * @param progEpsilon ε, a filter counts as near zero below ε·(median at phase start) (§3: 0.05)
 * @param progSquared use the squared-L2 penalty (λ/2)‖W_f‖² instead of group lasso λ‖W_f‖ (§3 option)
 * @param progImportance final-selection importance (§3: magnitude, response, Taylor)
 * @param progPenalty what the progressive regularizer penalises and measures: {@code NORMS} (default, our
 *     choice) puts the group lasso on the BN (γ, β) of the channels a group would remove now (its smallest
 *     ‖(γ_f, β_f)‖, chosen again at every check) wherever the group has batch norms, and measures n_f as
 *     ‖(γ_f, β_f)‖; {@code WEIGHTS} is §3's literal group lasso on the producer
 *     filters everywhere. Under BN the loss is blind to a filter's scale, so §3's lasso shrinks every filter at the
 *     same rate and none separates (VGG-small, 2026-11-26: median filter norm 10 % of its start, 1.1 % ε-sparsity,
 *     28.6 % accuracy). {@code progSquared} applies to the WEIGHTS rule only
 * @param l0Lambda λ per gated weight before division by N (§4g′: 20 gave 93 % weight sparsity on LeNet-5);
 *     the filter variant charges a gate λ·|weights it controls| (§4a, reference code)
 * @param l0FilterLambda λ per gated weight of the filter variant (l0-filter), before division by N; 0 = auto (our
 *     choice, default): each group's λ follows its closed-gate share, ×1.2 per check while fewer than its target
 *     share of gates are closed, ÷1.2 while more. The weight-level λ = 20 charged a 576-weight VGG filter so much
 *     that every gate of conv2–conv6 closed within ~100 iterations and the regularized net fell to chance (10 %)
 * @param l0DataSize N, the training-set size the L0 penalty is divided by (§4h.2; Fashion-MNIST: 60000)
 * @param l0LogAlphaLr Adam learning rate of log α (§4g′: 0.05; 0.01 was too slow)
 * @param l0InitDrop initial drop rate p, log α ~ N(ln((1−p)/p), 0.01²) (§4g′: 0.05 when starting from a
 *     trained net, so the gated net starts at the dense accuracy)
 * @param slimmingS s, the L1 coefficient on BN γ (§5c: 1e-4 for VGG, 1e-5 for ResNets)
 * @param magnitudeScope one global threshold (§5b reference code) or the same sparsity in every layer
 */
public record MethodConfig(
        int logEvery,
        boolean bnPenalty,
        int gregUpdateInterval,
        double gregTau,
        double gregDelta,
        double gregRhoMax,
        long gregStabilize,
        double gregTauPick,
        double gregDeltaPick,
        double gregPickFraction,
        double gregLambdaRec,
        double incRegCeiling,
        double incRegIncrement,
        double incRegReachFraction,
        IncRegFunction incRegFunction,
        double progLambda0,
        double progLambdaMax,
        double progGrowth,
        int progCheckInterval,
        double progEpsilon,
        boolean progSquared,
        ProgressiveImportance progImportance,
        ProgressivePenalty progPenalty,
        double l0Lambda,
        double l0FilterLambda,
        int l0DataSize,
        double l0LogAlphaLr,
        double l0InitDrop,
        double slimmingS,
        MagnitudeScope magnitudeScope) {

    /** IncReg's increment as a function of the smoothed rank (§2b). */
    public enum IncRegFunction {
        LINEAR,
        EXPONENTIAL
    }

    /** What the progressive regularizer ranks filters by when it finally selects (§3). */
    public enum ProgressiveImportance {
        MAGNITUDE,
        RESPONSE,
        TAYLOR
    }

    /** Which tensors the progressive regularizer's group lasso acts on (see {@code progPenalty}). */
    public enum ProgressivePenalty {
        NORMS,
        WEIGHTS
    }

    /** Where magnitude pruning draws its threshold (§5b). */
    public enum MagnitudeScope {
        GLOBAL,
        LAYER
    }

    public static MethodConfig defaults() {
        return new MethodConfig(
                0,
                false,
                10,
                1.0,
                0,
                1000,
                -1,
                1e-2,
                0,
                0.2,
                -1e-4,
                2.5,
                0,
                0.2,
                IncRegFunction.LINEAR,
                1e-5,
                1e-1,
                1.5,
                0,
                0.05,
                false,
                ProgressiveImportance.MAGNITUDE,
                ProgressivePenalty.NORMS,
                20,
                0,
                60000,
                0.05,
                0.05,
                1e-4,
                MagnitudeScope.GLOBAL);
    }

    public MethodConfig {
        need(logEvery >= 0, "logEvery must be >= 0 (0 = auto), found " + logEvery);
        need(gregUpdateInterval >= 1, "gregUpdateInterval (K_u) must be >= 1, found " + gregUpdateInterval);
        need(gregTau > 0, "gregTau (τ) must be > 0, found " + gregTau);
        need(gregDelta >= 0, "gregDelta (δ) must be >= 0 (0 = auto), found " + gregDelta);
        need(gregRhoMax > 1, "gregRhoMax (ρ_max) must be > 1, found " + gregRhoMax);
        need(gregStabilize >= -1, "gregStabilize (K_s) must be >= 0, or -1 for one epoch, found " + gregStabilize);
        need(gregTauPick > 0, "gregTauPick must be > 0, found " + gregTauPick);
        need(gregDeltaPick >= 0, "gregDeltaPick must be >= 0 (0 = auto), found " + gregDeltaPick);
        need(
                gregPickFraction > 0 && gregPickFraction < 1,
                "gregPickFraction must be in (0, 1), found " + gregPickFraction);
        need(incRegCeiling > 0, "incRegCeiling (λ_u) must be > 0, found " + incRegCeiling);
        need(incRegIncrement >= 0, "incRegIncrement (A) must be >= 0 (0 = auto), found " + incRegIncrement);
        need(
                incRegReachFraction > 0 && incRegReachFraction <= 1,
                "incRegReachFraction must be in (0, 1], found " + incRegReachFraction);
        need(
                progLambda0 > 0 && progLambdaMax >= progLambda0,
                "need 0 < progLambda0 <= progLambdaMax, found " + progLambda0 + ", " + progLambdaMax);
        need(progGrowth > 1, "progGrowth must be > 1, found " + progGrowth);
        need(progCheckInterval >= 0, "progCheckInterval must be >= 0 (0 = auto), found " + progCheckInterval);
        need(progEpsilon > 0 && progEpsilon < 1, "progEpsilon must be in (0, 1), found " + progEpsilon);
        need(l0Lambda >= 0, "l0Lambda must be >= 0, found " + l0Lambda);
        need(l0FilterLambda >= 0, "l0FilterLambda must be >= 0 (0 = auto), found " + l0FilterLambda);
        need(l0DataSize >= 1, "l0DataSize must be >= 1, found " + l0DataSize);
        need(l0LogAlphaLr > 0, "l0LogAlphaLr must be > 0, found " + l0LogAlphaLr);
        need(l0InitDrop > 0 && l0InitDrop < 1, "l0InitDrop must be in (0, 1), found " + l0InitDrop);
        need(slimmingS >= 0, "slimmingS must be >= 0, found " + slimmingS);
        need(
                incRegFunction != null && progImportance != null && progPenalty != null && magnitudeScope != null,
                "enum knobs must not be null");
    }

    /** This config with knobs replaced by name ({@code --method-option name=value}); see {@link MethodOptions}. */
    public MethodConfig with(java.util.Map<String, String> options) {
        return MethodOptions.apply(this, options);
    }

    /** A builder starting from the defaults, for callers that change a few knobs. */
    public static Builder builder() {
        return new Builder(defaults());
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Fluent copy of a config; {@link #build} validates. */
    public static final class Builder {
        private int logEvery;
        private boolean bnPenalty;
        private int gregUpdateInterval;
        private double gregTau;
        private double gregDelta;
        private double gregRhoMax;
        private long gregStabilize;
        private double gregTauPick;
        private double gregDeltaPick;
        private double gregPickFraction;
        private double gregLambdaRec;
        private double incRegCeiling;
        private double incRegIncrement;
        private double incRegReachFraction;
        private IncRegFunction incRegFunction;
        private double progLambda0;
        private double progLambdaMax;
        private double progGrowth;
        private int progCheckInterval;
        private double progEpsilon;
        private boolean progSquared;
        private ProgressiveImportance progImportance;
        private ProgressivePenalty progPenalty;
        private double l0Lambda;
        private double l0FilterLambda;
        private int l0DataSize;
        private double l0LogAlphaLr;
        private double l0InitDrop;
        private double slimmingS;
        private MagnitudeScope magnitudeScope;

        private Builder(MethodConfig c) {
            logEvery = c.logEvery;
            bnPenalty = c.bnPenalty;
            gregUpdateInterval = c.gregUpdateInterval;
            gregTau = c.gregTau;
            gregDelta = c.gregDelta;
            gregRhoMax = c.gregRhoMax;
            gregStabilize = c.gregStabilize;
            gregTauPick = c.gregTauPick;
            gregDeltaPick = c.gregDeltaPick;
            gregPickFraction = c.gregPickFraction;
            gregLambdaRec = c.gregLambdaRec;
            incRegCeiling = c.incRegCeiling;
            incRegIncrement = c.incRegIncrement;
            incRegReachFraction = c.incRegReachFraction;
            incRegFunction = c.incRegFunction;
            progLambda0 = c.progLambda0;
            progLambdaMax = c.progLambdaMax;
            progGrowth = c.progGrowth;
            progCheckInterval = c.progCheckInterval;
            progEpsilon = c.progEpsilon;
            progSquared = c.progSquared;
            progImportance = c.progImportance;
            progPenalty = c.progPenalty;
            l0Lambda = c.l0Lambda;
            l0FilterLambda = c.l0FilterLambda;
            l0DataSize = c.l0DataSize;
            l0LogAlphaLr = c.l0LogAlphaLr;
            l0InitDrop = c.l0InitDrop;
            slimmingS = c.slimmingS;
            magnitudeScope = c.magnitudeScope;
        }

        public Builder logEvery(int v) {
            logEvery = v;
            return this;
        }

        public Builder bnPenalty(boolean v) {
            bnPenalty = v;
            return this;
        }

        public Builder gregUpdateInterval(int v) {
            gregUpdateInterval = v;
            return this;
        }

        public Builder gregTau(double v) {
            gregTau = v;
            return this;
        }

        public Builder gregDelta(double v) {
            gregDelta = v;
            return this;
        }

        public Builder gregRhoMax(double v) {
            gregRhoMax = v;
            return this;
        }

        public Builder gregStabilize(long v) {
            gregStabilize = v;
            return this;
        }

        public Builder gregTauPick(double v) {
            gregTauPick = v;
            return this;
        }

        public Builder gregDeltaPick(double v) {
            gregDeltaPick = v;
            return this;
        }

        public Builder gregPickFraction(double v) {
            gregPickFraction = v;
            return this;
        }

        public Builder gregLambdaRec(double v) {
            gregLambdaRec = v;
            return this;
        }

        public Builder incRegCeiling(double v) {
            incRegCeiling = v;
            return this;
        }

        public Builder incRegIncrement(double v) {
            incRegIncrement = v;
            return this;
        }

        public Builder incRegReachFraction(double v) {
            incRegReachFraction = v;
            return this;
        }

        public Builder incRegFunction(IncRegFunction v) {
            incRegFunction = v;
            return this;
        }

        public Builder progLambda0(double v) {
            progLambda0 = v;
            return this;
        }

        public Builder progLambdaMax(double v) {
            progLambdaMax = v;
            return this;
        }

        public Builder progGrowth(double v) {
            progGrowth = v;
            return this;
        }

        public Builder progCheckInterval(int v) {
            progCheckInterval = v;
            return this;
        }

        public Builder progEpsilon(double v) {
            progEpsilon = v;
            return this;
        }

        public Builder progSquared(boolean v) {
            progSquared = v;
            return this;
        }

        public Builder progImportance(ProgressiveImportance v) {
            progImportance = v;
            return this;
        }

        public Builder progPenalty(ProgressivePenalty v) {
            progPenalty = v;
            return this;
        }

        public Builder l0Lambda(double v) {
            l0Lambda = v;
            return this;
        }

        public Builder l0FilterLambda(double v) {
            l0FilterLambda = v;
            return this;
        }

        public Builder l0DataSize(int v) {
            l0DataSize = v;
            return this;
        }

        public Builder l0LogAlphaLr(double v) {
            l0LogAlphaLr = v;
            return this;
        }

        public Builder l0InitDrop(double v) {
            l0InitDrop = v;
            return this;
        }

        public Builder slimmingS(double v) {
            slimmingS = v;
            return this;
        }

        public Builder magnitudeScope(MagnitudeScope v) {
            magnitudeScope = v;
            return this;
        }

        public MethodConfig build() {
            return new MethodConfig(
                    logEvery,
                    bnPenalty,
                    gregUpdateInterval,
                    gregTau,
                    gregDelta,
                    gregRhoMax,
                    gregStabilize,
                    gregTauPick,
                    gregDeltaPick,
                    gregPickFraction,
                    gregLambdaRec,
                    incRegCeiling,
                    incRegIncrement,
                    incRegReachFraction,
                    incRegFunction,
                    progLambda0,
                    progLambdaMax,
                    progGrowth,
                    progCheckInterval,
                    progEpsilon,
                    progSquared,
                    progImportance,
                    progPenalty,
                    l0Lambda,
                    l0FilterLambda,
                    l0DataSize,
                    l0LogAlphaLr,
                    l0InitDrop,
                    slimmingS,
                    magnitudeScope);
        }
    }

    private static void need(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }
}
