package dev.whittle.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.kernels.PoolKernels;
import dev.whittle.kernels.PoolScalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * PoolVector against the scalar reference: inference max pooling is bit-identical (max does not round), average
 * pooling agrees to float rounding of ≤ k² terms, global average to rounding over HW terms. Shapes: batch 1 and
 * 3, channels 1, 3, 17, maps 1 to 13 and 32, windows 1–3, stride 1–3, padding 0–1, and partial plane ranges.
 */
class PoolVectorTest {
    static final PoolKernels VECTOR = new PoolVector();
    static final PoolKernels SCALAR = PoolKernels.SCALAR;

    @ParameterizedTest(name = "N{0} C{1} {2}x{3} k{4} s{5} p{6}")
    @CsvSource({
        "1,1,1,1,1,1,0",
        "3,1,5,5,2,2,0",
        "1,3,7,7,2,2,0",
        "2,17,7,7,2,2,0",
        "3,11,9,9,3,3,0",
        "3,3,9,13,3,2,1",
        "3,17,13,13,2,2,0",
        "1,17,5,9,3,1,1",
        "3,3,13,7,3,3,0",
        "3,17,14,14,2,2,0",
        "1,3,2,2,2,2,0",
        "3,3,10,6,2,2,0",
        "2,5,28,28,2,2,0",
        "1,1,32,32,2,2,0",
        "3,2,28,28,2,2,0",
        "1,3,13,13,2,1,1",
        "3,3,33,33,3,2,1"
    })
    void maxInferenceAndAverageMatchScalar(int batch, int channels, int h, int w, int k, int s, int p) {
        long seed = 100L * h + 10L * w + k + s + p + batch;
        int planes = batch * channels, P = PoolScalar.outSize(h, k, s, p), Q = PoolScalar.outSize(w, k, s, p);
        float[] x = Tensors.randn(seed, planes * h * w, 1.0);
        float[] xFinite = x.clone();
        x[x.length / 2] = Float.NaN; // one NaN window per call: it must come out NaN on both sides
        String what = "N" + batch + " C" + channels + " " + h + "x" + w + " k" + k + " s" + s + " p" + p;
        int pl1 = planes > 2 ? 1 : 0, pl2 = planes > 2 ? planes - 1 : planes;
        for (int[] r : new int[][] {{0, planes}, {pl1, pl2}}) {
            float[] y0 = Tensors.randn(seed + 1, planes * P * Q, 1.0);
            float[] ref = y0.clone(), got = y0.clone();
            SCALAR.maxForwardInference(h, w, k, s, p, x, ref, r[0], r[1]);
            VECTOR.maxForwardInference(h, w, k, s, p, x, got, r[0], r[1]);
            assertArrayEquals(ref, got, what + " max inference planes " + r[0] + ".." + r[1]);

            float[] trainY = y0.clone(), trainGot = y0.clone();
            int[] argmax = new int[trainY.length], argGot = new int[trainY.length];
            SCALAR.maxForward(h, w, k, s, p, x, trainY, argmax, r[0], r[1]);
            VECTOR.maxForward(h, w, k, s, p, x, trainGot, argGot, r[0], r[1]);
            assertArrayEquals(trainY, got, what + " inference max equals training max");
            assertArrayEquals(trainY, trainGot, what + " training max");
            assertArrayEquals(argmax, argGot, what + " training argmax");

            ref = y0.clone();
            got = y0.clone();
            SCALAR.avgForward(h, w, k, s, p, xFinite, ref, r[0], r[1]);
            VECTOR.avgForward(h, w, k, s, p, xFinite, got, r[0], r[1]);
            Tensors.assertClose(what + " avg", ref, got, Tensors.absTol((long) k * k, 1.0, 1.0));
            Tensors.assertUntouchedOutside(what + " avg planes", y0, got, r[0] * P * Q, r[1] * P * Q);
        }

        int hw = h * w;
        float[] xg = Tensors.randn(seed + 2, planes * hw, 1.0);
        float[] g0 = Tensors.randn(seed + 3, planes, 1.0), ref = g0.clone(), got = g0.clone();
        SCALAR.globalAvgForward(hw, xg, ref, pl1, pl2);
        VECTOR.globalAvgForward(hw, xg, got, pl1, pl2);
        Tensors.assertClose(what + " global avg", ref, got, Tensors.absTol(hw, 1.0, 1.0));
        float[] dx0 = Tensors.randn(seed + 4, planes * hw, 1.0), dRef = dx0.clone(), dGot = dx0.clone();
        SCALAR.globalAvgBackward(hw, g0, dRef, pl1, pl2);
        VECTOR.globalAvgBackward(hw, g0, dGot, pl1, pl2);
        Tensors.assertClose(what + " global avg backward", dRef, dGot, Tensors.absTol(1, 1.0, 1.0));
    }

