package dev.whittle.kernels.vector;

import dev.whittle.kernels.NormKernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * BatchNormVector against the scalar reference on awkward shapes (batch 1 and 3, channels 1, 3, 17, maps 1×1 to
 * 13×13, and a long 32×32 one), full and partial channel ranges. Tolerances: outputs are O(1) (normalised, γ≈1),
 * statistics are sums of M = N·HW terms done in double per row on both sides, so 1e-4 relative plus
 * {@link Tensors#absTol} over M covers float rounding; a wrong channel or missing term is off by O(1).
 */
class BatchNormVectorTest {
    static final NormKernels VECTOR = new BatchNormVector();
    static final NormKernels SCALAR = NormKernels.SCALAR;

    @ParameterizedTest(name = "N{0} C{1} HW{2}")
    @CsvSource({"1,1,1", "3,1,25", "1,3,49", "3,3,81", "3,17,169", "1,17,1", "3,17,7", "2,5,1024"})
    void trainEvalAndBackwardMatchScalar(int batch, int channels, int hw) {
        long seed = 1000L * batch + 31L * channels + hw;
        int size = batch * channels * hw, m = batch * hw;
        // An offset mean and scale make the statistics non-trivial.
        float[] x = Tensors.randn(seed, size, 2.0);
        for (int i = 0; i < size; i++) x[i] += 0.5f;
        float[] gamma = Tensors.randn(seed + 1, channels, 0.5), beta = Tensors.randn(seed + 2, channels, 0.5);
        for (int c = 0; c < channels; c++) gamma[c] += 1f;
        float[] dy = Tensors.randn(seed + 3, size, 1.0);
        String what = "N" + batch + " C" + channels + " HW" + hw;
        int c1 = channels > 2 ? 1 : 0, c2 = channels > 2 ? channels - 1 : channels;
        double tol = Tensors.absTol(m, 2.0, 2.0);

        for (int[] r : new int[][] {{0, channels}, {c1, c2}}) {
            for (boolean relu : new boolean[] {false, true}) {
                String how = what + (relu ? " with fused relu" : "");
                float[] y0 = Tensors.randn(seed + 4, size, 1.0);
                float[] yRef = y0.clone(), yGot = y0.clone();
                float[] meanRef = new float[channels], meanGot = new float[channels];
                float[] isRef = new float[channels], isGot = new float[channels];
                float[] rmRef = Tensors.randn(seed + 5, channels, 0.1), rmGot = rmRef.clone();
                float[] rvRef = Tensors.filled(channels, 1f), rvGot = rvRef.clone();
                SCALAR.forwardTrain(
                        batch, channels, hw, x, gamma, beta, yRef, meanRef, isRef, rmRef, rvRef, 0.1f, 1e-5f, relu,
                        r[0], r[1]);
                VECTOR.forwardTrain(
                        batch, channels, hw, x, gamma, beta, yGot, meanGot, isGot, rmGot, rvGot, 0.1f, 1e-5f, relu,
                        r[0], r[1]);
                Tensors.assertClose(how + " train y", yRef, yGot, tol);
                Tensors.assertClose(how + " mean", meanRef, meanGot, tol);
                Tensors.assertClose(how + " invStd", isRef, isGot, tol);
                Tensors.assertClose(how + " running mean", rmRef, rmGot, tol);
                Tensors.assertClose(how + " running var", rvRef, rvGot, tol);
                assertOnlyChannelsChanged(how + " train y", y0, yGot, channels, hw, r[0], r[1]);

                float[] eRef = y0.clone(), eGot = y0.clone();
                SCALAR.forwardEval(batch, channels, hw, x, gamma, beta, rmRef, rvRef, 1e-5f, eRef, r[0], r[1]);
                VECTOR.forwardEval(batch, channels, hw, x, gamma, beta, rmRef, rvRef, 1e-5f, eGot, r[0], r[1]);
                Tensors.assertClose(how + " eval y", eRef, eGot, tol);

                // Both sides mask dy by the same (reference) output, so a sign flip near zero cannot split them.
                float[] yMask = relu ? yRef : null;
                float[] dx0 = Tensors.randn(seed + 6, size, 1.0);
                float[] dxRef = dx0.clone(), dxGot = dx0.clone();
                float[] dgRef = Tensors.randn(seed + 7, channels, 1.0), dgGot = dgRef.clone();
                float[] dbRef = Tensors.randn(seed + 8, channels, 1.0), dbGot = dbRef.clone();
                SCALAR.backward(
                        batch, channels, hw, x, dy, yMask, gamma, meanRef, isRef, dxRef, dgRef, dbRef, true, r[0],
                        r[1]);
                VECTOR.backward(
                        batch, channels, hw, x, dy, yMask, gamma, meanRef, isRef, dxGot, dgGot, dbGot, true, r[0],
                        r[1]);
                double tolB = Tensors.absTol(m, 2.0, 1.0);
                Tensors.assertClose(how + " dx", dxRef, dxGot, tolB);
                Tensors.assertClose(how + " dgamma", dgRef, dgGot, tolB);
                Tensors.assertClose(how + " dbeta", dbRef, dbGot, tolB);
                // Overwriting: bit for bit the same kernel's sum into zeros, and nothing outside the range.
                float[] intoZeros = new float[size], over = dx0.clone();
                VECTOR.backward(
                        batch,
                        channels,
                        hw,
                        x,
                        dy,
                        yMask,
                        gamma,
                        meanRef,
                        isRef,
                        intoZeros,
                        new float[channels],
                        new float[channels],
                        true,
                        r[0],
                        r[1]);
                VECTOR.backward(
                        batch,
                        channels,
                        hw,
                        x,
                        dy,
                        yMask,
                        gamma,
                        meanRef,
                        isRef,
                        over,
                        new float[channels],
                        new float[channels],
                        false,
                        r[0],
                        r[1]);
                for (int i = 0; i < size; i++) {
                    int c = (i / hw) % channels;
                    float want = c >= r[0] && c < r[1] ? intoZeros[i] : dx0[i];
                    org.junit.jupiter.api.Assertions.assertEquals(want, over[i], how + " overwritten dx[" + i + "]");
                }

                int[] list = {r[0], r[1] - 1};
                int count = r[1] - r[0] >= 2 ? 2 : 1;
                float[] aRef = x.clone(), aGot = x.clone();
                int lo = batch > 1 ? 1 : 0;
                SCALAR.affineInPlace(channels, hw, aRef, gamma, beta, relu, list, count, lo, batch);
                VECTOR.affineInPlace(channels, hw, aGot, gamma, beta, relu, list, count, lo, batch);
                Tensors.assertClose(how + " affine", aRef, aGot, Tensors.absTol(2, 2.0, 1.0));
            }
        }
    }

    /**
     * The one-pass moments (deviations from the channel's first element) keep the variance of a channel whose mean is
     * 10⁵ standard deviations from zero, where Σx² − (Σx)²/M in float would cancel every digit: the batch mean and
     * invStd and the running statistics match the two-pass reference to 1e-4 relative. (Not y: x·scale + shift
     * itself cancels five digits on such a channel, in both implementations, and they round the product apart.)
     */
    @org.junit.jupiter.api.Test
    void aChannelFarFromZeroKeepsItsVariance() {
        int batch = 3, channels = 2, hw = 49, size = batch * channels * hw;
        float[] x = Tensors.randn(77, size, 0.01);
        for (int i = 0; i < size; i++) x[i] += (i / hw) % channels == 0 ? 1000f : -3f;
        float[] gamma = Tensors.filled(channels, 1f), beta = new float[channels];
        float[][] ref = new float[5][], got = new float[5][];
        for (float[][] out : new float[][][] {ref, got}) {
            float[] y = new float[size], mean = new float[channels], invStd = new float[channels];
            float[] rm = new float[channels], rv = Tensors.filled(channels, 1f);
            (out == ref ? SCALAR : VECTOR)
                    .forwardTrain(
                            batch, channels, hw, x, gamma, beta, y, mean, invStd, rm, rv, 0.1f, 1e-5f, false, 0,
                            channels);
            out[0] = y;
            out[1] = mean;
            out[2] = invStd;
            out[3] = rm;
            out[4] = rv;
        }
        String[] names = {"y", "mean", "invStd", "running mean", "running var"};
        for (int t = 1; t < 5; t++) {
            for (int i = 0; i < ref[t].length; i++) {
                double tol = 1e-4 * Math.max(1, Math.abs(ref[t][i]));
                org.junit.jupiter.api.Assertions.assertEquals(ref[t][i], got[t][i], tol, names[t] + "[" + i + "]");
            }
        }
    }

    /** Elements of channels outside [c0, c1) are bit-identical to before: a ranged call wrote nothing else. */
    private static void assertOnlyChannelsChanged(
            String what, float[] before, float[] after, int channels, int hw, int c0, int c1) {
        for (int i = 0; i < before.length; i++) {
            int c = (i / hw) % channels;
            if (c >= c0 && c < c1) continue;
            if (Float.floatToRawIntBits(before[i]) != Float.floatToRawIntBits(after[i]))
                org.junit.jupiter.api.Assertions.fail(
                        what + ": element " + i + " of channel " + c + " outside [" + c0 + ", " + c1 + ") changed");
        }
    }
}
