package dev.whittle.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlaneTransposeTest {

    /**
     * Every pixel of every live plane lands at its place and nothing else is written, whether it went through the
     * 16×16 register transpose (full groups, sixteen pixels at a time, rows wrapping inside a block) or a gather (the
     * pixels left over, short groups); the planes sit at uneven offsets, as a masked layer's alive planes do.
     */
    @ParameterizedTest
    @CsvSource({
        "16, 3, 28", // 84 pixels: five transposed blocks, four gathered
        "16, 7, 7", // blocks wrap rows of 7
        "16, 2, 14",
        "16, 1, 16", // exactly one block
        "16, 1, 5", // fewer pixels than a block
        "5, 4, 9", // a short group
        "9, 3, 17",
        "1, 2, 3"
    })
    void planesLandAsFilterInnermostPixelsAndNothingElseIsWritten(int live, int rows, int q) {
        SplittableRandom r = new SplittableRandom(live * 131 + rows * 7 + q);
        int vl = Sgemm.VL, planeSize = rows * q, src = 3;
        int[] offsets = new int[2 + vl];
        int map = 2;
        for (int l = 0, at = 0; l < vl; l++) {
            offsets[map + l] = l < live ? at : 0; // lanes past live repeat plane 0's offset
            at += planeSize + r.nextInt(3) * 5; // gaps between planes
        }
        float[] x = new float[src + offsets[map + live - 1] + planeSize + 7];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble();
        int pixelStride = vl + 2, rowStride = q * pixelStride + 11, dst = 4;
        float[] out = new float[dst + rows * rowStride + vl];
        java.util.Arrays.fill(out, -1f);
        float[] expected = out.clone();
        for (int row = 0; row < rows; row++)
            for (int col = 0; col < q; col++)
                for (int l = 0; l < live; l++)
                    expected[dst + row * rowStride + col * pixelStride + l] = x[src + offsets[map + l] + row * q + col];
        PlaneTranspose.toPixels(x, src, offsets, map, live, rows, q, out, dst, rowStride, pixelStride);
        assertArrayEquals(expected, out);
    }
}