    /**
     * A masked layer's alive planes (every third channel of 7 plus channel 1, over 37 images, so rounds of the
     * plane list end mid-plane), with ties, zeros and NaNs: values bit for bit and argmax as the reference pools each
     * listed plane; unlisted planes untouched. 7×7 → 3×3 (VGG-small's last pool), 14×14 2×2 and a padded 3×3 (the
     * fallback).
     */
    @ParameterizedTest(name = "{0}x{0} k{1} s{2} p{3}")
    @CsvSource({"7, 2, 2, 0", "14, 2, 2, 0", "6, 3, 1, 0", "5, 3, 2, 1"})
    void maxPoolOfListedPlanesMatchesTheReferencePlaneByPlane(int hw, int k, int s, int p) {
        int n = 37, c = 7, planes = n * c, h = hw, w = hw;
        int P = (h + 2 * p - k) / s + 1, Q = (w + 2 * p - k) / s + 1;
        float[] values = {-0f, 0f, 1f, 2f, Float.NaN, -1f};
        float[] x = new float[planes * h * w];
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        for (int i = 0; i < x.length; i++) x[i] = values[r.nextInt(values.length)];
        int[] alive = {0, 1, 3, 6};
        int[] list = new int[n * alive.length];
        for (int i = 0; i < list.length; i++) list[i] = (i / alive.length) * c + alive[i % alive.length];
        for (boolean training : new boolean[] {true, false}) {
            float[] yRef = new float[planes * P * Q], yGot = new float[planes * P * Q];
            java.util.Arrays.fill(yRef, 7f);
            java.util.Arrays.fill(yGot, 7f);
            int[] aRef = new int[yRef.length], aGot = new int[yRef.length];
            for (int plane : list) {
                if (training) SCALAR.maxForward(h, w, k, s, p, x, yRef, aRef, plane, plane + 1);
                else SCALAR.maxForwardInference(h, w, k, s, p, x, yRef, plane, plane + 1);
            }
            // Two calls that split the list mid-way, as two threads would.
            int half = list.length / 2 + 1;
            VECTOR.maxForwardPlanes(h, w, k, s, p, x, yGot, training ? aGot : null, list, 0, half);
            VECTOR.maxForwardPlanes(h, w, k, s, p, x, yGot, training ? aGot : null, list, half, list.length);
            for (int i = 0; i < yRef.length; i++) {
                String what = hw + "x" + hw + " k" + k + (training ? " training" : " inference") + " output " + i;
                assertEquals(Float.floatToRawIntBits(yRef[i]), Float.floatToRawIntBits(yGot[i]), what);
                assertEquals(aRef[i], aGot[i], what + " argmax");
            }
        }
    }

