package dev.whittle.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.whittle.kernels.Conv2dScalar;
import dev.whittle.kernels.ConvGeometry;
import dev.whittle.kernels.LinearScalar;
import dev.whittle.kernels.SparseKernels;
import dev.whittle.kernels.SparseRows;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sparse-weight kernels (scalar reference and Vector API) against the dense scalar kernels run on the same
 * weights with their zeros written out: awkward geometries (1×1 maps, primes, stride 2, padding, pointwise,
 * grouped, depthwise; batches up to 7 images), batches that do and do not fill a vector of images, and densities 0, 0.05, 0.5 and 1.
 * Each call runs on a sub-range of images and must leave the rest of y bit-identical. Tolerances: {@link Tensors}.
 */
class SparseKernelsTest {
    static final SparseKernels SCALAR = SparseKernels.scalar();
    static final SparseKernels VECTOR = new SparseVectorKernels();
    static final double[] DENSITIES = {0, 0.05, 0.5, 1};
    static final int VL = SparseVectorKernels.VL;

    static Stream<ConvGeometry> convCases() {
        return Stream.of(
                ConvGeometry.square(1, 1, 5, 5, 5, 3, 1, 1),
                ConvGeometry.square(3, 3, 7, 7, 17, 3, 1, 1),
                ConvGeometry.square(3, 17, 9, 9, 5, 3, 2, 1),
                ConvGeometry.square(2, 3, 13, 13, 7, 5, 1, 2),
                ConvGeometry.square(3, 5, 5, 5, 7, 5, 2, 2),
                ConvGeometry.square(1, 1, 1, 1, 1, 3, 1, 1),
                ConvGeometry.square(3, 17, 7, 7, 17, 1, 1, 0),
                ConvGeometry.square(3, 3, 9, 9, 5, 1, 2, 0),
                ConvGeometry.square(2, 32, 8, 8, 33, 3, 1, 1),
                new ConvGeometry(3, 6, 7, 7, 9, 3, 3, 1, 1, 1, 1, 3),
                new ConvGeometry(3, 5, 7, 7, 5, 3, 3, 1, 1, 1, 1, 5),
                ConvGeometry.square(7, 3, 7, 7, 5, 3, 1, 1),
                ConvGeometry.square(5, 4, 5, 5, 3, 1, 1, 0),
                new ConvGeometry(4, 6, 6, 6, 4, 3, 3, 1, 1, 1, 1, 2));
    }

    static float[] sparsify(float[] w, double density, long seed) {
        Random rnd = new Random(seed);
        float[] out = w.clone();
        for (int i = 0; i < out.length; i++) if (rnd.nextDouble() >= density) out[i] = 0f;
        return out;
    }

    @ParameterizedTest
    @MethodSource("convCases")
    void sparseConvMatchesDenseConvOnTheSameZeros(ConvGeometry g) {
        int crs = g.cPerGroup() * g.r() * g.s();
        float[] x = Tensors.randn(1, g.n() * g.c() * g.h() * g.w(), 1);
        float[] b = Tensors.randn(2, g.k(), 1);
        int yLen = g.n() * g.k() * g.p() * g.q();
        for (double d : DENSITIES) {
            float[] w = sparsify(Tensors.randn(3, g.weightSize(), 0.5), d, 4);
            SparseRows sw = SparseRows.fromDense(w, g.k(), crs);
            float[] expected = new float[yLen];
            Conv2dScalar.forward(g, x, w, b, expected, 0, g.n());
            int n0 = g.n() > 1 ? 1 : 0, from = n0 * g.k() * g.p() * g.q();
            for (SparseKernels k : new SparseKernels[] {SCALAR, VECTOR}) {
                String what = k.name() + " " + g + " density " + d;
                float[] y = Tensors.randn(5, yLen, 1);
                float[] before = y.clone();
                k.convForward(g, x, sw, b, y, n0, g.n());
                Tensors.assertClose(what, expected, y, from, yLen, Tensors.absTol(crs, 1, 0.5));
                Tensors.assertUntouchedOutside(what, before, y, from, yLen);
                float[] noBias = new float[yLen], expectedNoBias = new float[yLen];
                Conv2dScalar.forward(g, x, w, null, expectedNoBias, 0, g.n());
                k.convForward(g, x, sw, null, noBias, 0, g.n());
                Tensors.assertClose(what + " no bias", expectedNoBias, noBias, Tensors.absTol(crs, 1, 0.5));
            }
        }
    }

    @Test
    void sparseLinearMatchesDenseLinearAcrossBatchesAndDensities() {
        int[][] shapes = {{1, 1}, {17, 3}, {3, 17}, {256, 10}, {1021, 7}};
        int[] batches = {1, 3, VL - 1, VL, VL + 1, 2 * VL + 3};
        for (int[] s : shapes) {
            int in = s[0], out = s[1];
            for (int batch : batches) {
                float[] x = Tensors.randn(6, batch * in, 1);
                float[] b = Tensors.randn(7, out, 1);
                for (double d : DENSITIES) {
                    float[] w = sparsify(Tensors.randn(8, out * in, 0.5), d, 9);
                    SparseRows sw = SparseRows.fromDense(w, out, in);
                    float[] expected = new float[batch * out];
                    LinearScalar.forward(in, out, x, w, b, expected, 0, batch);
                    int n0 = batch > 1 ? 1 : 0;
                    for (SparseKernels k : new SparseKernels[] {SCALAR, VECTOR}) {
                        String what = k.name() + " linear " + in + "->" + out + " batch " + batch + " density " + d;
                        float[] y = Tensors.randn(10, batch * out, 1);
                        float[] before = y.clone();
                        k.linearForward(in, out, x, sw, b, y, n0, batch);
                        Tensors.assertClose(what, expected, y, n0 * out, batch * out, Tensors.absTol(in, 1, 0.5));
                        Tensors.assertUntouchedOutside(what, before, y, n0 * out, batch * out);
                    }
                }
            }
        }
    }

    @Test
    void sparseRowsStoreExactlyTheNonzerosAndRoundTrip() {
        float[] w = sparsify(Tensors.randn(11, 7 * 13, 1), 0.3, 12);
        SparseRows s = SparseRows.fromDense(w, 7, 13);
        int nnz = 0;
        for (float v : w) if (v != 0f) nnz++;
        assertEquals(nnz, s.nnz());
        assertEquals((double) nnz / w.length, s.density(), 1e-12);
        assertEquals(4L * 8 + 8L * nnz, s.bytes());
        assertArrayEquals(w, s.toDense());
        for (int r = 0; r < 7; r++)
            for (int j = s.rowStart[r] + 1; j < s.rowStart[r + 1]; j++)
                if (s.col[j] <= s.col[j - 1]) throw new AssertionError("columns not increasing in row " + r);
    }

    @Test
    void mismatchedSparseShapesAreRejectedWithBothShapes() {
        SparseRows s = SparseRows.fromDense(new float[12], 3, 4);
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> SCALAR.linearForward(5, 3, new float[5], s, null, new float[3], 0, 1));
        assertEquals("sparse linear: expected sparse weights 3 x 5 but found 3 x 4", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SparseRows.fromDense(new float[11], 3, 4));
    }
}
