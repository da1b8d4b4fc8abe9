package dev.whittle.nativebind.opencl;

import static dev.whittle.nativebind.opencl.ClTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.whittle.kernels.PoolScalar;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Differential tests of max (with argmax), average and global average pooling, forward and backward, against
 * {@link PoolScalar}. The quantised case makes ties common, so the first-maximum rule must match exactly.
 */
class ClPoolTest {

    @ParameterizedTest(name = "planes={0} {1}x{2} k={3} s={4} p={5} quantised={6}")
    @CsvSource({
        "1,5,5,2,2,0,false", "6,7,7,3,2,1,false", "5,9,9,3,1,1,false", "17,13,13,2,2,0,false",
        "3,13,9,5,2,2,false", "2,7,5,3,3,1,false", "4,9,9,3,2,1,true", "1,1,1,1,1,0,false"
    })
    void windowedPoolsMatch(int planes, int h, int w, int k, int stride, int pad, boolean quantised) {
        ClKernels kernels = kernels();
        ClContext ctx = context();
        Random rnd = new Random(planes * 131L + h * 17L + k * 3L + stride + pad);
        int p = PoolScalar.outSize(h, k, stride, pad), q = PoolScalar.outSize(w, k, stride, pad);
        int xs = planes * h * w, ys = planes * p * q;
        float[] x = uniform(rnd, xs);
        if (quantised) for (int i = 0; i < xs; i++) x[i] = Math.round(x[i] * 2f);
        float[] dy = uniform(rnd, ys), dx0 = uniform(rnd, xs);
        float[] y = new float[ys], ya = new float[ys];
        int[] arg = new int[ys];
        PoolScalar.maxForward(h, w, k, stride, pad, x, y, arg, 0, planes);
        PoolScalar.avgForward(h, w, k, stride, pad, x, ya, 0, planes);
        float[] dxMax = dx0.clone(), dxAvg = dx0.clone();
        PoolScalar.maxBackward(p * q, dy, arg, dxMax, 0, planes);
        PoolScalar.avgBackward(h, w, k, stride, pad, dy, dxAvg, 0, planes);
        try (ClBuffer bx = ctx.floats(x);
                ClBuffer by = ctx.floats(ys);
                ClBuffer barg = ctx.ints(ys);
                ClBuffer bya = ctx.floats(ys);
                ClBuffer bdy = ctx.floats(dy);
                ClBuffer bdxm = ctx.floats(dx0);
                ClBuffer bdxa = ctx.floats(dx0)) {
            ClPool pool = kernels.pool();
            pool.maxForward(planes, h, w, k, stride, pad, bx, by, barg);
            pool.avgForward(planes, h, w, k, stride, pad, bx, bya);
            pool.maxBackward(planes, h, w, k, stride, pad, bdy, barg, bdxm);
            pool.avgBackward(planes, h, w, k, stride, pad, bdy, bdxa);
            assertArrayEquals(y, read(by, ys), "max values");
            assertArrayEquals(arg, readInts(barg, ys), "argmax");
            assertClose("avg forward", ya, read(bya, ys), (long) k * k);
            assertClose("max backward", dxMax, read(bdxm, xs), (long) k * k);
            assertClose("avg backward", dxAvg, read(bdxa, xs), (long) k * k);
        }
    }

    /** A NaN anywhere in a window (first, middle, last position) is the window's max on device and host alike. */
    @ParameterizedTest(name = "NaN at {0}")
    @CsvSource({"0", "4", "8", "12"})
    void maxPoolPropagatesNanAnywhereInTheWindow(int nanAt) {
        ClKernels kernels = kernels();
        ClContext ctx = context();
        int h = 6, w = 6, k = 3, stride = 3, p = PoolScalar.outSize(h, k, stride, 0);
        float[] x = uniform(new Random(nanAt), h * w);
        x[nanAt] = Float.NaN;
        float[] y = new float[p * p];
        int[] arg = new int[p * p];
        PoolScalar.maxForward(h, w, k, stride, 0, x, y, arg, 0, 1);
        int ih = nanAt / w, iw = nanAt % w, window = (ih / stride) * p + iw / stride;
        org.junit.jupiter.api.Assertions.assertTrue(Float.isNaN(y[window]), "host max of the window holding NaN");
        try (ClBuffer bx = ctx.floats(x);
                ClBuffer by = ctx.floats(p * p);
                ClBuffer barg = ctx.ints(p * p)) {
            kernels.pool().maxForward(1, h, w, k, stride, 0, bx, by, barg);
            assertArrayEquals(y, read(by, p * p), "max values (NaN where the host has NaN)");
            assertArrayEquals(arg, readInts(barg, p * p), "argmax");
        }
    }

    @ParameterizedTest(name = "planes={0} hw={1}")
    @CsvSource({"1,25", "6,49", "17,169", "3,1", "2,1000"})
    void globalAveragePoolMatches(int planes, int hw) {
        ClKernels kernels = kernels();
        ClContext ctx = context();
        Random rnd = new Random(planes * 7L + hw);
        float[] x = uniform(rnd, planes * hw), dy = uniform(rnd, planes), dx0 = uniform(rnd, planes * hw);
        float[] y = new float[planes], dx = dx0.clone();
        PoolScalar.globalAvgForward(hw, x, y, 0, planes);
        PoolScalar.globalAvgBackward(hw, dy, dx, 0, planes);
        try (ClBuffer bx = ctx.floats(x);
                ClBuffer by = ctx.floats(planes);
                ClBuffer bdy = ctx.floats(dy);
                ClBuffer bdx = ctx.floats(dx0)) {
            kernels.pool().globalAvgForward(planes, hw, bx, by);
            kernels.pool().globalAvgBackward(planes, hw, bdy, bdx);
            assertClose("global avg forward", y, read(by, planes), hw);
            assertClose("global avg backward", dx, read(bdx, planes * hw), 1);
        }
    }
}
