package dev.whittle.prune.method;

import java.util.SplittableRandom;

/**
 * A vector of hard-concrete gates (Louizos et al. 2018; pruning-methods.md §4b) with their parameters log α,
 * the last training sample z, dz/dlog α of that sample, and an Adam state for log α (log α is not a graph
 * parameter, so the trainer's SGD never sees it; §4g′ trained it with Adam, lr 0.05).
 *
 * <p>Sample: u ~ U(ε, 1−ε), s = σ((ln u − ln(1−u) + log α)/β), z = clamp(s·(ζ−γ)+γ, 0, 1); test time:
 * ẑ = clamp(σ(log α)·(ζ−γ)+γ, 0, 1), so a gate is pruned iff log α ≤ ln(1/11). P(z ≠ 0) = σ(log α − β·ln(−γ/ζ)).
 * After every step log α is clamped to [ln 0.01, ln 100] (reference {@code constrain_parameters}).
 */
final class HardConcreteGates {
    static final double GAMMA = -0.1, ZETA = 1.1, BETA = 2.0 / 3.0, EPS = 1e-6;
    static final double LOG_ALPHA_MIN = Math.log(0.01), LOG_ALPHA_MAX = Math.log(100);
    private static final double SHIFT = BETA * Math.log(-GAMMA / ZETA);
    private static final double ADAM_B1 = 0.9, ADAM_B2 = 0.999, ADAM_EPS = 1e-8;
    final float[] logAlpha, z, dzDlogAlpha, grad;
    private final float[] m, v;
    private long steps;

    /** log α ~ N(ln((1−p)/p), 0.01²): starts with drop rate p (§4b). */
    HardConcreteGates(int n, double initialDrop, SplittableRandom rng) {
        logAlpha = new float[n];
        z = new float[n];
        dzDlogAlpha = new float[n];
        grad = new float[n];
        m = new float[n];
        v = new float[n];
        double mean = Math.log((1 - initialDrop) / initialDrop);
        for (int j = 0; j < n; j++) logAlpha[j] = (float) (mean + 0.01 * rng.nextGaussian());
    }

    int size() {
        return logAlpha.length;
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** Draws z for every gate (one sample per mini-batch, the reference default) and remembers dz/dlog α. */
    void sample(SplittableRandom rng) {
        for (int j = 0; j < z.length; j++) {
            double u = EPS + (1 - 2 * EPS) * rng.nextDouble();
            double s = sigmoid((Math.log(u) - Math.log(1 - u) + logAlpha[j]) / BETA);
            double sBar = s * (ZETA - GAMMA) + GAMMA;
            boolean inside = sBar > 0 && sBar < 1;
            z[j] = (float) Math.min(1, Math.max(0, sBar));
            // The clamp has zero gradient where it bites; inside, dz/dlogα = (ζ−γ)·s(1−s)/β.
            dzDlogAlpha[j] = inside ? (float) ((ZETA - GAMMA) * s * (1 - s) / BETA) : 0f;
        }
    }

    /** Deterministic test-time gate ẑ. */
    float testGate(int j) {
        return (float) Math.min(1, Math.max(0, sigmoid(logAlpha[j]) * (ZETA - GAMMA) + GAMMA));
    }

    /** ẑ for every gate. */
    float[] testGates() {
        float[] out = new float[logAlpha.length];
        for (int j = 0; j < out.length; j++) out[j] = testGate(j);
        return out;
    }

    /** P(z_j ≠ 0), the expected-L0 term of §4a. */
    double probabilityOpen(int j) {
        return sigmoid(logAlpha[j] - SHIFT);
    }

    /** grad_j += coef_j·dP(z_j ≠ 0)/dlog α: the gradient of the penalty coef·P(z ≠ 0). */
    void addPenaltyGradient(int j, double coef) {
        double p = probabilityOpen(j);
        grad[j] += (float) (coef * p * (1 - p));
    }

    /** One Adam step on log α with the accumulated gradient, then the clamp; clears the gradient. */
    void step(double lr) {
        steps++;
        double c1 = 1 - Math.pow(ADAM_B1, steps), c2 = 1 - Math.pow(ADAM_B2, steps);
        for (int j = 0; j < logAlpha.length; j++) {
            double g = grad[j];
            m[j] = (float) (ADAM_B1 * m[j] + (1 - ADAM_B1) * g);
            v[j] = (float) (ADAM_B2 * v[j] + (1 - ADAM_B2) * g * g);
            double upd = lr * (m[j] / c1) / (Math.sqrt(v[j] / c2) + ADAM_EPS);
            logAlpha[j] = (float) Math.min(LOG_ALPHA_MAX, Math.max(LOG_ALPHA_MIN, logAlpha[j] - upd));
            grad[j] = 0f;
        }
    }

    /** Share of gates with ẑ > 0. */
    double openFraction() {
        int open = 0;
        for (int j = 0; j < logAlpha.length; j++) if (testGate(j) > 0) open++;
        return logAlpha.length == 0 ? 1 : (double) open / logAlpha.length;
    }

    double meanProbabilityOpen() {
        double s = 0;
        for (int j = 0; j < logAlpha.length; j++) s += probabilityOpen(j);
        return logAlpha.length == 0 ? 1 : s / logAlpha.length;
    }
}
