package dev.whittle.nativebind.opencl;

import static dev.whittle.nativebind.opencl.ClTestSupport.*;

import dev.whittle.kernels.Conv2dScalar;
import dev.whittle.kernels.ConvGeometry;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential tests of every convolution kernel (tiled and direct, forward and both backwards, with and without
 * alive lists) against {@link Conv2dScalar}. With alive lists the reference runs on weights and biases whose masked
 * filters and channels are zero: forward must then write 0 to masked planes (y starts stale), and the gradients
 * the kernels leave untouched must still hold their initial values.
 */
class ClConv2dTest {

    static Stream<Arguments> shapes() {
        List<ClConvShape> s = List.of(
                ClConvShape.square(1, 1, 5, 5, 1, 1, 1, 0),
                ClConvShape.square(2, 3, 7, 7, 5, 3, 1, 1),
                ClConvShape.square(3, 5, 9, 9, 17, 3, 2, 1),
                ClConvShape.square(1, 17, 13, 13, 3, 5, 1, 2),
                ClConvShape.square(2, 3, 13, 13, 5, 5, 2, 2),
                ClConvShape.square(3, 17, 7, 7, 17, 1, 2, 0),
                ClConvShape.square(1, 5, 5, 5, 33, 3, 1, 0),
                ClConvShape.square(2, 40, 9, 9, 8, 3, 1, 1),
                new ClConvShape(2, 3, 9, 7, 5, 3, 1, 2, 1, 1, 0, 1),
                new ClConvShape(2, 6, 7, 7, 9, 3, 3, 1, 1, 1, 1, 3),
                new ClConvShape(1, 5, 9, 9, 5, 3, 3, 2, 2, 1, 1, 5));
        return s.stream().flatMap(g -> Stream.of(Arguments.of(g, false), Arguments.of(g, true)));
    }

    @ParameterizedTest(name = "{0} alive-subset={1}")
    @MethodSource("shapes")
    void matchesScalarReference(ClConvShape g, boolean subset) {
        check(kernels().conv(), g, subset);
    }

