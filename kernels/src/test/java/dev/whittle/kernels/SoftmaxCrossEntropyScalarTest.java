package dev.whittle.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** SoftmaxCrossEntropyScalar: mean loss over the batch and its gradient (softmax − onehot)/N. */
class SoftmaxCrossEntropyScalarTest {
    private static final int N = 3, K = 5;
    private final float[] logits = GradCheck.randn(81, N * K, 2.0);
    private final int[] labels = {4, 0, 2};

    private static double meanLoss(int classes, float[] z, int[] lab, int batch) {
        float[] loss = new float[batch];
        SoftmaxCrossEntropyScalar.forwardBackward(classes, z, lab, loss, null, batch, 0, batch);
        double s = 0;
        for (float l : loss) s += l;
        return s / batch;
    }

    @Test
    void softmaxCrossEntropyLossMatchesNaiveLogSumExp() {
        float[] loss = new float[N];
        SoftmaxCrossEntropyScalar.forwardBackward(K, logits, labels, loss, new float[N * K], N, 0, N);
        for (int n = 0; n < N; n++) {
            double s = 0;
            for (int k = 0; k < K; k++) s += Math.exp(logits[n * K + k]);
            assertEquals(Math.log(s) - logits[n * K + labels[n]], loss[n], 1e-6, "row " + n);
        }
    }

    @Test
    void softmaxCrossEntropyGradientMatchesFiniteDifferencesOfMeanLoss() {
        float[] dz = new float[N * K];
        SoftmaxCrossEntropyScalar.forwardBackward(K, logits, labels, new float[N], dz, N, 0, N);
        GradCheck.assertGradient("softmax CE dlogits", logits, dz, () -> meanLoss(K, logits, labels, N));
    }

    @Test
    void softmaxCrossEntropyGradientIsSoftmaxMinusOneHotOverBatchAndRowsSumToZero() {
        float[] dz = new float[N * K];
        SoftmaxCrossEntropyScalar.forwardBackward(K, logits, labels, new float[N], dz, N, 0, N);
        for (int n = 0; n < N; n++) {
            double s = 0, rowSum = 0;
            for (int k = 0; k < K; k++) s += Math.exp(logits[n * K + k]);
            for (int k = 0; k < K; k++) {
                double expected = (Math.exp(logits[n * K + k]) / s - (k == labels[n] ? 1 : 0)) / N;
                assertEquals(expected, dz[n * K + k], 1e-7, "row " + n + " class " + k);
                rowSum += dz[n * K + k];
            }
            assertEquals(0, rowSum, 1e-7, "row " + n + " sums to zero");
        }
    }

    @Test
    void softmaxCrossEntropyIsFiniteAndStableForLogitsOfPlusMinusTenThousand() {
        float[] z = {1e4f, -1e4f, 0f, 1e4f, -1e4f, -1e4f};
        int[] lab = {1, 0};
        float[] loss = new float[2], dz = new float[6];
        SoftmaxCrossEntropyScalar.forwardBackward(3, z, lab, loss, dz, 2, 0, 2);
        for (float v : loss) assertTrue(Float.isFinite(v), "loss " + v);
        for (float v : dz) assertTrue(Float.isFinite(v), "gradient " + v);
        assertEquals(2e4f, loss[0], 1f, "label logit 2e4 below the max");
        assertEquals(0f, loss[1], 1e-6f, "label is the max by a margin of 2e4");
        assertArrayEquals(new float[] {0.5f, -0.5f, 0f, 0f, 0f, 0f}, dz, 1e-7f);
    }

    @Test
    void softmaxCrossEntropyOfUniformLogitsIsLnK() {
        for (int k : new int[] {2, 3, 10, 1000}) {
            for (float v : new float[] {0f, -3.5f, 1e4f}) {
                float[] z = GradCheck.filled(2 * k, v), loss = new float[2], dz = new float[2 * k];
                SoftmaxCrossEntropyScalar.forwardBackward(k, z, new int[] {0, k - 1}, loss, dz, 2, 0, 2);
                assertEquals(Math.log(k), loss[0], 1e-6 * Math.log(k) + 1e-7, "K=" + k + " logits " + v);
                assertEquals(Math.log(k), loss[1], 1e-6 * Math.log(k) + 1e-7, "K=" + k + " logits " + v);
                assertEquals((1.0 / k - 1) / 2, dz[0], 1e-7);
                assertEquals(1.0 / k / 2, dz[1], 1e-7);
            }
        }
    }

    @Test
    void softmaxCrossEntropyRejectsOutOfRangeLabelNamingItsIndex() {
        for (int bad : new int[] {K, -1, 99}) {
            int[] lab = {0, bad, 1};
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> SoftmaxCrossEntropyScalar.forwardBackward(
                            K, logits, lab, new float[N], new float[N * K], N, 0, N));
            assertTrue(e.getMessage().contains("label[1]"), "message names the index: " + e.getMessage());
            assertTrue(e.getMessage().contains(String.valueOf(bad)), "message names the value: " + e.getMessage());
        }
    }

    @Test
    void softmaxCrossEntropySplitOverRowRangesIsBitwiseIdentical() {
        float[] loss = new float[N], dz = new float[N * K];
        SoftmaxCrossEntropyScalar.forwardBackward(K, logits, labels, loss, dz, N, 0, N);
        for (int a = 0; a <= N; a++) {
            float[] loss2 = GradCheck.filled(N, Float.NaN), dz2 = GradCheck.filled(N * K, Float.NaN);
            SoftmaxCrossEntropyScalar.forwardBackward(K, logits, labels, loss2, dz2, N, 0, a);
            for (int i = a * K; i < N * K; i++) assertTrue(Float.isNaN(dz2[i]), "row outside range written at " + i);
            SoftmaxCrossEntropyScalar.forwardBackward(K, logits, labels, loss2, dz2, N, a, N);
            assertArrayEquals(loss, loss2, "loss split at row " + a);
            assertArrayEquals(dz, dz2, "dlogits split at row " + a);
        }
    }

    @Test
    void argmaxPicksLargestLogitWithTiesToLowestIndex() {
        float[] z = {1f, 3f, 3f, -2f, 0f, 0f, 0f, 0f};
        assertEquals(1, SoftmaxCrossEntropyScalar.argmax(4, z, 0));
        assertEquals(0, SoftmaxCrossEntropyScalar.argmax(4, z, 1));
    }
}
