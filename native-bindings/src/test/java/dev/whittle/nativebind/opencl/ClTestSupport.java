package dev.whittle.nativebind.opencl;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;

/**
 * One context and kernel set shared by every test class in the JVM (building programs is the slow part on
 * PoCL), skipping cleanly when the machine has no OpenCL device; plus data and comparison helpers.
 *
 * <p>Tolerance: |device − reference| ≤ 1e-4·|reference| + 1e-6·L, where L is the length of the reduction that
 * produced the value. Inputs are uniform in [-1, 1], so each product is at most 1 in magnitude; the device sums
 * in a different order (tiles, work-group trees, fused multiply-add) than the sequential scalar reference, and the
 * rounding error of a float sum grows with its number of terms — and results that cancel to near zero cannot
 * meet any relative bound. 1e-6 per term is about 16 float ulps of 1.0 per term: loose enough for any summation
 * order, tight enough to catch a single wrong or missing term (which moves a result by ~0.1–1).
 */
final class ClTestSupport {
    private static Optional<ClContext> context;
    private static String unavailable = "";
    private static ClKernels kernels;

    private ClTestSupport() {}

    static synchronized ClContext context() {
        if (context == null) {
            context = ClContext.tryCreate(reason -> unavailable = reason);
            context.ifPresent(c -> System.out.println("OpenCL device: " + c.describe()));
        }
        Assumptions.assumeTrue(context.isPresent(), () -> "no OpenCL device: " + unavailable);
        return context.get();
    }

    static synchronized ClKernels kernels() {
        ClContext ctx = context();
        if (kernels == null) kernels = new ClKernels(ctx);
        return kernels;
    }

    static float[] uniform(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rnd.nextFloat() * 2f - 1f;
        return a;
    }

    static float[] read(ClBuffer b, int n) {
        float[] out = new float[n];
        b.read(0, out, 0, n);
        return out;
    }

    static int[] readInts(ClBuffer b, int n) {
        int[] out = new int[n];
        b.read(0, out, 0, n);
        return out;
    }

    /** Asserts the tolerance of the class comment; {@code reductionLength} is L. */
    static void assertClose(String what, float[] expected, float[] actual, long reductionLength) {
        assertClose(what, expected, actual, 1e-4, 1e-6 * Math.max(1, reductionLength));
    }

    static void assertClose(String what, float[] expected, float[] actual, double rtol, double atol) {
        if (expected.length != actual.length) fail(what + ": length " + actual.length + " != " + expected.length);
        int bad = -1, badCount = 0;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs((double) actual[i] - expected[i]);
            double tol = rtol * Math.abs(expected[i]) + atol;
            if (!(err <= tol) && !(Float.isNaN(expected[i]) && Float.isNaN(actual[i]))) {
                if (bad < 0) bad = i;
                badCount++;
            }
            if (err > worst) worst = err;
        }
        if (bad >= 0) {
            fail(String.format(
                    "%s: %d of %d elements off; first at [%d]: expected %.7g, got %.7g (atol %.2g, rtol %.2g, worst abs err %.3g)",
                    what, badCount, expected.length, bad, expected[bad], actual[bad], atol, rtol, worst));
        }
    }
}
