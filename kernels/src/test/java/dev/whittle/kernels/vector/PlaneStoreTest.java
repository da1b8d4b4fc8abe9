package dev.whittle.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlaneStoreTest {

    /** The plane ends where y ends, so the last vector's masked lanes lie past the array. */
    @ParameterizedTest
    @CsvSource({
        "7, 7, 9", // a 7×7 map alone, staged 9 wide
        "7, 7, 57", // one of seven 7×7 maps side by side
        "14, 14, 16", // a 14×14 map alone: one row per vector
        "5, 5, 6",
        "1, 1, 3",
        "3, 15, 16"
    })
    void aPlaneStoredByCompressIsBitIdenticalToStoringItRowByRow(int p, int q, int wp) {
        SplittableRandom r = new SplittableRandom(p * 31 + q);
        float[] stage = new float[3 + p * wp + PlaneStore.VL];
        for (int i = 0; i < stage.length; i++) stage[i] = (float) (r.nextDouble() * 4 - 2);
        int[] masks = PlaneStore.masks(new Sgemm.Workspace(), wp, q);
        for (int variant = 0; variant < 8; variant++) {
            boolean affine = (variant & 1) != 0, relu = (variant & 2) != 0, accumulate = (variant & 4) != 0;
            int yo = 5, size = yo + p * q;
            float[] res = new float[size];
            float[] base = new float[size];
            for (int i = 0; i < size; i++) {
                res[i] = (float) (r.nextDouble() - 0.5);
                base[i] = (float) (r.nextDouble() - 0.5);
            }
            float[] byRows = base.clone(), byPlane = base.clone();
            float[] rs = variant % 3 == 0 ? null : res;
            for (int row = 0; row < p; row++)
                DirectConv.storeRow(
                        stage, 3 + row * wp, byRows, yo + row * q, q, 0.25f, affine, 1.5f, -0.5f, rs, relu, accumulate);
            PlaneStore.store(stage, 3, wp, masks, byPlane, yo, p, q, 0.25f, affine, 1.5f, -0.5f, rs, relu, accumulate);
            assertArrayEquals(byRows, byPlane, "variant " + variant);
        }
    }
}
