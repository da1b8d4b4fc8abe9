package dev.whittle.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The gradient check itself must accept a right gradient and reject slightly wrong ones, or it proves nothing. */
class GradCheckTest {
    private static final int N = 40;
    private final float[] x = GradCheck.randn(1, N, 1.0);
    private final float[] r = GradCheck.randn(2, N, 1.0);

    /** L = Σ R·tanh(x)·x, a smooth nonlinear objective with a known gradient. */
    private final DoubleSupplier loss = () -> {
        double s = 0;
        for (int i = 0; i < N; i++) s += r[i] * Math.tanh(x[i]) * x[i];
        return s;
    };

    private float[] trueGradient() {
        float[] g = new float[N];
        for (int i = 0; i < N; i++) {
            double t = Math.tanh(x[i]);
            g[i] = (float) (r[i] * (t + x[i] * (1 - t * t)));
        }
        return g;
    }

    @Test
    void acceptsTheExactGradientWithWideMargin() {
        GradCheck.Result res = GradCheck.assertGradient("tanh(x)·x", x, trueGradient(), loss);
        assertTrue(res.maxError() < GradCheck.TOLERANCE / 10, "max error " + res.maxError());
    }

    @Test
    void rejectsAGradientThreePercentTooLarge() {
        float[] g = trueGradient();
        for (int i = 0; i < N; i++) g[i] *= 1.03f;
        assertThrows(AssertionFailedError.class, () -> GradCheck.assertGradient("scaled", x, g, loss));
    }

    @Test
    void rejectsAGradientWithTwoElementsSwapped() {
        float[] g = trueGradient();
        float t = g[3];
        g[3] = g[17];
        g[17] = t;
        assertThrows(AssertionFailedError.class, () -> GradCheck.assertGradient("swapped", x, g, loss));
    }

    @Test
    void rejectsAGradientMissingOneElement() {
        float[] g = trueGradient();
        g[N - 1] = 0f;
        assertThrows(AssertionFailedError.class, () -> GradCheck.assertGradient("missing", x, g, loss));
    }

    @Test
    void leavesTheParameterUnchanged() {
        float[] before = x.clone();
        GradCheck.assertGradient("restore", x, trueGradient(), loss);
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, x);
    }
}
