package dev.whittle.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * BatchNormScalar over x (N,C,HW): training-mode gradients of the full batch-statistics function (mean and
 * variance depend on x), batch/running statistics, eval mode, range splitting and accumulation.
 */
class BatchNormScalarTest {
    private static final float EPS = 1e-5f;
    private static final float MOMENTUM = 0.1f;

    /** One shape with seeded data; x has per-channel offsets and a spread of ~1.5. */
    record Case(int n, int c, int hw) {
        @Override
        public String toString() {
            return "N" + n + " C" + c + " HW" + hw;
        }

        int size() {
            return n * c * hw;
        }

        float[] x() {
            float[] x = GradCheck.randn(31 + hashCode(), size(), 1.5);
            for (int i = 0; i < x.length; i++) x[i] += 0.7f * ((i / hw) % c) - 1f;
            return x;
        }

        float[] gamma() {
            return GradCheck.awayFromZero(32 + hashCode(), c, 0.5, 1.5);
        }

        float[] beta() {
            return GradCheck.randn(33 + hashCode(), c, 1.0);
        }

        float[] r() {
            return GradCheck.randn(34 + hashCode(), size(), 1.0);
        }
    }

    static Stream<Case> cases() {
        return Stream.of(new Case(2, 3, 49), new Case(3, 5, 9), new Case(2, 1, 81), new Case(3, 3, 1));
    }

    /** Training forward into fresh outputs; returns {y, mean, invStd}. Running stats go to throw-away copies. */
    private static float[][] train(Case k, float[] x, float[] gamma, float[] beta) {
        return train(k, x, gamma, beta, false);
    }

    /** {@link #train}, the output through the fused ReLU when {@code relu}. */
    private static float[][] train(Case k, float[] x, float[] gamma, float[] beta, boolean relu) {
        float[] y = new float[k.size()], mean = new float[k.c()], invStd = new float[k.c()];
        BatchNormScalar.forwardTrain(
                k.n(),
                k.c(),
                k.hw(),
                x,
                gamma,
                beta,
                y,
                mean,
                invStd,
                new float[k.c()],
                GradCheck.filled(k.c(), 1f),
                MOMENTUM,
                EPS,
                relu,
                0,
                k.c());
        return new float[][] {y, mean, invStd};
    }

    private static double[] channelMeanVar(Case k, float[] t, int c) {
        double s = 0, sq = 0;
        for (int n = 0; n < k.n(); n++) for (int i = 0; i < k.hw(); i++) s += t[(n * k.c() + c) * k.hw() + i];
        double mu = s / (k.n() * k.hw());
        for (int n = 0; n < k.n(); n++)
            for (int i = 0; i < k.hw(); i++) {
                double d = t[(n * k.c() + c) * k.hw() + i] - mu;
                sq += d * d;
            }
        return new double[] {mu, sq}; // sum of squared deviations, divide as needed
    }

