package dev.whittle.prune.method;

/**
 * GReg-1 (Wang et al., ICLR 2021; pruning-methods.md §1b, exactly as {@code _greg_1}): S_l = the n_l
 * lowest-mean-|w| channels at the start, fixed; every K_u iterations λ += δ on S_l (kept channels stay at 0)
 * and ρ̄_l is updated; a layer finishes when its max λ exceeds τ, or when ρ̄ ≥ ρ_max holds for every targeted
 * layer at once; finished layers keep applying their λ. Then stabilization and removal.
 */
final class GReg1 extends GrowingRegularization {
    private double delta;

    GReg1(MethodConfig cfg) {
        super(cfg);
    }

    @Override
    public String name() {
        return "greg1";
    }

    @Override
    void initSelection() {
        delta = scaledIncrement(cfg.gregDelta(), cfg.gregTau(), ctx.regularizationEpochs());
        for (Layer l : layers) l.selected = Ranking.lowest(l.meanAbs(), l.prune);
    }

    @Override
    void updateLambdas(long iteration) {
        for (Layer l : layers) {
            if (!l.finished) {
                for (int c = 0; c < l.lambda.length; c++) if (l.selected[c]) l.lambda[c] += delta;
            }
            // ρ̄ is tracked for every layer: the joint stop below looks at all of them.
            l.updateRho();
        }
        boolean allSeparated = layers.stream().allMatch(l -> l.rhoEma >= cfg.gregRhoMax());
        for (Layer l : layers) {
            if (!l.finished && (l.maxLambda() > cfg.gregTau() || allSeparated)) l.finished = true;
        }
    }

    double delta() {
        return delta;
    }
}
