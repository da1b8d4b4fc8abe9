package dev.whittle.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Sgemm against a naive double-precision triple loop, for every (M, N, K) in {1, 5, 6, 7, 17, 31, 32, 33, 100}³
 * and all four transposition combinations, with padded leading dimensions and non-zero offsets; the C window must
 * be updated (C += A·B, or overwritten) and everything around it left untouched. Tolerances: see {@link Tensors}.
 */
class SgemmTest {
    static final int[] DIMS = {1, 5, 6, 7, 17, 31, 32, 33, 100};

    /** One GEMM on padded storage, checked against double math; returns nothing, fails on mismatch. */
    static void check(boolean ta, boolean tb, int m, int n, int k, boolean overwrite, long seed) {
        int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 5, ldc = n + 2;
        int aRows = ta ? k : m, bRows = tb ? n : k;
        int aOff = 7, bOff = 3, cOff = 11;
        float[] a = Tensors.randn(seed, aOff + aRows * lda, 1.0);
        float[] b = Tensors.randn(seed + 1, bOff + bRows * ldb, 1.0);
        float[] c = Tensors.randn(seed + 2, cOff + m * ldc + 4, 1.0);
        if (overwrite) {
            for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c[cOff + i * ldc + j] = Float.NaN;
        }
        float[] before = c.clone();
        double[] expected = new double[c.length];
        for (int i = 0; i < c.length; i++) expected[i] = before[i];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = overwrite ? 0 : before[cOff + i * ldc + j];
                for (int p = 0; p < k; p++) {
                    double av = ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bv = tb ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    acc += av * bv;
                }
                expected[cOff + i * ldc + j] = acc;
            }
        }
        Sgemm.gemm(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, overwrite);
        String what = "gemm ta=" + ta + " tb=" + tb + " M=" + m + " N=" + n + " K=" + k + " ow=" + overwrite;
        // |C_in| ~ 1 adds at most u·1 to the error; L = K products of two N(0,1) values.
        double tol = Tensors.absTol(k + 1, 1, 1);
        for (int i = 0; i < c.length; i++) {
            int rel = i - cOff;
            boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
            if (inside) {
                Tensors.assertClose(what, expected, c, i, i + 1, tol);
            } else {
                assertEquals(Float.floatToRawIntBits(before[i]), Float.floatToRawIntBits(c[i]), what + " touched " + i);
            }
        }
    }

    @Test
    void allSizeCombinationsNoTranspose() {
        long seed = 1;
        for (int m : DIMS) for (int n : DIMS) for (int k : DIMS) check(false, false, m, n, k, false, seed++);
    }

    @Test
    void allSizeCombinationsTransposedA() {
        long seed = 1000;
        for (int m : DIMS) for (int n : DIMS) for (int k : DIMS) check(true, false, m, n, k, false, seed++);
    }

    @Test
    void allSizeCombinationsTransposedB() {
        long seed = 2000;
        for (int m : DIMS) for (int n : DIMS) for (int k : DIMS) check(false, true, m, n, k, false, seed++);
    }

    @Test
    void allSizeCombinationsBothTransposed() {
        long seed = 3000;
        for (int m : DIMS) for (int n : DIMS) for (int k : DIMS) check(true, true, m, n, k, false, seed++);
    }

    @Test
    void overwriteIgnoresPreviousContents() {
        long seed = 4000;
        for (int m : new int[] {1, 7, 33})
            for (int n : new int[] {1, 17, 32, 33})
                for (int k : new int[] {1, 6, 300}) {
                    check(false, false, m, n, k, true, seed++);
                    check(true, true, m, n, k, true, seed++);
                }
    }

    @Test
    void blockingBoundariesInKMAndN() {
        // K above one K block (even split), M above one M block, N above one N panel.
        check(false, false, 13, 40, 257, false, 5001);
        check(false, true, 7, 9, 600, false, 5002);
        check(true, false, Sgemm.MC + 7, 33, 20, false, 5003);
        check(false, false, 2, Sgemm.NC + 37, 3, false, 5004);
        check(true, true, Sgemm.MC * 2 + 1, 65, 513, true, 5005);
    }

    @Test
    void zeroKZeroesWhenOverwritingAndIsANoOpOtherwise() {
        float[] c = {1, 2, 3, 4};
        Sgemm.gemm(false, false, 2, 2, 0, new float[0], 0, 1, new float[0], 0, 2, c, 0, 2, false);
        assertEquals(1f, c[0]);
        Sgemm.gemm(false, false, 2, 1, 0, new float[0], 0, 1, new float[0], 0, 2, c, 0, 2, true);
        assertEquals(0f, c[0]);
        assertEquals(2f, c[1]);
        assertEquals(0f, c[2]);
        assertEquals(4f, c[3]);
    }
}