    // ---------------------------------------------------------------- finite differences (training mode)

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bnTrainingBackwardDataMatchesFiniteDifferencesOfBatchStatisticFunction(Case k) {
        float[] x = k.x(), gamma = k.gamma(), beta = k.beta(), r = k.r();
        float[][] f = train(k, x, gamma, beta);
        float[] dx = new float[k.size()];
        BatchNormScalar.backward(
                k.n(), k.c(), k.hw(), x, r, gamma, f[1], f[2], dx, new float[k.c()], new float[k.c()], 0, k.c());
        GradCheck.assertGradient(
                "bn dx " + k, x, dx, () -> GradCheck.dot(train(k, x, gamma, beta)[0], r), GradCheck.H_BATCH_NORM);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bnTrainingBackwardGammaAndBetaMatchFiniteDifferences(Case k) {
        float[] x = k.x(), gamma = k.gamma(), beta = k.beta(), r = k.r();
        float[][] f = train(k, x, gamma, beta);
        float[] dGamma = new float[k.c()], dBeta = new float[k.c()];
        BatchNormScalar.backward(
                k.n(), k.c(), k.hw(), x, r, gamma, f[1], f[2], new float[k.size()], dGamma, dBeta, 0, k.c());
        GradCheck.assertGradient(
                "bn dgamma " + k,
                gamma,
                dGamma,
                () -> GradCheck.dot(train(k, x, gamma, beta)[0], r),
                GradCheck.H_BATCH_NORM);
        GradCheck.assertGradient(
                "bn dbeta " + k,
                beta,
                dBeta,
                () -> GradCheck.dot(train(k, x, gamma, beta)[0], r),
                GradCheck.H_BATCH_NORM);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bnTrainingDataGradientIsShiftInvariantAndScaleInvariantUpToEps(Case k) {
        // Shifting a channel of x leaves y unchanged, so Σ dx = 0 exactly. Scaling it by α changes y only through
        // eps: d/dα y = γ·x̂·eps·invStd², hence Σ dx·x̂ = γ·eps·invStd²·Σ dy·x̂ (0 if eps were 0). Both are
        // identities of the true gradient over every element of every channel. The eps term is below the float
        // tolerance (1e-5 of Σ|dx|·(1+|x̂|)), so this checks the two invariances, not eps itself; a missing
        // mean or variance term in dx breaks them at O(1).
        float[] x = k.x(), gamma = k.gamma(), beta = k.beta(), r = k.r();
        float[][] f = train(k, x, gamma, beta);
        float[] dx = new float[k.size()];
        BatchNormScalar.backward(
                k.n(), k.c(), k.hw(), x, r, gamma, f[1], f[2], dx, new float[k.c()], new float[k.c()], 0, k.c());
        for (int c = 0; c < k.c(); c++) {
            double s = 0, sx = 0, sdyx = 0, scale = 0;
            double is = f[2][c];
            for (int n = 0; n < k.n(); n++)
                for (int i = 0; i < k.hw(); i++) {
                    int j = (n * k.c() + c) * k.hw() + i;
                    double xh = (x[j] - f[1][c]) * is;
                    s += dx[j];
                    sx += dx[j] * xh;
                    sdyx += r[j] * xh;
                    scale += Math.abs(dx[j]) * (1 + Math.abs(xh));
                }
            double expectedSx = gamma[c] * EPS * is * is * sdyx;
            assertEquals(0, s, 1e-5 * scale, "channel " + c + ": Σ dx");
            assertEquals(expectedSx, sx, 1e-5 * scale, "channel " + c + ": Σ dx·x̂");
        }
    }

    // ---------------------------------------------------------------- statistics

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bnTrainingOutputHasPerChannelMeanBetaAndVarianceGammaSquared(Case k) {
        float[] x = k.x(), gamma = k.gamma(), beta = k.beta();
        float[][] f = train(k, x, gamma, beta);
        int m = k.n() * k.hw();
        for (int c = 0; c < k.c(); c++) {
            double[] ys = channelMeanVar(k, f[0], c), xs = channelMeanVar(k, x, c);
            assertEquals(beta[c], ys[0], 1e-5 * (1 + Math.abs(beta[c])), "mean of y, channel " + c);
            // biased var(y) = γ²·var/(var + eps), which is γ² to ~1e-5 since var(x) ≈ 2.25 ≫ eps
            double var = xs[1] / m, g2 = gamma[c] * gamma[c];
            assertEquals(g2 * var / (var + EPS), ys[1] / m, 1e-5 * g2, "var of y, channel " + c);
            assertEquals(g2, ys[1] / m, 1e-3 * g2, "var of y ≈ γ², channel " + c);
            assertEquals(xs[0], f[1][c], 1e-6 * (1 + Math.abs(xs[0])), "saved batch mean, channel " + c);
            double invStd = 1 / Math.sqrt(xs[1] / m + EPS); // biased variance + eps
            assertEquals(invStd, f[2][c], 1e-6 * invStd, "saved invStd, channel " + c);
        }
    }

    @Test
    void bnRunningStatsUpdateWithMomentumPointOneAndUnbiasedVariance() {
        // N=2, C=2, HW=2: channel 0 holds {1, 2 | 3, 6}: mean 3, Σ(x−μ)² = 14, unbiased var 14/3, biased 3.5.
        float[] x = {1, 2, -1, 1, 3, 6, 0, 4};
        float[] runMean = {0f, 0.5f}, runVar = {1f, 2f};
        float[] y = new float[8], mean = new float[2], invStd = new float[2];
        float[] gamma = {1, 1}, beta = {0, 0};
        BatchNormScalar.forwardTrain(2, 2, 2, x, gamma, beta, y, mean, invStd, runMean, runVar, MOMENTUM, EPS, 0, 2);
        assertEquals(0.3f, runMean[0], 1e-6f, "0.9·0 + 0.1·3");
        assertEquals(0.9 + 0.1 * 14.0 / 3.0, runVar[0], 1e-6, "0.9·1 + 0.1·(14/3), unbiased");
        // channel 1 holds {-1, 1 | 0, 4}: mean 1, Σ(x−μ)² = 4+0+1+9 = 14
        assertEquals(0.9f * 0.5f + 0.1f, runMean[1], 1e-6f);
        assertEquals(0.9 * 2 + 0.1 * 14.0 / 3.0, runVar[1], 1e-6);
        // and the normalisation itself uses the biased variance: invStd = 1/sqrt(3.5 + eps)
        assertEquals(1 / Math.sqrt(3.5 + 1e-5), invStd[0], 1e-7);
        // a second step compounds: running = 0.9·running + 0.1·batch
        BatchNormScalar.forwardTrain(2, 2, 2, x, gamma, beta, y, mean, invStd, runMean, runVar, MOMENTUM, EPS, 0, 2);
        assertEquals(0.9 * 0.3 + 0.3, runMean[0], 1e-6);
        assertEquals(0.9 * (0.9 + 0.1 * 14.0 / 3.0) + 0.1 * 14.0 / 3.0, runVar[0], 1e-6);
    }

    @Test
    void bnConstantChannelInTrainingGivesInvStdOfEpsAndOutputsBeta() {
        float[] x = GradCheck.filled(2 * 1 * 9, 2.5f);
        float[] y = new float[x.length], mean = new float[1], invStd = new float[1];
        float[] runMean = {0f}, runVar = {1f};
        BatchNormScalar.forwardTrain(
                2,
                1,
                9,
                x,
                new float[] {1.7f},
                new float[] {0.3f},
                y,
                mean,
                invStd,
                runMean,
                runVar,
                MOMENTUM,
                EPS,
                0,
                1);
        assertEquals(1 / Math.sqrt(1e-5), invStd[0], 1e-7 / Math.sqrt(1e-5), "invStd = 1/sqrt(0 + eps)");
        for (float v : y) assertEquals(0.3f, v, 1e-4f);
        assertEquals(0.9f, runVar[0], 1e-7f, "unbiased variance of a constant channel is 0");
        assertEquals(0.25f, runMean[0], 1e-7f);
    }

    @Test
    void bnEvalUsesRunningStatisticsAndEpsInsideTheSquareRoot() {
        // runVar = 1e-5 makes eps matter: 1/sqrt(1e-5 + 1e-5) differs from 1/sqrt(1e-5) by ~30 %.
        int n = 3, c = 2, hw = 4;
        float[] x = GradCheck.randn(41, n * c * hw, 1.0);
        float[] gamma = {1.5f, -0.5f}, beta = {0.25f, 2f}, runMean = {0.1f, -0.3f}, runVar = {1e-5f, 2.5f};
        float[] y = new float[x.length];
        BatchNormScalar.forwardEval(n, c, hw, x, gamma, beta, runMean, runVar, EPS, y, 0, c);
        double[] ref = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int ch = (i / hw) % c;
            ref[i] = gamma[ch] * (x[i] - runMean[ch]) / Math.sqrt((double) runVar[ch] + 1e-5) + beta[ch];
        }
        GradCheck.assertClose("eval y", ref, y, 1e-5);
        // Each image is normalised on its own: running image 1 alone gives the same numbers.
        float[] one = new float[c * hw], yOne = new float[c * hw];
        System.arraycopy(x, c * hw, one, 0, c * hw);
        BatchNormScalar.forwardEval(1, c, hw, one, gamma, beta, runMean, runVar, EPS, yOne, 0, c);
        for (int i = 0; i < c * hw; i++) assertEquals(y[c * hw + i], yOne[i], "image 1 element " + i);
    }

    @Test
    void bnEvalAfterTrainingOnAConstantStreamApproachesTrainingOutput() {
        // Many training steps on the same batch drive running stats to the batch stats (unbiased var), so eval
        // ≈ train up to the factor sqrt(M/(M−1)) between biased and unbiased variance.
        Case k = new Case(2, 3, 49);
        float[] x = k.x(), gamma = k.gamma(), beta = k.beta();
        float[] runMean = new float[3], runVar = GradCheck.filled(3, 1f);
        float[] yT = new float[k.size()], mean = new float[3], invStd = new float[3];
        for (int s = 0; s < 300; s++) {
            BatchNormScalar.forwardTrain(
                    2, 3, 49, x, gamma, beta, yT, mean, invStd, runMean, runVar, MOMENTUM, EPS, 0, 3);
        }
        float[] yE = new float[k.size()];
        BatchNormScalar.forwardEval(2, 3, 49, x, gamma, beta, runMean, runVar, EPS, yE, 0, 3);
        double f = Math.sqrt((k.n() * k.hw() - 1.0) / (k.n() * k.hw()));
        for (int i = 0; i < yE.length; i++) {
            int ch = (i / 49) % 3;
            double expected = beta[ch] + (yT[i] - beta[ch]) * f;
            assertEquals(expected, yE[i], 1e-4 * (1 + Math.abs(expected)), "element " + i);
        }
    }

    // ---------------------------------------------------------------- range splitting and accumulation

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bnForwardTrainAndEvalSplitOverChannelRangesAreBitwiseIdentical(Case k) {
        float[] x = k.x(), gamma = k.gamma(), beta = k.beta();
        float[] rm0 = GradCheck.randn(42, k.c(), 1.0), rv0 = GradCheck.uniform(43, k.c(), 0.5, 2.0);
        float[] y = new float[k.size()], mean = new float[k.c()], is = new float[k.c()];
        float[] rm = rm0.clone(), rv = rv0.clone(), yEval = new float[k.size()];
        BatchNormScalar.forwardTrain(
                k.n(), k.c(), k.hw(), x, gamma, beta, y, mean, is, rm, rv, MOMENTUM, EPS, 0, k.c());
        BatchNormScalar.forwardEval(k.n(), k.c(), k.hw(), x, gamma, beta, rm0, rv0, EPS, yEval, 0, k.c());
        for (int a = 0; a <= k.c(); a++) {
            float[] y2 = new float[k.size()], mean2 = new float[k.c()], is2 = new float[k.c()];
            float[] rm2 = rm0.clone(), rv2 = rv0.clone(), yEval2 = new float[k.size()];
            BatchNormScalar.forwardTrain(
                    k.n(), k.c(), k.hw(), x, gamma, beta, y2, mean2, is2, rm2, rv2, MOMENTUM, EPS, 0, a);
            for (int c = a; c < k.c(); c++) {
                assertEquals(rm0[c], rm2[c], "running mean of channel " + c + " touched by [0," + a + ")");
                assertEquals(rv0[c], rv2[c], "running var of channel " + c + " touched by [0," + a + ")");
            }
            BatchNormScalar.forwardTrain(
                    k.n(), k.c(), k.hw(), x, gamma, beta, y2, mean2, is2, rm2, rv2, MOMENTUM, EPS, a, k.c());
            BatchNormScalar.forwardEval(k.n(), k.c(), k.hw(), x, gamma, beta, rm0, rv0, EPS, yEval2, 0, a);
            BatchNormScalar.forwardEval(k.n(), k.c(), k.hw(), x, gamma, beta, rm0, rv0, EPS, yEval2, a, k.c());
            assertArrayEquals(y, y2, "train y split at channel " + a);
            assertArrayEquals(mean, mean2, "mean split at channel " + a);
            assertArrayEquals(is, is2, "invStd split at channel " + a);
            assertArrayEquals(rm, rm2, "running mean split at channel " + a);
            assertArrayEquals(rv, rv2, "running var split at channel " + a);
            assertArrayEquals(yEval, yEval2, "eval y split at channel " + a);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bnBackwardSplitOverChannelRangesIsBitwiseIdentical(Case k) {
        float[] x = k.x(), gamma = k.gamma(), beta = k.beta(), r = k.r();
        float[][] f = train(k, x, gamma, beta);
        float[] dx0 = GradCheck.randn(44, k.size(), 1.0), dg0 = GradCheck.randn(45, k.c(), 1.0);
        float[] db0 = GradCheck.randn(46, k.c(), 1.0);
        float[] dx = dx0.clone(), dg = dg0.clone(), db = db0.clone();
        BatchNormScalar.backward(k.n(), k.c(), k.hw(), x, r, gamma, f[1], f[2], dx, dg, db, 0, k.c());
        for (int a = 0; a <= k.c(); a++) {
            float[] dx2 = dx0.clone(), dg2 = dg0.clone(), db2 = db0.clone();
            BatchNormScalar.backward(k.n(), k.c(), k.hw(), x, r, gamma, f[1], f[2], dx2, dg2, db2, 0, a);
            BatchNormScalar.backward(k.n(), k.c(), k.hw(), x, r, gamma, f[1], f[2], dx2, dg2, db2, a, k.c());
            assertArrayEquals(dx, dx2, "dx split at channel " + a);
            assertArrayEquals(dg, dg2, "dgamma split at channel " + a);
            assertArrayEquals(db, db2, "dbeta split at channel " + a);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bnBackwardAccumulatesIntoNonZeroGradients(Case k) {
        float[] x = k.x(), gamma = k.gamma(), beta = k.beta(), r = k.r();
        float[][] f = train(k, x, gamma, beta);
        float[] dx0 = GradCheck.randn(47, k.size(), 1.0), dg0 = GradCheck.randn(48, k.c(), 1.0);
        float[] db0 = GradCheck.randn(49, k.c(), 1.0);
        float[] dxF = new float[k.size()], dgF = new float[k.c()], dbF = new float[k.c()];
        BatchNormScalar.backward(k.n(), k.c(), k.hw(), x, r, gamma, f[1], f[2], dxF, dgF, dbF, 0, k.c());
        float[] dx = dx0.clone(), dg = dg0.clone(), db = db0.clone();
        BatchNormScalar.backward(k.n(), k.c(), k.hw(), x, r, gamma, f[1], f[2], dx, dg, db, 0, k.c());
        GradCheck.assertAccumulated("dx", dx0, dxF, dx);
        GradCheck.assertAccumulated("dgamma", dg0, dgF, dg);
        GradCheck.assertAccumulated("dbeta", db0, dbF, db);
    }

    /**
     * The fused bn → relu of a training chain is exactly the two layers one after the other: forward, max(bn(x), 0)
     * bit for bit; backward, the batch norm's backward of the ReLU's gradient (dy where the output is positive).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bnWithFusedReluEqualsBatchNormThenReluForwardAndBackward(Case k) {
        float[] x = k.x(), gamma = k.gamma(), beta = k.beta(), r = k.r();
        float[][] f = train(k, x, gamma, beta);
        float[] relu = new float[k.size()];
        ElementwiseScalar.reluForward(f[0], relu, 0, relu.length);
        float[][] fusedOut = train(k, x, gamma, beta, true);
        float[] fused = fusedOut[0], mean = fusedOut[1], invStd = fusedOut[2];
        assertArrayEquals(relu, fused, "fused forward");
        int positive = 0, zero = 0;
        for (float v : fused)
            if (v > 0) positive++;
            else zero++;
        org.junit.jupiter.api.Assertions.assertTrue(
                positive > 0 && zero > 0, "the case must clip some outputs and pass others: " + positive + "/" + zero);

        float[] dRelu = new float[k.size()];
        ElementwiseScalar.reluBackward(relu, r, dRelu, 0, dRelu.length);
        float[] dx = GradCheck.randn(50, k.size(), 1.0), dg = GradCheck.randn(51, k.c(), 1.0);
        float[] db = GradCheck.randn(52, k.c(), 1.0);
        float[] dxF = dx.clone(), dgF = dg.clone(), dbF = db.clone();
        BatchNormScalar.backward(k.n(), k.c(), k.hw(), x, dRelu, gamma, f[1], f[2], dx, dg, db, 0, k.c());
        BatchNormScalar.backward(k.n(), k.c(), k.hw(), x, r, fused, gamma, mean, invStd, dxF, dgF, dbF, true, 0, k.c());
        assertArrayEquals(dx, dxF, "fused backward dx");
        assertArrayEquals(dg, dgF, "fused backward dgamma");
        assertArrayEquals(db, dbF, "fused backward dbeta");
    }

    /** Overwriting dx gives exactly what accumulating into zeros gives, and touches only channels [c0, c1). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bnBackwardOverwriteEqualsAccumulatingIntoZeros(Case k) {
        float[] x = k.x(), gamma = k.gamma(), beta = k.beta(), r = k.r();
        float[][] f = train(k, x, gamma, beta);
        float[] zeros = new float[k.size()];
        BatchNormScalar.backward(
                k.n(), k.c(), k.hw(), x, r, gamma, f[1], f[2], zeros, new float[k.c()], new float[k.c()], 0, k.c());
        float[] stale = GradCheck.randn(53, k.size(), 1.0), over = stale.clone();
        int c1 = Math.max(1, k.c() - 1);
        BatchNormScalar.backward(
                k.n(),
                k.c(),
                k.hw(),
                x,
                r,
                null,
                gamma,
                f[1],
                f[2],
                over,
                new float[k.c()],
                new float[k.c()],
                false,
                0,
                c1);
        for (int i = 0; i < over.length; i++) {
            boolean inRange = (i / k.hw()) % k.c() < c1;
            assertEquals(inRange ? zeros[i] : stale[i], over[i], "dx[" + i + "]");
        }
    }
}
