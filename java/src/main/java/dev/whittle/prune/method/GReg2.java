package dev.whittle.prune.method;

/**
 * GReg-2 (pruning-methods.md §1b, exactly as {@code _greg_2}). Phase A ("picking"): every channel of a layer
 * gets the same growing λ (+δ_pick every K_u iterations); the weights' different reactions expose curvature
 * (§1a). When max λ ≥ τ_pick the layer picks S_l = the n_l channels with the lowest mean |w| now. Phase B:
 * λ += δ on S_l, kept channels get the constant λ_rec (−1e-4: cancels part of the weight decay, §1h.5); the
 * layer finishes when ρ̄_l ≥ ρ_max (its own ρ̄) or max λ > τ. Then stabilization and removal as GReg-1.
 *
 * <p>Budget (our choice): picking gets {@code gregPickFraction} of the regularization epochs, phase B the rest.
 */
final class GReg2 extends GrowingRegularization {
    private double delta, deltaPick;

    GReg2(MethodConfig cfg) {
        super(cfg);
    }

    @Override
    public String name() {
        return "greg2";
    }

    @Override
    void initSelection() {
        double e = ctx.regularizationEpochs(), f = cfg.gregPickFraction();
        deltaPick = scaledIncrement(cfg.gregDeltaPick(), cfg.gregTauPick(), f * e);
        delta = scaledIncrement(cfg.gregDelta(), cfg.gregTau(), (1 - f) * e);
    }

    @Override
    void updateLambdas(long iteration) {
        for (Layer l : layers) {
            if (l.finished) continue;
            if (l.selected == null) {
                for (int c = 0; c < l.lambda.length; c++) l.lambda[c] += deltaPick;
                // Tolerance: τ_pick/δ_pick sums of a float step land a hair below τ_pick.
                if (l.maxLambda() >= cfg.gregTauPick() * (1 - 1e-9)) {
                    l.selected = Ranking.lowest(l.meanAbs(), l.prune);
                    for (int c = 0; c < l.lambda.length; c++) if (!l.selected[c]) l.lambda[c] = cfg.gregLambdaRec();
                }
                continue;
            }
            for (int c = 0; c < l.lambda.length; c++) {
                if (l.selected[c]) l.lambda[c] += delta;
                else l.lambda[c] = cfg.gregLambdaRec();
            }
            l.updateRho();
            if (l.rhoEma >= cfg.gregRhoMax() || l.maxLambda() > cfg.gregTau()) l.finished = true;
        }
    }
}
