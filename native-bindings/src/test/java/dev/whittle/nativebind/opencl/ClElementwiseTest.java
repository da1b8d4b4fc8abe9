package dev.whittle.nativebind.opencl;

import static dev.whittle.nativebind.opencl.ClTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.whittle.kernels.ElementwiseScalar;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ReLU forward/backward, add and accumulate against {@link ElementwiseScalar}; each is one rounding (or none), so
 * results must be bit-identical. Buffers are one element longer than n: the element past n must stay untouched.
 */
class ClElementwiseTest {

    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {1, 17, 1000, 4099})
    void matchesScalarReference(int n) {
        ClKernels kernels = kernels();
        ClContext ctx = context();
        Random rnd = new Random(n);
        float[] x = uniform(rnd, n + 1), b = uniform(rnd, n + 1), dy = uniform(rnd, n + 1), dx0 = uniform(rnd, n + 1);
        x[0] = 0f; // relu at exactly zero
        float[] y = new float[n + 1], sum = new float[n + 1], dx = dx0.clone(), acc = dx0.clone();
        y[n] = sum[n] = 5f;
        float[] y0 = y.clone();
        ElementwiseScalar.reluForward(x, y, 0, n);
        ElementwiseScalar.reluBackward(y, dy, dx, 0, n);
        ElementwiseScalar.add(x, b, sum, 0, n);
        ElementwiseScalar.accumulate(b, acc, 0, n);
        try (ClBuffer bx = ctx.floats(x);
                ClBuffer bb = ctx.floats(b);
                ClBuffer bdy = ctx.floats(dy);
                ClBuffer by = ctx.floats(y0);
                ClBuffer bdx = ctx.floats(dx0);
                ClBuffer bsum = ctx.floats(y0);
                ClBuffer bacc = ctx.floats(dx0)) {
            ClElementwise ew = kernels.elementwise();
            ew.reluForward(n, bx, by);
            ew.reluBackward(n, by, bdy, bdx);
            ew.add(n, bx, bb, bsum);
            ew.accumulate(n, bb, bacc);
            assertArrayEquals(y, read(by, n + 1), "relu forward");
            assertArrayEquals(dx, read(bdx, n + 1), "relu backward");
            assertArrayEquals(sum, read(bsum, n + 1), "add");
            assertArrayEquals(acc, read(bacc, n + 1), "accumulate");
        }
    }
}