    @Test
    void trainingMaxPoolKeepsTheFirstOfTiedMaximaAndTheFirstNanLikeTheReference() {
        float[] plane = {1, 3, 3, 0, 2, 2, 3, 3, Float.NaN, 5, 0, 0, 9, Float.NaN, 0, 0};
        // Five planes (the plane rotated by its index): a whole vector block of outputs and a scalar tail.
        int planes = 5;
        float[] x = new float[planes * 16];
        for (int p = 0; p < planes; p++) for (int i = 0; i < 16; i++) x[p * 16 + i] = plane[(i + 5 * p) % 16];
        float[] yRef = new float[planes * 4], yGot = new float[planes * 4];
        int[] aRef = new int[planes * 4], aGot = new int[planes * 4];
        SCALAR.maxForward(4, 4, 2, 2, 0, x, yRef, aRef, 0, planes);
        VECTOR.maxForward(4, 4, 2, 2, 0, x, yGot, aGot, 0, planes);
        assertArrayEquals(yRef, yGot);
        assertArrayEquals(aRef, aGot);
    }

    /**
     * Every 2×2 window over {−0, +0, 1, 2, NaN} (5⁴ of them, side by side in one 2-row plane, then the same plane
     * cut into 10-wide rows): the training pool's value (bit for bit, so the sign of a zero counts) and argmax are the
     * reference's, whose scan order decides ties, zeros of both signs and NaNs.
     */
    @Test
    void trainingMaxPoolMatchesTheReferenceOnEveryWindowOfTiesZerosAndNans() {
        float[] values = {-0f, 0f, 1f, 2f, Float.NaN};
        int windows = 625, w = 2 * windows;
        float[] x = new float[2 * w];
        for (int t = 0; t < windows; t++) {
            x[2 * t] = values[t % 5];
            x[2 * t + 1] = values[t / 5 % 5];
            x[w + 2 * t] = values[t / 25 % 5];
            x[w + 2 * t + 1] = values[t / 125];
        }
        for (int[] shape : new int[][] {{2, w}, {250, 10}}) {
            int h = shape[0], width = shape[1], outs = (h / 2) * (width / 2);
            float[] flat = shape[0] == 2 ? x : relaid(x, w, width);
            float[] yRef = new float[outs], yGot = new float[outs];
            int[] aRef = new int[outs], aGot = new int[outs];
            SCALAR.maxForward(h, width, 2, 2, 0, flat, yRef, aRef, 0, 1);
            VECTOR.maxForward(h, width, 2, 2, 0, flat, yGot, aGot, 0, 1);
            for (int i = 0; i < outs; i++) {
                assertEquals(
                        Float.floatToRawIntBits(yRef[i]),
                        Float.floatToRawIntBits(yGot[i]),
                        h + "x" + width + " value " + i);
                assertEquals(aRef[i], aGot[i], h + "x" + width + " argmax " + i);
            }
        }
    }

    /** The 2-row plane's windows re-laid as rows of {@code width} columns (width / 2 windows per row pair). */
    private static float[] relaid(float[] x, int w, int width) {
        int perRow = width / 2;
        float[] out = new float[x.length];
        for (int t = 0; t < w / 2; t++) {
            int pair = t / perRow, col = 2 * (t % perRow), top = 2 * pair * width + col;
            out[top] = x[2 * t];
            out[top + 1] = x[2 * t + 1];
            out[top + width] = x[w + 2 * t];
            out[top + width + 1] = x[w + 2 * t + 1];
        }
        return out;
    }

    @Test
    void aNanAnywhereInAMaxWindowPropagatesAndOthersAreUnaffected() {
        int h = 6, w = 6;
        float[] x = Tensors.randn(7, h * w, 1.0);
        x[2 * w + 3] = Float.NaN; // window (1, 1) of a 2×2 stride-2 pool
        float[] y = new float[9];
        VECTOR.maxForwardInference(h, w, 2, 2, 0, x, y, 0, 1);
        for (int i = 0; i < 9; i++) assertTrue(Float.isNaN(y[i]) == (i == 4), "output " + i + " = " + y[i]);
    }
}
