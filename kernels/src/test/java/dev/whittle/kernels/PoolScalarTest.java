package dev.whittle.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** PoolScalar: max, average (padding excluded from the divisor) and global average pooling over N·C planes. */
class PoolScalarTest {
    private static final int N = 2, C = 3, PLANES = N * C;

    record Case(int h, int w, int kernel, int stride, int pad) {
        @Override
        public String toString() {
            return h + "x" + w + " k" + kernel + " stride" + stride + " pad" + pad;
        }

        int p() {
            return PoolScalar.outSize(h, kernel, stride, pad);
        }

        int q() {
            return PoolScalar.outSize(w, kernel, stride, pad);
        }

        int xSize() {
            return PLANES * h * w;
        }

        int ySize() {
            return PLANES * p() * q();
        }

        float[] r() {
            return GradCheck.randn(51 + hashCode(), ySize(), 1.0);
        }
    }

    static Stream<Case> maxCases() {
        return Stream.of(
                new Case(7, 7, 2, 2, 0),
                new Case(9, 9, 2, 2, 0),
                new Case(7, 7, 3, 2, 1),
                new Case(9, 9, 3, 2, 1),
                new Case(7, 9, 3, 2, 1),
                new Case(9, 7, 3, 1, 1));
    }

    static Stream<Case> avgCases() {
        return Stream.of(
                new Case(7, 7, 3, 2, 1),
                new Case(9, 9, 3, 1, 1),
                new Case(7, 7, 2, 2, 0),
                new Case(9, 9, 5, 2, 2),
                new Case(9, 7, 3, 2, 1),
                new Case(7, 7, 3, 3, 1));
    }

    /** Distinct inputs spaced 0.05 apart: a ±1e-2 perturbation never changes which element is a maximum. */
    private static float[] maxInput(Case k) {
        return GradCheck.distinct(52 + k.hashCode(), k.xSize(), 0.05);
    }

    // ---------------------------------------------------------------- max pool

