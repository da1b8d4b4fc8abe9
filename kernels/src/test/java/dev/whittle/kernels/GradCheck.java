package dev.whittle.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.function.DoubleSupplier;

/**
 * Finite-difference gradient check and seeded test tensors shared by the kernel tests.
 *
 * <h2>Method</h2>
 * A test builds a scalar objective {@code L(θ)}, usually {@code L = Σ y ⊙ R} for a fixed seeded random
 * {@code R}, so that {@code dL/dy = R} and the analytic gradient is what the backward kernel produces for
 * {@code dy = R}. The numeric derivative of element {@code i} is the central difference
 * {@code (L(θᵢ⁺) − L(θᵢ⁻)) / (θᵢ⁺ − θᵢ⁻)}, where {@code θᵢ± = (float)(θᵢ ± h)} are the values actually stored
 * (dividing by their real difference rather than by {@code 2h} removes the float rounding of the step).
 * {@code L} is accumulated in double from the float forward output.
 *
 * <h2>Choice of h and tolerance for float32</h2>
 * <ul>
 *   <li>Default {@code h = 1e-2} for inputs of magnitude ~1. Rounding noise in the numeric derivative grows like
 *       {@code 1/h}: only outputs that depend on θᵢ change between the two evaluations (all other float outputs
 *       are bit-identical and cancel), each carrying ~√terms·2⁻²⁴·|y| of rounding, so the absolute noise is
 *       ≈ √(#affected outputs)·√terms·6e-8·|y|·|R| / (2h): up to ~1e-3 for a 5×5 conv at h = 1e-2, and 10× more
 *       at h = 1e-3. For ops linear in θ (conv, linear, pools, ReLU away from 0, add) central differences have
 *       no truncation error at all, so nothing is gained by a smaller h.</li>
 *   <li>Batch norm passes {@link #H_BATCH_NORM} = 3e-2: perturbing one input moves every output of its channel
 *       (the batch statistics change), so the noise carries √M (M = N·HW ≤ 162 here) and measured ~2e-4 absolute
 *       at h = 1e-2. Its truncation error stays small at 3e-2 because each input's effect on the
 *       statistics is O(1/M); even with M = 3 it measured 4e-4 relative.</li>
 *   <li>Per element, {@code e = |a − n| / max(FLOOR, |a| + |n|)} with
 *       {@code FLOOR = 1e-2·max(1, max_j |a_j|)}: a relative error for ordinary gradients, and for elements
 *       that are near zero <em>compared with the tensor's largest gradient</em> an absolute one (noise is
 *       absolute, so a 0.004 entry next to entries of 3 cannot be held to 1 % of itself).</li>
 *   <li>The check demands {@code max e < 1e-2}. Measured maxima over this suite are ≤ 2e-3 (conv dx/dw with
 *       5×5 kernels), ≤ 1.5e-3 (batch norm dx), ≤ 4e-4 elsewhere,
 *       while a gradient that is 3 % too large (e ≈ 1.5e-2), has two entries swapped or one missing fails;
 *       {@link GradCheckTest} proves the check rejects such gradients.</li>
 *   <li>Tensors of up to {@value #CHECK_ALL_UP_TO} elements are checked element by element; larger ones at
 *       {@value #SAMPLE} seeded random distinct indices.</li>
 * </ul>
 * Run the tests in a JVM with {@code -Dgradcheck.verbose=true} to print every check's max e.
 */
final class GradCheck {
    static final double H = 1e-2;
    static final double TOLERANCE = 1e-2;
    static final double H_BATCH_NORM = 3e-2;
    static final double FLOOR = 1e-2;
    static final int CHECK_ALL_UP_TO = 256;
    static final int SAMPLE = 64;

    private GradCheck() {}

    /** The worst element of one comparison. */
    record Result(double maxError, int worstIndex, double analytic, double numeric, int checked) {}

    /**
     * Asserts that {@code analytic} is the gradient of {@code loss} with respect to {@code param}. The supplier
     * must recompute the loss from the current contents of {@code param}, which this method perturbs in place
     * and restores.
     */
    static Result assertGradient(String what, float[] param, float[] analytic, DoubleSupplier loss) {
        return assertGradient(what, param, analytic, loss, H, TOLERANCE);
    }

    /** As {@link #assertGradient(String, float[], float[], DoubleSupplier)} with a step other than {@link #H}. */
    static Result assertGradient(String what, float[] param, float[] analytic, DoubleSupplier loss, double h) {
        return assertGradient(what, param, analytic, loss, h, TOLERANCE);
    }

    static Result assertGradient(
            String what, float[] param, float[] analytic, DoubleSupplier loss, double h, double tolerance) {
        Result r = compare(param, analytic, loss, h, indicesToCheck(param.length, what.hashCode()));
        if (Boolean.getBoolean("gradcheck.verbose")) {
            System.out.printf("gradcheck %-70s max e = %.2e over %d elements%n", what, r.maxError(), r.checked());
        }
        if (!(r.maxError() < tolerance)) {
            fail(String.format(
                    "%s: gradient mismatch at element %d: analytic %.6g vs numeric %.6g (e = %.3g, tolerance %.1g)",
                    what, r.worstIndex(), r.analytic(), r.numeric(), r.maxError(), tolerance));
        }
        return r;
    }

