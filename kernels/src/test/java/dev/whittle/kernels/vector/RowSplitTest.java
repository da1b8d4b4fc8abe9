package dev.whittle.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.kernels.ConvEpilogue;
import dev.whittle.kernels.ConvGeometry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RowSplitTest {
    private final Conv2dVector conv = new Conv2dVector();

    /** A layer split into parts by output rows writes, part by part, exactly what one whole call writes. */
    @ParameterizedTest
    @CsvSource({
        "1, 24, 24, 28, 2", // batch 1, F(2×2): VGG-small's conv2 at 24 channels
        "1, 24, 32, 28, 3", // three parts, tile rows split unevenly
        "2, 16, 16, 28, 2", // two 28-wide maps side by side: F(4×4)
        "4, 32, 32, 13, 2", // odd maps side by side: a last tile row partly outside them
        "1, 16, 16, 28, 2", // one 28-wide map in two bands: F(4×4)
        "1, 16, 16, 28, 3" // three parts of its four tile rows
    })
    void partsByRowsTogetherMatchTheWholeCallBitForBit(int n, int c, int k, int hw, int parts) {
        ConvGeometry g = ConvGeometry.square(n, c, hw, hw, k, 3, 1, 1);
        assertTrue(conv.splitsRows(g, n), "Winograd takes " + g);
        float[] x = Tensors.randn(1, n * c * hw * hw, 1), w = Tensors.randn(2, k * c * 9, 0.2);
        float[] b = Tensors.randn(3, k, 0.1), scale = Tensors.randn(4, k, 1), shift = Tensors.randn(5, k, 0.5);
        float[] res = Tensors.randn(6, n * k * hw * hw, 1);
        int pooled = n * k * (hw / 2) * (hw / 2);
        for (int variant = 0; variant < 3; variant++) {
            ConvEpilogue plain = new ConvEpilogue(scale, shift, true);
            ConvEpilogue e =
                    switch (variant) {
                        case 0 -> plain;
                        case 1 -> new ConvEpilogue(scale, shift, true, res);
                        default -> plain.pooledInto(new float[pooled]);
                    };
            float[] whole = new float[n * k * hw * hw];
            conv.forwardThen(g, x, w, b, whole, null, k, null, c, 0, n, e);
            float[] wholePool = e.pooled() == null ? null : e.pooled().clone();
            float[] split = new float[whole.length];
            if (e.pooled() != null) java.util.Arrays.fill(e.pooled(), Float.NaN);
            for (int part = 0; part < parts; part++) {
                boolean didPool = conv.forwardRowsThen(g, x, w, b, split, 0, n, part, parts, e);
                assertEquals(e.pooled() != null, didPool, "variant " + variant);
            }
            if (e.pooled() != null) assertArrayEquals(wholePool, e.pooled(), "pooled");
            else assertArrayEquals(whole, split, "variant " + variant);
        }
    }
}
