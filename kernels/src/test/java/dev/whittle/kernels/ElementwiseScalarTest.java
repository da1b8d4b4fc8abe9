package dev.whittle.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** ElementwiseScalar: ReLU, residual add and gradient accumulation over flat ranges. */
class ElementwiseScalarTest {
    private static final int SIZE = 2 * 3 * 7 * 7;

    @Test
    void reluForwardIsMaxWithZero() {
        float[] x = GradCheck.randn(61, SIZE, 1.0), y = new float[SIZE];
        x[0] = 0f;
        x[1] = -0f;
        ElementwiseScalar.reluForward(x, y, 0, SIZE);
        for (int i = 0; i < SIZE; i++) assertEquals(x[i] > 0 ? x[i] : 0f, y[i], 0f, "element " + i);
    }

    @Test
    void reluBackwardMatchesFiniteDifferencesAwayFromZero() {
        // |x| ≥ 0.1 ≫ h = 1e-2, so no perturbation crosses the kink at 0.
        float[] x = GradCheck.awayFromZero(62, SIZE, 0.1, 2.0), r = GradCheck.randn(63, SIZE, 1.0);
        float[] y = new float[SIZE], dx = new float[SIZE];
        ElementwiseScalar.reluForward(x, y, 0, SIZE);
        ElementwiseScalar.reluBackward(y, r, dx, 0, SIZE);
        GradCheck.assertGradient("relu dx", x, dx, () -> {
            ElementwiseScalar.reluForward(x, y, 0, SIZE);
            return GradCheck.dot(y, r);
        });
    }

    @Test
    void reluBackwardPassesNoGradientWhereInputWasExactlyZero() {
        float[] y = {0f, 0f, 1f}, dy = {5f, -5f, 2f}, dx = new float[3];
        ElementwiseScalar.reluBackward(y, dy, dx, 0, 3);
        assertArrayEquals(new float[] {0f, 0f, 2f}, dx);
    }

    @Test
    void reluBackwardAndAccumulateAddToNonZeroGradients() {
        float[] x = GradCheck.awayFromZero(64, SIZE, 0.1, 2.0), dy = GradCheck.randn(65, SIZE, 1.0);
        float[] start = GradCheck.randn(66, SIZE, 1.0), y = new float[SIZE];
        ElementwiseScalar.reluForward(x, y, 0, SIZE);
        float[] fresh = new float[SIZE], acc = start.clone();
        ElementwiseScalar.reluBackward(y, dy, fresh, 0, SIZE);
        ElementwiseScalar.reluBackward(y, dy, acc, 0, SIZE);
        GradCheck.assertAccumulated("relu dx", start, fresh, acc);
        acc = start.clone();
        ElementwiseScalar.accumulate(dy, acc, 0, SIZE);
        for (int i = 0; i < SIZE; i++) assertEquals(start[i] + dy[i], acc[i], 0f, "accumulate element " + i);
    }

    @Test
    void addIsElementwiseSumAndItsGradientFlowsUnchangedToBothInputs() {
        float[] a = GradCheck.randn(67, SIZE, 1.0),
                b = GradCheck.randn(68, SIZE, 1.0),
                r = GradCheck.randn(69, SIZE, 1.0);
        float[] y = new float[SIZE];
        ElementwiseScalar.add(a, b, y, 0, SIZE);
        for (int i = 0; i < SIZE; i++) assertEquals(a[i] + b[i], y[i], 0f);
        float[] da = new float[SIZE], db = new float[SIZE];
        ElementwiseScalar.accumulate(r, da, 0, SIZE);
        ElementwiseScalar.accumulate(r, db, 0, SIZE);
        GradCheck.assertGradient("add da", a, da, () -> {
            ElementwiseScalar.add(a, b, y, 0, SIZE);
            return GradCheck.dot(y, r);
        });
        GradCheck.assertGradient("add db", b, db, () -> {
            ElementwiseScalar.add(a, b, y, 0, SIZE);
            return GradCheck.dot(y, r);
        });
    }

    @Test
    void elementwiseOpsSplitOverRangesAreBitwiseIdenticalAndStayInRange() {
        float[] x = GradCheck.randn(70, SIZE, 1.0),
                b = GradCheck.randn(71, SIZE, 1.0),
                dy = GradCheck.randn(72, SIZE, 1.0);
        float[] start = GradCheck.randn(73, SIZE, 1.0);
        float[] relu = new float[SIZE], sum = new float[SIZE], dx = start.clone(), acc = start.clone();
        ElementwiseScalar.reluForward(x, relu, 0, SIZE);
        ElementwiseScalar.add(x, b, sum, 0, SIZE);
        ElementwiseScalar.reluBackward(relu, dy, dx, 0, SIZE);
        ElementwiseScalar.accumulate(dy, acc, 0, SIZE);
        for (int a : new int[] {0, 1, 97, SIZE - 1, SIZE}) {
            float[] relu2 = GradCheck.filled(SIZE, Float.NaN), sum2 = GradCheck.filled(SIZE, Float.NaN);
            float[] dx2 = start.clone(), acc2 = start.clone();
            ElementwiseScalar.reluForward(x, relu2, 0, a);
            ElementwiseScalar.add(x, b, sum2, 0, a);
            ElementwiseScalar.reluBackward(relu, dy, dx2, 0, a);
            ElementwiseScalar.accumulate(dy, acc2, 0, a);
            for (int i = a; i < SIZE; i++) {
                assertEquals(Float.NaN, relu2[i], "relu wrote outside its range at " + i);
                assertEquals(start[i], dx2[i], "reluBackward wrote outside its range at " + i);
            }
            ElementwiseScalar.reluForward(x, relu2, a, SIZE);
            ElementwiseScalar.add(x, b, sum2, a, SIZE);
            ElementwiseScalar.reluBackward(relu, dy, dx2, a, SIZE);
            ElementwiseScalar.accumulate(dy, acc2, a, SIZE);
            assertArrayEquals(relu, relu2);
            assertArrayEquals(sum, sum2);
            assertArrayEquals(dx, dx2);
            assertArrayEquals(acc, acc2);
        }
    }
}
