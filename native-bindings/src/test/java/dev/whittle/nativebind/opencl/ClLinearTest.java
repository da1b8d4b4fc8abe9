package dev.whittle.nativebind.opencl;

import static dev.whittle.nativebind.opencl.ClTestSupport.*;

import dev.whittle.kernels.LinearScalar;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Differential tests of the linear kernels against {@link LinearScalar}, with and without alive lists. */
class ClLinearTest {

    static Stream<Arguments> shapes() {
        int[][] s = {{1, 1, 1}, {2, 3, 5}, {3, 17, 7}, {3, 100, 33}, {2, 257, 10}, {1, 5, 40}, {37, 13, 3}};
        return Arrays.stream(s)
                .flatMap(a -> Stream.of(Arguments.of(a[0], a[1], a[2], false), Arguments.of(a[0], a[1], a[2], true)));
    }

    @ParameterizedTest(name = "batch={0} in={1} out={2} alive-subset={3}")
    @MethodSource("shapes")
    void matchesScalarReference(int batch, int in, int out, boolean subset) {
        check(kernels().linear(), batch, in, out, subset);
    }

    static void check(ClLinear lin, int batch, int in, int out, boolean subset) {
        ClContext ctx = context();
        Random rnd = new Random(31L * batch + 7L * in + out);
        int[] oAlive = subset ? ClConv2dTest.pick(rnd, out) : ClConv2dTest.all(out);
        int[] iAlive = subset ? ClConv2dTest.pick(rnd, in) : ClConv2dTest.all(in);
        boolean[] oOn = ClConv2dTest.mask(oAlive, out), iOn = ClConv2dTest.mask(iAlive, in);
        float[] x = uniform(rnd, batch * in),
                w = uniform(rnd, out * in),
                b = uniform(rnd, out),
                dy = uniform(rnd, batch * out);
        float[] wm = w.clone(), bm = b.clone();
        for (int o = 0; o < out; o++) {
            if (!oOn[o]) bm[o] = 0f;
            for (int i = 0; i < in; i++) if (!oOn[o] || !iOn[i]) wm[o * in + i] = 0f;
        }
        float[] y0 = new float[batch * out];
        Arrays.fill(y0, 7f); // stale values: forward must overwrite every column (masked ones with 0)
        float[] dx0 = uniform(rnd, batch * in), dw0 = uniform(rnd, out * in), db0 = uniform(rnd, out);
        float[] yRef = new float[batch * out], dxRef = dx0.clone(), dwRef = dw0.clone(), dbRef = db0.clone();
        LinearScalar.forward(in, out, x, wm, bm, yRef, 0, batch);
        LinearScalar.backwardData(in, out, dy, wm, dxRef, 0, batch);
        LinearScalar.backwardWeights(batch, in, out, x, dy, dwRef, dbRef, 0, out);
        for (int n = 0; n < batch; n++) {
            for (int i = 0; i < in; i++) if (!iOn[i]) dxRef[n * in + i] = dx0[n * in + i];
        }
        for (int o = 0; o < out; o++) {
            if (!oOn[o]) dbRef[o] = db0[o];
            for (int i = 0; i < in; i++) if (!oOn[o] || !iOn[i]) dwRef[o * in + i] = dw0[o * in + i];
        }
        try (ClBuffer bx = ctx.floats(x);
                ClBuffer bw = ctx.floats(w);
                ClBuffer bb = ctx.floats(b);
                ClBuffer bdy = ctx.floats(dy);
                ClBuffer by = ctx.floats(y0);
                ClBuffer bdx = ctx.floats(dx0);
                ClBuffer bdw = ctx.floats(dw0);
                ClBuffer bdb = ctx.floats(db0);
                ClAlive oa = subset ? ClAlive.of(ctx, oAlive) : null;
                ClAlive ia = subset ? ClAlive.of(ctx, iAlive) : null) {
            lin.forward(batch, in, out, bx, bw, bb, by, oa, ia);
            lin.backwardData(batch, in, out, bdy, bw, bdx, oa, ia);
            lin.backwardWeights(batch, in, out, bx, bdy, bdw, bdb, oa, ia);
            String tag = batch + "x" + in + "->" + out
                    + (subset ? " alive o=" + Arrays.toString(oAlive) + " i=" + Arrays.toString(iAlive) : "");
            assertClose("forward " + tag, yRef, read(by, batch * out), in);
            assertClose("backwardData " + tag, dxRef, read(bdx, batch * in), out);
            assertClose("backwardWeights dw " + tag, dwRef, read(bdw, out * in), batch);
            assertClose("backwardWeights db " + tag, dbRef, read(bdb, out), batch);
        }
    }
}