    @ParameterizedTest(name = "{0}")
    @MethodSource("maxCases")
    void maxPoolForwardMatchesNaiveWindowMaximumAndRecordsItsIndex(Case k) {
        float[] x = maxInput(k), y = new float[k.ySize()];
        int[] arg = new int[k.ySize()];
        PoolScalar.maxForward(k.h(), k.w(), k.kernel(), k.stride(), k.pad(), x, y, arg, 0, PLANES);
        for (int plane = 0; plane < PLANES; plane++)
            for (int p = 0; p < k.p(); p++)
                for (int q = 0; q < k.q(); q++) {
                    float best = Float.NEGATIVE_INFINITY;
                    int bi = -1;
                    for (int i = 0; i < k.kernel(); i++)
                        for (int j = 0; j < k.kernel(); j++) {
                            int ih = p * k.stride() - k.pad() + i, iw = q * k.stride() - k.pad() + j;
                            if (ih < 0 || ih >= k.h() || iw < 0 || iw >= k.w()) continue;
                            int xi = (plane * k.h() + ih) * k.w() + iw;
                            if (x[xi] > best) {
                                best = x[xi];
                                bi = xi;
                            }
                        }
                    int yi = (plane * k.p() + p) * k.q() + q;
                    assertEquals(best, y[yi], "max at plane " + plane + " (" + p + "," + q + ")");
                    assertEquals(bi, arg[yi], "argmax at plane " + plane + " (" + p + "," + q + ")");
                }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maxCases")
    void maxPoolBackwardMatchesFiniteDifferences(Case k) {
        float[] x = maxInput(k), r = k.r(), y = new float[k.ySize()], dx = new float[k.xSize()];
        int[] arg = new int[k.ySize()];
        PoolScalar.maxForward(k.h(), k.w(), k.kernel(), k.stride(), k.pad(), x, y, arg, 0, PLANES);
        PoolScalar.maxBackward(k.p() * k.q(), r, arg, dx, 0, PLANES);
        int[] scratch = new int[k.ySize()];
        GradCheck.assertGradient("maxpool dx " + k, x, dx, () -> {
            PoolScalar.maxForward(k.h(), k.w(), k.kernel(), k.stride(), k.pad(), x, y, scratch, 0, PLANES);
            return GradCheck.dot(y, r);
        });
    }

    @Test
    void maxPoolTwoByTwoStrideTwoOnOddSizeFloorsAndIgnoresLastRowAndColumn() {
        Case k = new Case(7, 7, 2, 2, 0);
        assertEquals(3, k.p());
        float[] x = maxInput(k), y = new float[k.ySize()], dx = new float[k.xSize()];
        int[] arg = new int[k.ySize()];
        for (int plane = 0; plane < PLANES; plane++)
            x[(plane * 7 + 6) * 7 + 6] = 1e6f; // huge, but outside every window
        PoolScalar.maxForward(7, 7, 2, 2, 0, x, y, arg, 0, PLANES);
        PoolScalar.maxBackward(9, GradCheck.filled(k.ySize(), 1f), arg, dx, 0, PLANES);
        for (float v : y) assertTrue(v < 1e6f);
        for (int plane = 0; plane < PLANES; plane++)
            for (int i = 0; i < 7; i++) {
                assertEquals(0f, dx[(plane * 7 + 6) * 7 + i], "row 6 gets no gradient");
                assertEquals(0f, dx[(plane * 7 + i) * 7 + 6], "column 6 gets no gradient");
            }
    }

    @Test
    void maxPoolIgnoresPaddingEvenWhenAllInputsAreNegative() {
        Case k = new Case(7, 7, 3, 2, 1);
        float[] x = GradCheck.uniform(53, k.xSize(), -5, -1), y = new float[k.ySize()];
        PoolScalar.maxForward(7, 7, 3, 2, 1, x, y, new int[k.ySize()], 0, PLANES);
        for (float v : y) assertTrue(v < -1f + 1e-6f, "padding (0) must never win a max, got " + v);
    }

    @Test
    void maxPoolNanAnywhereInWindowPropagatesWithArgmaxAtTheNanInTrainingAndInference() {
        // 4×4, 2×2 stride 2: the NaN sits in the second position of window (0, 1), after a larger value.
        float[] x = new float[16];
        for (int i = 0; i < 16; i++) x[i] = i;
        x[2] = 100f;
        x[3] = Float.NaN;
        float[] y = new float[4], yi = new float[4];
        int[] argmax = new int[4];
        PoolScalar.maxForward(4, 4, 2, 2, 0, x, y, argmax, 0, 1);
        PoolScalar.maxForwardInference(4, 4, 2, 2, 0, x, yi, 0, 1);
        assertTrue(Float.isNaN(y[1]) && Float.isNaN(yi[1]), "window with a NaN must give NaN");
        assertEquals(3, argmax[1], "argmax points at the NaN");
        assertEquals(5f, y[0]);
        assertArrayEquals(y, yi, "inference and training forward agree");
    }

    @Test
    void maxPoolTieGoesToFirstElementInWindowScanOrderAndConservesGradient() {
        // Like PyTorch's CPU kernel (strict '>'), a tie keeps the first maximum in row-major window order, so
        // exactly one input receives each output's gradient and results are deterministic.
        Case k = new Case(7, 7, 3, 2, 1);
        float[] x = GradCheck.filled(k.xSize(), 1.5f), y = new float[k.ySize()], dy = k.r();
        float[] dx = new float[k.xSize()];
        int[] arg = new int[k.ySize()];
        PoolScalar.maxForward(7, 7, 3, 2, 1, x, y, arg, 0, PLANES);
        for (int plane = 0; plane < PLANES; plane++)
            for (int p = 0; p < k.p(); p++)
                for (int q = 0; q < k.q(); q++) {
                    int ih = Math.max(0, 2 * p - 1), iw = Math.max(0, 2 * q - 1);
                    assertEquals((plane * 7 + ih) * 7 + iw, arg[(plane * k.p() + p) * k.q() + q]);
                }
        PoolScalar.maxBackward(k.p() * k.q(), dy, arg, dx, 0, PLANES);
        double sdy = 0, sdx = 0;
        for (float v : dy) sdy += v;
        for (float v : dx) sdx += v;
        assertEquals(sdy, sdx, 1e-5);
    }

    // ---------------------------------------------------------------- average pool

    @ParameterizedTest(name = "{0}")
    @MethodSource("avgCases")
    void avgPoolForwardMatchesNaiveMeanOverValidInputsOnly(Case k) {
        float[] x = GradCheck.randn(54, k.xSize(), 1.0), y = new float[k.ySize()];
        PoolScalar.avgForward(k.h(), k.w(), k.kernel(), k.stride(), k.pad(), x, y, 0, PLANES);
        double[] ref = new double[k.ySize()];
        for (int plane = 0; plane < PLANES; plane++)
            for (int p = 0; p < k.p(); p++)
                for (int q = 0; q < k.q(); q++) {
                    double s = 0;
                    int count = 0;
                    for (int i = 0; i < k.kernel(); i++)
                        for (int j = 0; j < k.kernel(); j++) {
                            int ih = p * k.stride() - k.pad() + i, iw = q * k.stride() - k.pad() + j;
                            if (ih < 0 || ih >= k.h() || iw < 0 || iw >= k.w()) continue;
                            s += x[(plane * k.h() + ih) * k.w() + iw];
                            count++;
                        }
                    ref[(plane * k.p() + p) * k.q() + q] = s / count;
                }
        GradCheck.assertClose("avg pool " + k, ref, y, 1e-6);
    }

    @Test
    void avgPoolCornerWindowDividesByFourValidInputsNotNine() {
        // 3x3 stride 2 pad 1: the top-left window covers only x[0..1][0..1].
        float[] x = new float[49];
        x[0] = 1;
        x[1] = 2;
        x[7] = 3;
        x[8] = 6;
        float[] y = new float[16];
        PoolScalar.avgForward(7, 7, 3, 2, 1, x, y, 0, 1);
        assertEquals(3f, y[0], 0f, "(1+2+3+6)/4");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("avgCases")
    void avgPoolBackwardMatchesFiniteDifferences(Case k) {
        float[] x = GradCheck.randn(55, k.xSize(), 1.0), r = k.r(), y = new float[k.ySize()];
        float[] dx = new float[k.xSize()];
        PoolScalar.avgBackward(k.h(), k.w(), k.kernel(), k.stride(), k.pad(), r, dx, 0, PLANES);
        GradCheck.assertGradient("avgpool dx " + k, x, dx, () -> {
            PoolScalar.avgForward(k.h(), k.w(), k.kernel(), k.stride(), k.pad(), x, y, 0, PLANES);
            return GradCheck.dot(y, r);
        });
    }

    // ---------------------------------------------------------------- global average pool

    @Test
    void globalAvgPoolForwardIsPlaneMeanAndBackwardMatchesFiniteDifferences() {
        for (int hw : new int[] {49, 81, 1}) {
            float[] x = GradCheck.randn(56 + hw, PLANES * hw, 1.0), r = GradCheck.randn(57, PLANES, 1.0);
            float[] y = new float[PLANES], dx = new float[x.length];
            PoolScalar.globalAvgForward(hw, x, y, 0, PLANES);
            double[] ref = new double[PLANES];
            for (int i = 0; i < x.length; i++) ref[i / hw] += x[i] / (double) hw;
            GradCheck.assertClose("global avg HW" + hw, ref, y, 1e-6);
            PoolScalar.globalAvgBackward(hw, r, dx, 0, PLANES);
            GradCheck.assertGradient("global avg dx HW" + hw, x, dx, () -> {
                PoolScalar.globalAvgForward(hw, x, y, 0, PLANES);
                return GradCheck.dot(y, r);
            });
        }
    }

    // ---------------------------------------------------------------- range splitting and accumulation

    @Test
    void poolsSplitOverPlaneRangesAreBitwiseIdentical() {
        Case k = new Case(9, 9, 3, 2, 1);
        float[] x = maxInput(k), dy = k.r(), dx0 = GradCheck.randn(58, k.xSize(), 1.0);
        float[] yMax = new float[k.ySize()], yAvg = new float[k.ySize()], yG = new float[PLANES];
        int[] arg = new int[k.ySize()];
        float[] dxMax = dx0.clone(), dxAvg = dx0.clone(), dxG = dx0.clone();
        PoolScalar.maxForward(9, 9, 3, 2, 1, x, yMax, arg, 0, PLANES);
        PoolScalar.maxBackward(k.p() * k.q(), dy, arg, dxMax, 0, PLANES);
        PoolScalar.avgForward(9, 9, 3, 2, 1, x, yAvg, 0, PLANES);
        PoolScalar.avgBackward(9, 9, 3, 2, 1, dy, dxAvg, 0, PLANES);
        PoolScalar.globalAvgForward(81, x, yG, 0, PLANES);
        PoolScalar.globalAvgBackward(81, dy, dxG, 0, PLANES);
        for (int a = 0; a <= PLANES; a++) {
            float[] yMax2 = new float[k.ySize()], yAvg2 = new float[k.ySize()], yG2 = new float[PLANES];
            int[] arg2 = new int[k.ySize()];
            float[] dxMax2 = dx0.clone(), dxAvg2 = dx0.clone(), dxG2 = dx0.clone();
            for (int[] range : new int[][] {{0, a}, {a, PLANES}}) {
                int lo = range[0], hi = range[1];
                PoolScalar.maxForward(9, 9, 3, 2, 1, x, yMax2, arg2, lo, hi);
                PoolScalar.maxBackward(k.p() * k.q(), dy, arg2, dxMax2, lo, hi);
                PoolScalar.avgForward(9, 9, 3, 2, 1, x, yAvg2, lo, hi);
                PoolScalar.avgBackward(9, 9, 3, 2, 1, dy, dxAvg2, lo, hi);
                PoolScalar.globalAvgForward(81, x, yG2, lo, hi);
                PoolScalar.globalAvgBackward(81, dy, dxG2, lo, hi);
            }
            assertArrayEquals(yMax, yMax2, "max y split at plane " + a);
            assertArrayEquals(arg, arg2, "argmax split at plane " + a);
            assertArrayEquals(dxMax, dxMax2, "max dx split at plane " + a);
            assertArrayEquals(yAvg, yAvg2, "avg y split at plane " + a);
            assertArrayEquals(dxAvg, dxAvg2, "avg dx split at plane " + a);
            assertArrayEquals(yG, yG2, "global y split at plane " + a);
            assertArrayEquals(dxG, dxG2, "global dx split at plane " + a);
        }
    }

    @Test
    void poolBackwardsAccumulateIntoNonZeroGradients() {
        Case k = new Case(7, 7, 3, 2, 1);
        float[] x = maxInput(k), dy = k.r(), dx0 = GradCheck.randn(59, k.xSize(), 1.0);
        int[] arg = new int[k.ySize()];
        PoolScalar.maxForward(7, 7, 3, 2, 1, x, new float[k.ySize()], arg, 0, PLANES);

        float[] fresh = new float[k.xSize()], acc = dx0.clone();
        PoolScalar.maxBackward(k.p() * k.q(), dy, arg, fresh, 0, PLANES);
        PoolScalar.maxBackward(k.p() * k.q(), dy, arg, acc, 0, PLANES);
        GradCheck.assertAccumulated("max dx", dx0, fresh, acc);

        fresh = new float[k.xSize()];
        acc = dx0.clone();
        PoolScalar.avgBackward(7, 7, 3, 2, 1, dy, fresh, 0, PLANES);
        PoolScalar.avgBackward(7, 7, 3, 2, 1, dy, acc, 0, PLANES);
        GradCheck.assertAccumulated("avg dx", dx0, fresh, acc);

        float[] dyG = GradCheck.randn(60, PLANES, 1.0);
        fresh = new float[k.xSize()];
        acc = dx0.clone();
        PoolScalar.globalAvgBackward(49, dyG, fresh, 0, PLANES);
        PoolScalar.globalAvgBackward(49, dyG, acc, 0, PLANES);
        GradCheck.assertAccumulated("global avg dx", dx0, fresh, acc);
    }
}