    /** Runs every path of {@code conv} on {@code g} and compares with the reference. */
    static void check(ClConv2d conv, ClConvShape g, boolean subset) {
        ClContext ctx = context();
        Random rnd =
                new Random(Arrays.hashCode(new int[] {g.n(), g.c(), g.h(), g.k(), g.r(), g.strideH(), g.groups()}));
        int[] kAlive = subset ? pick(rnd, g.k()) : all(g.k());
        int[] cAlive = subset ? pick(rnd, g.c()) : all(g.c());
        boolean[] kOn = mask(kAlive, g.k()), cOn = mask(cAlive, g.c());
        ConvGeometry cg = new ConvGeometry(
                g.n(),
                g.c(),
                g.h(),
                g.w(),
                g.k(),
                g.r(),
                g.s(),
                g.strideH(),
                g.strideW(),
                g.padH(),
                g.padW(),
                g.groups());
        int xs = g.n() * g.c() * g.h() * g.w(), ys = g.n() * g.k() * g.p() * g.q(), ws = cg.weightSize();
        int plane = g.p() * g.q(),
                inPlane = g.h() * g.w(),
                rs = g.r() * g.s(),
                cpg = g.cPerGroup(),
                kpg = g.k() / g.groups();
        float[] x = uniform(rnd, xs), w = uniform(rnd, ws), b = uniform(rnd, g.k()), dy = uniform(rnd, ys);
        // Reference weights: masked filters and channels zero.
        float[] wm = w.clone(), bm = b.clone();
        for (int k = 0; k < g.k(); k++) {
            if (!kOn[k]) bm[k] = 0f;
            for (int ci = 0; ci < cpg; ci++) {
                int c = (k / kpg) * cpg + ci;
                if (!kOn[k] || !cOn[c]) Arrays.fill(wm, (k * cpg + ci) * rs, (k * cpg + ci + 1) * rs, 0f);
            }
        }
        float[] y0 = new float[ys];
        Arrays.fill(y0, 7f); // stale values: forward must overwrite every plane (masked ones with 0)
        float[] dx0 = uniform(rnd, xs), dw0 = uniform(rnd, ws), db0 = uniform(rnd, g.k());

        float[] yRef = new float[ys];
        Conv2dScalar.forward(cg, x, wm, bm, yRef, 0, g.n());
        float[] dxRef = dx0.clone();
        Conv2dScalar.backwardData(cg, dy, wm, dxRef, 0, g.n());
        float[] dwRef = dw0.clone(), dbRef = db0.clone();
        Conv2dScalar.backwardWeights(cg, x, dy, dwRef, dbRef, 0, g.k());
        for (int n = 0; n < g.n(); n++) {
            for (int c = 0; c < g.c(); c++) {
                if (!cOn[c])
                    System.arraycopy(dx0, (n * g.c() + c) * inPlane, dxRef, (n * g.c() + c) * inPlane, inPlane);
            }
        }
        for (int k = 0; k < g.k(); k++) {
            if (!kOn[k]) dbRef[k] = db0[k];
            for (int ci = 0; ci < cpg; ci++) {
                int c = (k / kpg) * cpg + ci, at = (k * cpg + ci) * rs;
                if (!kOn[k] || !cOn[c]) System.arraycopy(dw0, at, dwRef, at, rs);
            }
        }

        try (ClBuffer bx = ctx.floats(x);
                ClBuffer bw = ctx.floats(w);
                ClBuffer bb = ctx.floats(b);
                ClBuffer bdy = ctx.floats(dy);
                ClBuffer by = ctx.floats(ys);
                ClBuffer bdx = ctx.floats(xs);
                ClBuffer bdw = ctx.floats(ws);
                ClBuffer bdb = ctx.floats(g.k());
                ClAlive ka = subset ? ClAlive.of(ctx, kAlive) : null;
                ClAlive ca = subset ? ClAlive.of(ctx, cAlive) : null) {
            for (boolean direct : g.groups() == 1 ? new boolean[] {false, true} : new boolean[] {true}) {
                String tag = (direct ? "direct " : "tiled ")
                        + g
                        + (subset ? " alive k=" + Arrays.toString(kAlive) + " c=" + Arrays.toString(cAlive) : "");
                by.write(y0);
                bdx.write(dx0);
                bdw.write(dw0);
                bdb.write(db0);
                if (direct) {
                    conv.forwardDirect(g, bx, bw, bb, by, ka, ca);
                    conv.backwardDataDirect(g, bdy, bw, bdx, ka, ca);
                    conv.backwardWeightsDirect(g, bx, bdy, bdw, bdb, ka, ca);
                } else {
                    conv.forward(g, bx, bw, bb, by, ka, ca);
                    conv.backwardData(g, bdy, bw, bdx, ka, ca);
                    conv.backwardWeights(g, bx, bdy, bdw, bdb, ka, ca);
                }
                assertClose("forward " + tag, yRef, read(by, ys), (long) cpg * rs);
                assertClose("backwardData " + tag, dxRef, read(bdx, xs), (long) kpg * rs);
                assertClose("backwardWeights dw " + tag, dwRef, read(bdw, ws), (long) g.n() * plane);
                assertClose("backwardWeights db " + tag, dbRef, read(bdb, g.k()), (long) g.n() * plane);
            }
        }
    }

    static int[] all(int n) {
        return IntStream.range(0, n).toArray();
    }

    /** A non-empty random subset (about half), never all when n > 1. */
    static int[] pick(Random rnd, int n) {
        if (n == 1) return new int[] {0};
        int[] s = IntStream.range(0, n).filter(i -> rnd.nextBoolean()).toArray();
        if (s.length == 0) return new int[] {rnd.nextInt(n)};
        if (s.length == n) return Arrays.copyOf(s, n - 1);
        return s;
    }

    static boolean[] mask(int[] alive, int n) {
        boolean[] m = new boolean[n];
        for (int i : alive) m[i] = true;
        return m;
    }
}
