package dev.whittle.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** LinearScalar: y = x·wᵀ + b with x (N,IN), w (OUT,IN). */
class LinearScalarTest {
    private static final int N = 3, IN = 7, OUT = 5;
    private final float[] x = GradCheck.randn(1, N * IN, 1.0);
    private final float[] w = GradCheck.randn(2, OUT * IN, 0.5);
    private final float[] b = GradCheck.randn(3, OUT, 0.5);
    private final float[] r = GradCheck.randn(4, N * OUT, 1.0);
    private final float[] y = new float[N * OUT];

    private double loss() {
        LinearScalar.forward(IN, OUT, x, w, b, y, 0, N);
        return GradCheck.dot(y, r);
    }

    @Test
    void linearForwardMatchesNaiveDotProducts() {
        float[] out = GradCheck.filled(N * OUT, Float.NaN);
        LinearScalar.forward(IN, OUT, x, w, b, out, 0, N);
        double[] ref = new double[N * OUT], refNoBias = new double[N * OUT];
        for (int n = 0; n < N; n++)
            for (int o = 0; o < OUT; o++) {
                double s = 0;
                for (int i = 0; i < IN; i++) s += (double) x[n * IN + i] * w[o * IN + i];
                refNoBias[n * OUT + o] = s;
                ref[n * OUT + o] = s + b[o];
            }
        GradCheck.assertClose("y", ref, out, 1e-6);
        LinearScalar.forward(IN, OUT, x, w, null, out, 0, N);
        GradCheck.assertClose("y without bias", refNoBias, out, 1e-6);
    }

    @Test
    void linearBackwardDataMatchesFiniteDifferences() {
        float[] dx = new float[N * IN];
        LinearScalar.backwardData(IN, OUT, r, w, dx, 0, N);
        GradCheck.assertGradient("linear dx", x, dx, this::loss);
    }

    @Test
    void linearBackwardWeightsMatchesFiniteDifferences() {
        float[] dw = new float[OUT * IN], db = new float[OUT];
        LinearScalar.backwardWeights(N, IN, OUT, x, r, dw, db, 0, OUT);
        GradCheck.assertGradient("linear dw", w, dw, this::loss);
    }

    @Test
    void linearBackwardBiasMatchesFiniteDifferences() {
        float[] dw = new float[OUT * IN], db = new float[OUT];
        LinearScalar.backwardWeights(N, IN, OUT, x, r, dw, db, 0, OUT);
        GradCheck.assertGradient("linear db", b, db, this::loss);
    }

    @Test
    void linearBackwardSkipsNothingWhenSomeUpstreamGradientsAreExactlyZero() {
        // The kernels skip rows with dy == 0; the bias gradient must still be the full column sum.
        float[] dy = r.clone();
        dy[0] = 0f;
        dy[OUT + 2] = 0f;
        dy[2 * OUT + 4] = 0f;
        float[] dw = new float[OUT * IN], db = new float[OUT], dx = new float[N * IN];
        LinearScalar.backwardWeights(N, IN, OUT, x, dy, dw, db, 0, OUT);
        LinearScalar.backwardData(IN, OUT, dy, w, dx, 0, N);
        double[] dwRef = new double[OUT * IN], dbRef = new double[OUT], dxRef = new double[N * IN];
        for (int n = 0; n < N; n++)
            for (int o = 0; o < OUT; o++) {
                dbRef[o] += dy[n * OUT + o];
                for (int i = 0; i < IN; i++) {
                    dwRef[o * IN + i] += (double) dy[n * OUT + o] * x[n * IN + i];
                    dxRef[n * IN + i] += (double) dy[n * OUT + o] * w[o * IN + i];
                }
            }
        GradCheck.assertClose("dw", dwRef, dw, 1e-6);
        GradCheck.assertClose("db", dbRef, db, 1e-6);
        GradCheck.assertClose("dx", dxRef, dx, 1e-6);
    }

    @Test
    void linearForwardAndBackwardDataSplitOverRowRangesAreBitwiseIdentical() {
        float[] yFull = new float[N * OUT], dx0 = GradCheck.randn(5, N * IN, 1.0), dxFull = dx0.clone();
        LinearScalar.forward(IN, OUT, x, w, b, yFull, 0, N);
        LinearScalar.backwardData(IN, OUT, r, w, dxFull, 0, N);
        for (int a = 0; a <= N; a++) {
            float[] ys = GradCheck.filled(N * OUT, Float.NaN), dxs = dx0.clone();
            LinearScalar.forward(IN, OUT, x, w, b, ys, 0, a);
            LinearScalar.backwardData(IN, OUT, r, w, dxs, 0, a);
            for (int i = a * OUT; i < ys.length; i++) assertTrue(Float.isNaN(ys[i]), "y row touched at " + i);
            for (int i = a * IN; i < dxs.length; i++) assertEquals(dx0[i], dxs[i], "dx row touched at " + i);
            LinearScalar.forward(IN, OUT, x, w, b, ys, a, N);
            LinearScalar.backwardData(IN, OUT, r, w, dxs, a, N);
            assertArrayEquals(yFull, ys, "y split at row " + a);
            assertArrayEquals(dxFull, dxs, "dx split at row " + a);
        }
    }

    @Test
    void linearBackwardWeightsSplitOverOutputRangesIsBitwiseIdentical() {
        float[] dw0 = GradCheck.randn(6, OUT * IN, 1.0), db0 = GradCheck.randn(7, OUT, 1.0);
        float[] dwFull = dw0.clone(), dbFull = db0.clone();
        LinearScalar.backwardWeights(N, IN, OUT, x, r, dwFull, dbFull, 0, OUT);
        for (int a = 0; a <= OUT; a++) {
            float[] dw = dw0.clone(), db = db0.clone();
            LinearScalar.backwardWeights(N, IN, OUT, x, r, dw, db, 0, a);
            for (int i = a * IN; i < dw.length; i++) assertEquals(dw0[i], dw[i], "dw touched at " + i);
            for (int i = a; i < OUT; i++) assertEquals(db0[i], db[i], "db touched at " + i);
            LinearScalar.backwardWeights(N, IN, OUT, x, r, dw, db, a, OUT);
            assertArrayEquals(dwFull, dw, "dw split at output " + a);
            assertArrayEquals(dbFull, db, "db split at output " + a);
        }
    }

    @Test
    void linearBackwardAccumulatesIntoNonZeroGradients() {
        float[] dx0 = GradCheck.randn(8, N * IN, 1.0), dw0 = GradCheck.randn(9, OUT * IN, 1.0);
        float[] db0 = GradCheck.randn(10, OUT, 1.0);
        float[] dxF = new float[N * IN], dwF = new float[OUT * IN], dbF = new float[OUT];
        LinearScalar.backwardData(IN, OUT, r, w, dxF, 0, N);
        LinearScalar.backwardWeights(N, IN, OUT, x, r, dwF, dbF, 0, OUT);
        float[] dx = dx0.clone(), dw = dw0.clone(), db = db0.clone();
        LinearScalar.backwardData(IN, OUT, r, w, dx, 0, N);
        LinearScalar.backwardWeights(N, IN, OUT, x, r, dw, db, 0, OUT);
        GradCheck.assertAccumulated("dx", dx0, dxF, dx);
        GradCheck.assertAccumulated("dw", dw0, dwF, dw);
        GradCheck.assertAccumulated("db", db0, dbF, db);
    }
}
