package dev.whittle.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one-vector kernel computes bit for bit the first vector of columns {@link Sgemm#kernel} computes. */
class SgemmNarrowTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 16, 31, 64})
    void itsColumnsAreTheTwoVectorKernelsFirstVectorBitForBit(int kc) {
        int ldb = 3 * Sgemm.NR, ldc = 2 * Sgemm.NR + 5;
        float[] a = Tensors.randn(kc, kc * Sgemm.MR + 3, 1), b = Tensors.randn(kc + 1, kc * ldb + 7, 1);
        float[] wide = new float[Sgemm.MR * ldc + 11], narrow = Tensors.randn(kc + 2, wide.length, 1);
        float[] before = narrow.clone();
        Sgemm.kernel(kc, a, 3, b, 7, ldb, wide, 11, ldc, true);
        SgemmNarrow.kernel(kc, a, 3, b, 7, ldb, narrow, 11, ldc);
        for (int i = 0; i < Sgemm.MR; i++) {
            int row = 11 + i * ldc;
            float[] want = java.util.Arrays.copyOfRange(wide, row, row + Sgemm.VL);
            assertArrayEquals(want, java.util.Arrays.copyOfRange(narrow, row, row + Sgemm.VL), "row " + i);
            // The second vector of each row is not its to write.
            assertArrayEquals(
                    java.util.Arrays.copyOfRange(before, row + Sgemm.VL, row + Sgemm.NR),
                    java.util.Arrays.copyOfRange(narrow, row + Sgemm.VL, row + Sgemm.NR),
                    "row " + i + " past one vector");
        }
    }
}