    /** Compares the analytic gradient with central differences at {@code indices}; never asserts. */
    static Result compare(float[] param, float[] analytic, DoubleSupplier loss, double h, int[] indices) {
        if (param.length != analytic.length) {
            throw new IllegalArgumentException(
                    "param and gradient sizes differ: " + param.length + " vs " + analytic.length);
        }
        double scale = 1;
        for (float a : analytic) scale = Math.max(scale, Math.abs(a));
        double floor = FLOOR * scale;
        double worst = -1;
        int worstIndex = -1;
        double worstA = 0, worstN = 0;
        for (int i : indices) {
            float v = param[i];
            float plus = (float) (v + h), minus = (float) (v - h);
            param[i] = plus;
            double lp = loss.getAsDouble();
            param[i] = minus;
            double lm = loss.getAsDouble();
            param[i] = v;
            double numeric = (lp - lm) / ((double) plus - (double) minus);
            double a = analytic[i];
            double e = Math.abs(a - numeric) / Math.max(floor, Math.abs(a) + Math.abs(numeric));
            if (Double.isNaN(e)) e = Double.POSITIVE_INFINITY;
            if (e > worst) {
                worst = e;
                worstIndex = i;
                worstA = a;
                worstN = numeric;
            }
        }
        return new Result(worst, worstIndex, worstA, worstN, indices.length);
    }

    /** Every index of a small tensor, or {@value #SAMPLE} seeded distinct random indices of a larger one. */
    static int[] indicesToCheck(int size, long seed) {
        if (size <= CHECK_ALL_UP_TO) {
            int[] all = new int[size];
            for (int i = 0; i < size; i++) all[i] = i;
            return all;
        }
        int[] perm = permutation(size, new Random(seed));
        return java.util.Arrays.copyOf(perm, SAMPLE);
    }

    // ---------------------------------------------------------------- seeded tensors

    /** Standard normal values times {@code scale}. */
    static float[] randn(long seed, int n, double scale) {
        Random rnd = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian() * scale);
        return a;
    }

    static float[] uniform(long seed, int n, double lo, double hi) {
        Random rnd = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        return a;
    }

    /** Random sign, magnitude uniform in [min, max]: keeps ReLU inputs and scale factors away from zero. */
    static float[] awayFromZero(long seed, int n, double min, double max) {
        Random rnd = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            double m = min + (max - min) * rnd.nextDouble();
            a[i] = (float) (rnd.nextBoolean() ? m : -m);
        }
        return a;
    }

    /**
     * Distinct values {@code (j − n/2)·spacing} in a seeded random order: any two differ by at least
     * {@code spacing}, so a perturbation smaller than spacing/2 never changes which element is a maximum.
     */
    static float[] distinct(long seed, int n, double spacing) {
        int[] perm = permutation(n, new Random(seed));
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((perm[i] - n / 2) * spacing);
        return a;
    }

    static int[] permutation(int n, Random rnd) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /** Σ y·r in double: the objective L = Σ y ⊙ R. */
    static double dot(float[] y, float[] r) {
        double s = 0;
        for (int i = 0; i < y.length; i++) s += (double) y[i] * r[i];
        return s;
    }

    /** Asserts |actual − expected| ≤ tol·(1 + |expected|) element-wise, naming the first bad element. */
    static void assertClose(String what, double[] expected, float[] actual, double tol) {
        if (expected.length != actual.length) fail(what + ": length " + actual.length + " != " + expected.length);
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(actual[i] - expected[i]);
            if (!(d <= tol * (1 + Math.abs(expected[i])))) {
                fail(String.format(
                        "%s: element %d is %.8g, expected %.8g (|diff| %.3g > tol %.1g)",
                        what, i, actual[i], expected[i], d, tol));
            }
        }
    }

    static void assertClose(String what, float[] expected, float[] actual, double tol) {
        double[] e = new double[expected.length];
        for (int i = 0; i < e.length; i++) e[i] = expected[i];
        assertClose(what, e, actual, tol);
    }

    /**
     * Accumulation semantics: running a backward kernel into {@code start} must give {@code start + fresh}, where
     * {@code fresh} is the same kernel run into zeros (up to float rounding of the extra additions).
     */
    static void assertAccumulated(String what, float[] start, float[] fresh, float[] accumulated) {
        double[] expected = new double[start.length];
        boolean anyNonZeroStart = false, anyNonZeroFresh = false;
        for (int i = 0; i < start.length; i++) {
            expected[i] = (double) start[i] + fresh[i];
            anyNonZeroStart |= start[i] != 0f;
            anyNonZeroFresh |= fresh[i] != 0f;
        }
        if (!anyNonZeroStart || !anyNonZeroFresh) fail(what + ": test setup must use non-zero start and gradient");
        assertClose(what + " (must be start + gradient, not overwritten)", expected, accumulated, 1e-5);
    }
}
