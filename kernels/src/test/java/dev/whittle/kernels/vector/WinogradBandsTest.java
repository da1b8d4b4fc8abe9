package dev.whittle.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.kernels.ConvEpilogue;
import dev.whittle.kernels.ConvGeometry;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * F(4×4) on one image cut into bands ({@link WinogradLayout#forward}) writes what the same image gets laid whole
 * beside another one (no bands: two images in the call), with every epilogue: plain, residual, accumulating and
 * pooled, and leaves the other image's planes alone. Equal within rounding, not bit for bit: a band in slot i has its
 * tile grid shifted by i·period columns mod 4 like an image there. {@link WinogradTest} compares both layouts with
 * the scalar reference (its batch-1 shapes are banded).
 */
class WinogradBandsTest {
    private static double tol(int reduction) {
        return 4 * Tensors.absTol(16L * reduction, 2, 2);
    }

    @ParameterizedTest
    @CsvSource({
        "16, 16, 28, 28", // VGG-small's pruned conv2 at batch 1: two bands of 16 and 12 rows
        "32, 32, 14, 14", // four bands of one tile row, the last one half outside the image
        "8, 8, 15, 14", // an odd height: the last band three rows, one pooled row
        "16, 24, 13, 9", // narrow: four bands, the last one a single row
        "16, 16, 31, 31" // wider than one segment's half: two bands of 16 and 15 rows
    })
    void oneImageInBandsWritesWhatItGetsWholeBesideAnother(int c, int k, int h, int w) {
        int bandRows = Winograd4.bandRows(1, h, w);
        assertTrue(bandRows > 0, "banded: " + h + "×" + w);
        ConvGeometry g = ConvGeometry.square(2, c, h, w, k, 3, 1, 1);
        float[] x = Tensors.randn(1, 2 * c * h * w, 1), wt = Tensors.randn(2, k * c * 9, 0.2);
        float[] b = Tensors.randn(3, k, 0.1), scale = Tensors.randn(4, k, 1), shift = Tensors.randn(5, k, 0.5);
        int plane = h * w, out = 2 * k * plane, pooledPlane = (h / 2) * (w / 2);
        float[] res = Tensors.randn(6, out, 1), before = Tensors.randn(7, out, 1);
        for (int variant = 0; variant < 4; variant++) {
            ConvEpilogue e =
                    switch (variant) {
                        case 0, 2 -> new ConvEpilogue(scale, shift, true);
                        case 1 -> new ConvEpilogue(scale, shift, true, res);
                        default -> new ConvEpilogue(scale, shift, true).pooledInto(new float[2 * k * pooledPlane]);
                    };
            boolean accumulate = variant == 2;
            float[] whole = before.clone(), banded = before.clone();
            // Both images whole, side by side; then image 1 alone (a batch of one from image 1 on: banded).
            boolean pooled = Winograd.forwardPart(
                    true, c, null, c, h, w, k, null, x, wt, b, whole, 0, 2, 0, k, accumulate, e, 0, 1);
            float[] wholePool = e.pooled() == null ? null : e.pooled().clone();
            if (e.pooled() != null) Arrays.fill(e.pooled(), Float.NaN);
            boolean pooledBanded = Winograd.forwardPart(
                    true, c, null, c, h, w, k, null, x, wt, b, banded, 1, 2, 0, k, accumulate, e, 0, 1);
            assertEquals(pooled, pooledBanded, "variant " + variant);
            String what = c + "→" + k + " @" + h + "×" + w + ", variant " + variant;
            if (pooled) {
                float[] want = Arrays.copyOfRange(wholePool, k * pooledPlane, 2 * k * pooledPlane);
                Tensors.assertClose(
                        what, want, Arrays.copyOfRange(e.pooled(), k * pooledPlane, 2 * k * pooledPlane), tol(c));
                continue;
            }
            // Image 1's planes as the whole call wrote them; image 0's untouched by the banded call.
            Tensors.assertClose(
                    what,
                    Arrays.copyOfRange(whole, k * plane, out),
                    Arrays.copyOfRange(banded, k * plane, out),
                    tol(c));
            assertArrayEquals(
                    Arrays.copyOfRange(before, 0, k * plane),
                    Arrays.copyOfRange(banded, 0, k * plane),
                    what + ": image 0 untouched");
        }
    }
}
