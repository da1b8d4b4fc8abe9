package dev.whittle.nativebind.opencl;

import static dev.whittle.nativebind.opencl.ClTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.kernels.SoftmaxCrossEntropyScalar;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Per-sample loss and dLogits against {@link SoftmaxCrossEntropyScalar} (which sums in double), including
 * logits scaled up to ±80 so an unshifted exp would overflow float. The reduction length is the class count.
 */
class ClSoftmaxCrossEntropyTest {

    @ParameterizedTest(name = "classes={0} rows={1} scale={2}")
    @CsvSource({"1,1,1", "10,3,1", "17,5,4", "100,2,1", "1000,3,2", "10,4,80"})
    void matchesScalarReference(int classes, int rows, float scale) {
        ClKernels kernels = kernels();
        ClContext ctx = context();
        Random rnd = new Random(classes * 10L + rows);
        float[] logits = uniform(rnd, rows * classes);
        for (int i = 0; i < logits.length; i++) logits[i] *= scale;
        int[] labels = new int[rows];
        for (int n = 0; n < rows; n++) labels[n] = rnd.nextInt(classes);
        int batch = rows + 1; // divisor differs from the row count on purpose
        float[] loss = new float[rows], dl = new float[rows * classes];
        SoftmaxCrossEntropyScalar.forwardBackward(classes, logits, labels, loss, dl, batch, 0, rows);
        try (ClBuffer bl = ctx.floats(logits);
                ClBuffer blab = ctx.ints(labels);
                ClBuffer bloss = ctx.floats(rows);
                ClBuffer bdl = ctx.floats(rows * classes);
                ClBuffer bloss2 = ctx.floats(rows)) {
            kernels.softmaxCrossEntropy().forwardBackward(classes, rows, batch, bl, blab, bloss, bdl);
            kernels.softmaxCrossEntropy().forwardBackward(classes, rows, batch, bl, blab, bloss2, null);
            assertClose("loss", loss, read(bloss, rows), 1e-4, 1e-6 * classes * Math.max(1, scale));
            assertClose("loss without gradient", loss, read(bloss2, rows), 1e-4, 1e-6 * classes * Math.max(1, scale));
            assertClose("dlogits", dl, read(bdl, rows * classes), classes);
        }
    }

    @Test
    void outOfRangeLabelGivesNaNLoss() {
        ClKernels kernels = kernels();
        ClContext ctx = context();
        try (ClBuffer bl = ctx.floats(new float[] {1, 2, 3, 4, 5, 6});
                ClBuffer blab = ctx.ints(new int[] {1, 3});
                ClBuffer bloss = ctx.floats(2);
                ClBuffer bdl = ctx.floats(6)) {
            kernels.softmaxCrossEntropy().forwardBackward(3, 2, 2, bl, blab, bloss, bdl);
            float[] loss = read(bloss, 2);
            assertTrue(Float.isFinite(loss[0]), "valid row keeps a finite loss");
            assertTrue(Float.isNaN(loss[1]), "label 3 of 3 classes must give NaN, got " + loss[1]);
            float[] dl = read(bdl, 6);
            assertEquals(0f, dl[3] + dl[4] + dl[5], "invalid row's gradient is zero");
        }
    }
}
