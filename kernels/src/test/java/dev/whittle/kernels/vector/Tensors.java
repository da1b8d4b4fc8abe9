package dev.whittle.kernels.vector;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

/**
 * Seeded test tensors and the tolerance used by every vector-vs-reference comparison.
 *
 * <h2>Tolerance</h2>
 * Both sides compute each output as a float32 sum of L products (L = the reduction length: C/G·R·S for a conv
 * forward, N·P·Q for a weight gradient, IN for a linear forward, …), in different orders (the GEMM splits K into
 * blocks, accumulates in vector lanes, and fuses multiply-add). The rounding error of one such sum is a random walk
 * over partial sums of size up to ~√L·σ_a·σ_b, so it is typically u·L·σ_a·σ_b with u = 2⁻²⁴ ≈ 6e-8, and the
 * difference of two such sums is of the same order. An element passes when
 * <pre>  |actual − expected| ≤ 1e-4·|expected| + 16·u·L·σ_a·σ_b</pre>
 * The relative term covers large outputs; the absolute floor (a 16× margin on the typical error) covers outputs
 * that are near zero by cancellation, where a relative test would demand more than float32 can give. A wrong
 * index, a missing or doubled term is off by ~σ_a·σ_b ≫ 16·u·L·σ_a·σ_b for every L used here (L ≤ ~10⁴), so it
 * still fails.
 */
final class Tensors {
    static final double U = 0x1p-24;

    private Tensors() {}

    static float[] randn(long seed, int n, double scale) {
        Random rnd = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian() * scale);
        return a;
    }

    static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    static double absTol(long reductionLength, double scaleA, double scaleB) {
        return 16 * U * Math.max(1, reductionLength) * scaleA * scaleB;
    }

    /** Asserts |actual − expected| ≤ 1e-4·|expected| + absTol element-wise, over [from, to). */
    static void assertClose(String what, float[] expected, float[] actual, int from, int to, double absTol) {
        for (int i = from; i < to; i++) {
            double e = expected[i], a = actual[i];
            double tol = 1e-4 * Math.abs(e) + absTol;
            if (!(Math.abs(a - e) <= tol)) {
                fail(what + ": element " + i + " expected " + e + " but was " + a + " (|diff| " + Math.abs(a - e)
                        + " > tol " + tol + ")");
            }
        }
    }

    static void assertClose(String what, float[] expected, float[] actual, double absTol) {
        if (expected.length != actual.length) fail(what + ": length " + expected.length + " vs " + actual.length);
        assertClose(what, expected, actual, 0, expected.length, absTol);
    }

    static void assertClose(String what, double[] expected, float[] actual, int from, int to, double absTol) {
        for (int i = from; i < to; i++) {
            double e = expected[i], a = actual[i];
            double tol = 1e-4 * Math.abs(e) + absTol;
            if (!(Math.abs(a - e) <= tol)) {
                fail(what + ": element " + i + " expected " + e + " but was " + a + " (|diff| " + Math.abs(a - e)
                        + " > tol " + tol + ")");
            }
        }
    }

    /** Asserts that [0, from) and [to, length) are bit-identical to {@code before}: a ranged call touched nothing else. */
    static void assertUntouchedOutside(String what, float[] before, float[] after, int from, int to) {
        for (int i = 0; i < before.length; i++) {
            if (i >= from && i < to) continue;
            if (Float.floatToRawIntBits(before[i]) != Float.floatToRawIntBits(after[i])) {
                fail(what + ": element " + i + " outside [" + from + ", " + to + ") changed from " + before[i] + " to "
                        + after[i]);
            }
        }
    }
}
