package dev.whittle.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * SgdScalar against PyTorch's torch.optim.SGD (dampening 0), whose update per step is
 * <pre>
 *   g' = g + wd·w
 *   v  = g'            on the first step (buffer created), μ·v + g' afterwards (identical with v₀ = 0)
 *   w -= lr·(nesterov ? g' + μ·v : v)
 * </pre>
 * The expected numbers below were worked out by hand from that formula with lr 0.1, μ 0.9, wd 5e-4.
 */
class SgdScalarTest {
    private static final float LR = 0.1f, MU = 0.9f, WD = 5e-4f;

    @Test
    void sgdMomentumMatchesPyTorchFormulaForTwoStepsByHand() {
        float[] w = {1.0f}, v = {0f};
        SgdScalar.step(w, new float[] {0.5f}, v, LR, MU, WD, false, 0, 1);
        // g' = 0.5 + 5e-4·1 = 0.5005; v = 0.5005; w = 1 − 0.1·0.5005
        assertEquals(0.5005, v[0], 1e-7);
        assertEquals(0.94995, w[0], 1e-7);
        SgdScalar.step(w, new float[] {-0.25f}, v, LR, MU, WD, false, 0, 1);
        // g' = −0.25 + 5e-4·0.94995 = −0.249525025; v = 0.9·0.5005 + g' = 0.200924975; w = 0.94995 − 0.0200924975
        assertEquals(0.200924975, v[0], 1e-7);
        assertEquals(0.9298575025, w[0], 1e-7);
    }

    @Test
    void sgdNesterovMatchesPyTorchFormulaForTwoStepsByHand() {
        float[] w = {1.0f}, v = {0f};
        SgdScalar.step(w, new float[] {0.5f}, v, LR, MU, WD, true, 0, 1);
        // g' = 0.5005; v = 0.5005; step = g' + 0.9·v = 0.95095; w = 1 − 0.095095
        assertEquals(0.5005, v[0], 1e-7);
        assertEquals(0.904905, w[0], 1e-7);
        SgdScalar.step(w, new float[] {-0.25f}, v, LR, MU, WD, true, 0, 1);
        // g' = −0.25 + 5e-4·0.904905 = −0.2495475475; v = 0.45045 + g' = 0.2009024525;
        // step = g' + 0.9·v = −0.06873534025; w = 0.904905 + 0.006873534025
        assertEquals(0.2009024525, v[0], 1e-7);
        assertEquals(0.911778534025, w[0], 1e-7);
    }

    @Test
    void sgdMatchesDoublePrecisionPyTorchUpdateOverManyElementsAndSteps() {
        for (boolean nesterov : new boolean[] {false, true}) {
            int n = 37;
            float[] w = GradCheck.randn(91, n, 1.0), v = new float[n];
            double[] wd = new double[n], vd = new double[n];
            for (int i = 0; i < n; i++) wd[i] = w[i];
            for (int step = 0; step < 5; step++) {
                float[] g = GradCheck.randn(92 + step, n, 1.0);
                SgdScalar.step(w, g, v, LR, MU, WD, nesterov, 0, n);
                for (int i = 0; i < n; i++) {
                    double gp = g[i] + (double) WD * wd[i];
                    vd[i] = step == 0 ? gp : MU * vd[i] + gp; // PyTorch: buffer = clone(g') on the first step
                    wd[i] -= LR * (nesterov ? gp + MU * vd[i] : vd[i]);
                }
            }
            GradCheck.assertClose("weights nesterov=" + nesterov, wd, w, 1e-6);
            GradCheck.assertClose("velocity nesterov=" + nesterov, vd, v, 1e-6);
        }
    }

    @Test
    void sgdWithoutMomentumOrDecayIsPlainGradientStep() {
        float[] w = {1f, -2f, 3f}, g = {0.5f, 0.25f, -1f}, v = new float[3];
        SgdScalar.step(w, g, v, 0.5f, 0f, 0f, false, 0, 3);
        assertArrayEquals(new float[] {0.75f, -2.125f, 3.5f}, w);
    }

    @Test
    void sgdUpdatesOnlyItsRangeAndSplitsAreBitwiseIdentical() {
        int n = 20;
        float[] w0 = GradCheck.randn(93, n, 1.0), g = GradCheck.randn(94, n, 1.0), v0 = GradCheck.randn(95, n, 0.1);
        float[] w = w0.clone(), v = v0.clone();
        SgdScalar.step(w, g, v, LR, MU, WD, true, 0, n);
        float[] w2 = w0.clone(), v2 = v0.clone();
        SgdScalar.step(w2, g, v2, LR, MU, WD, true, 0, 7);
        for (int i = 7; i < n; i++) {
            assertEquals(w0[i], w2[i], "w outside range changed at " + i);
            assertEquals(v0[i], v2[i], "velocity outside range changed at " + i);
        }
        SgdScalar.step(w2, g, v2, LR, MU, WD, true, 7, n);
        assertArrayEquals(w, w2);
        assertArrayEquals(v, v2);
    }
}
