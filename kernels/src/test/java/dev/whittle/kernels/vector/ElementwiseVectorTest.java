package dev.whittle.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.whittle.kernels.ElementwiseKernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ElementwiseVector is bit-identical to the scalar reference (no reordering: one operation per element), on
 * lengths around the vector width and ranges starting off a vector boundary, with NaN, ±0 and ±∞ in the input.
 */
class ElementwiseVectorTest {
    static final ElementwiseKernels VECTOR = new ElementwiseVector();
    static final ElementwiseKernels SCALAR = ElementwiseKernels.SCALAR;

    static float[] withSpecials(long seed, int n) {
        float[] a = Tensors.randn(seed, n, 1.0);
        float[] specials = {Float.NaN, 0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int i = 0; i < n; i += 7) a[i] = specials[(i / 7) % specials.length];
        return a;
    }

    static void assertBits(String what, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(
                    Float.floatToRawIntBits(expected[i]),
                    Float.floatToRawIntBits(actual[i]),
                    what + " element " + i + ": expected " + expected[i] + " but was " + actual[i]);
        }
    }

    @ParameterizedTest(name = "length {0}")
    @ValueSource(ints = {1, 5, 15, 16, 17, 33, 100, 1031})
    void reluMaskAddAndAccumulateAreBitIdenticalToScalar(int n) {
        float[] x = withSpecials(n, n), dy = withSpecials(n + 1, n), other = withSpecials(n + 2, n);
        int[][] ranges = {{0, n}, {Math.min(1, n), Math.max(Math.min(1, n), n - 2)}};
        for (int[] r : ranges) {
            String what = "n" + n + " [" + r[0] + "," + r[1] + ")";
            float[] y0 = Tensors.randn(n + 3, n, 1.0);
            float[] yRef = y0.clone(), yGot = y0.clone();
            SCALAR.reluForward(x, yRef, r[0], r[1]);
            VECTOR.reluForward(x, yGot, r[0], r[1]);
            assertBits(what + " relu forward", yRef, yGot);

            float[] dxRef = other.clone(), dxGot = other.clone();
            SCALAR.reluBackward(yRef, dy, dxRef, r[0], r[1]);
            VECTOR.reluBackward(yRef, dy, dxGot, r[0], r[1]);
            assertBits(what + " relu backward", dxRef, dxGot);

            // The mask into a gradient nobody else writes: reluBackward into zeros, and nothing outside the range.
            float[] maskRef = other.clone(), maskGot = other.clone(), zeros = new float[n];
            SCALAR.reluMask(yRef, dy, maskRef, r[0], r[1]);
            VECTOR.reluMask(yRef, dy, maskGot, r[0], r[1]);
            SCALAR.reluBackward(yRef, dy, zeros, r[0], r[1]);
            for (int i = 0; i < n; i++) if (i < r[0] || i >= r[1]) zeros[i] = other[i];
            assertBits(what + " relu mask", maskRef, maskGot);
            float[] maskPlusZero = maskRef.clone(); // 0 + (−0) is +0: compare up to the sign of zero
            for (int i = 0; i < n; i++) {
                maskPlusZero[i] += 0f;
                zeros[i] += 0f;
            }
            assertBits(what + " relu mask is the backward into zeros", zeros, maskPlusZero);

            float[] aRef = y0.clone(), aGot = y0.clone();
            SCALAR.add(x, other, aRef, r[0], r[1]);
            VECTOR.add(x, other, aGot, r[0], r[1]);
            assertBits(what + " add", aRef, aGot);

            float[] accRef = other.clone(), accGot = other.clone();
            SCALAR.accumulate(dy, accRef, r[0], r[1]);
            VECTOR.accumulate(dy, accGot, r[0], r[1]);
            assertBits(what + " accumulate", accRef, accGot);
        }
    }
}
