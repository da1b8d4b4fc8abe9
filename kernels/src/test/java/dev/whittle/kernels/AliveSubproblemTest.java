package dev.whittle.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.whittle.kernels.vector.VectorKernels;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The gathered sub-problem on any dense kernel set equals the scalar alive-index references, forward and
 * backward, for conv and linear, on awkward shapes and random alive subsets (dead outputs exactly zero,
 * dead gradients untouched).
 */
class AliveSubproblemTest {
    private static final KernelSet[] SETS = {KernelSet.scalar(), VectorKernels.create()};

    private static float[] rand(SplittableRandom r, int n) {
        return AliveFixtures.rand(r, n);
    }

    private static int[] subset(SplittableRandom r, int n) {
        return AliveFixtures.subset(r, n);
    }

    private static void close(float[] expect, float[] actual, double tol, String what) {
        for (int i = 0; i < expect.length; i++)
            assertEquals(expect[i], actual[i], tol * (1 + Math.abs(expect[i])), what + "[" + i + "]");
    }

    @Test
    void maskedConvOnEveryKernelSetMatchesTheScalarAliveReference() {
        int[][] shapes = {
            {3, 5, 9, 9, 7, 3, 1, 1}, {2, 17, 7, 7, 5, 3, 2, 1}, {1, 3, 13, 13, 17, 5, 1, 2}, {3, 4, 5, 5, 6, 1, 2, 0}
        };
        SplittableRandom r = new SplittableRandom(5);
        for (int[] sh : shapes) {
            ConvGeometry g = ConvGeometry.square(sh[0], sh[1], sh[2], sh[3], sh[4], sh[5], sh[6], sh[7]);
            float[] x = rand(r, g.n() * g.c() * g.h() * g.w()), w = rand(r, g.weightSize()), b = rand(r, g.k());
            float[] dy = rand(r, g.n() * g.k() * g.p() * g.q());
            int[] out = subset(r, g.k()), in = subset(r, g.c());
            float[] y0 = new float[dy.length],
                    dx0 = rand(new SplittableRandom(1), x.length),
                    dw0 = rand(new SplittableRandom(2), w.length),
                    db0 = new float[g.k()];
            Conv2dScalar.forward(g, x, w, b, y0, out, out.length, in, in.length, 0, g.n());
            Conv2dScalar.backwardData(g, dy, w, dx0, out, out.length, in, in.length, 0, g.n());
            Conv2dScalar.backwardWeights(g, x, dy, dw0, db0, out, in, in.length, 0, out.length);
            for (KernelSet set : SETS) {
                float[] y = rand(r, dy.length),
                        dx = rand(new SplittableRandom(1), x.length),
                        dw = rand(new SplittableRandom(2), w.length),
                        db = new float[g.k()];
                AliveSubproblem.convForward(set.conv(), g, x, w, b, y, out, out.length, in, in.length, 0, 1, true);
                AliveSubproblem.convForward(set.conv(), g, x, w, b, y, out, out.length, in, in.length, 1, g.n(), true);
                AliveSubproblem.convBackwardData(set.conv(), g, dy, w, dx, out, out.length, in, in.length, 0, g.n());
                int half = out.length / 2;
                AliveSubproblem.convBackwardWeights(
                        set.conv(), g, x, dy, dw, db, out, out.length, in, in.length, 0, half);
                AliveSubproblem.convBackwardWeights(
                        set.conv(), g, x, dy, dw, db, out, out.length, in, in.length, half, out.length);
                String what = set.name() + " " + g;
                close(y0, y, 1e-4, what + " y");
                close(dx0, dx, 1e-4, what + " dx");
                close(dw0, dw, 1e-4, what + " dw");
                close(db0, db, 1e-4, what + " db");
            }
        }
    }

    @Test
    void eachKernelSetsOwnAliveConvMethodsMatchTheScalarAliveReference() {
        // Shapes that put the vector set's masked layers on Winograd, on its direct path (alive C·R·S >= 16, >= 8
        // alive channels for the transposed pass, images side by side with a short last chunk), on SmallConv (one
        // input channel), and some on neither.
        int[][] shapes = {
            {3, 24, 9, 9, 20, 3, 1, 1},
            {11, 12, 7, 7, 17, 3, 1, 1},
            {2, 32, 14, 14, 33, 3, 1, 1},
            // Winograd on the alive lists (32+ alive channels and filters, 512+ output pixels per call)
            {3, 80, 16, 16, 80, 3, 1, 1},
            // more than a vector of alive filters per call (the weight gradient gathers dy a vector at a time)
            {2, 12, 7, 7, 80, 3, 1, 1},
            {3, 6, 6, 6, 9, 5, 1, 2},
            {2, 17, 7, 7, 5, 3, 2, 1},
            // stride 2 on phase planes: 3×3 with images side by side (short last chunk), and a 1×1 shortcut
            {11, 20, 13, 13, 19, 3, 2, 1},
            {3, 24, 9, 9, 12, 1, 2, 0},
            {3, 2, 5, 5, 6, 3, 1, 1},
            // one input channel (SmallConv): alive filters in blocks of eight and a remainder, any map size
            {3, 1, 13, 13, 29, 3, 1, 1},
            {2, 1, 7, 9, 13, 3, 1, 1}
        };
        SplittableRandom r = new SplittableRandom(6);
        for (int[] sh : shapes) {
            ConvGeometry g = ConvGeometry.square(sh[0], sh[1], sh[2], sh[3], sh[4], sh[5], sh[6], sh[7]);
            float[] x = rand(r, g.n() * g.c() * g.h() * g.w()), w = rand(r, g.weightSize()), b = rand(r, g.k());
            float[] dy = rand(r, g.n() * g.k() * g.p() * g.q());
            int[] out = subset(r, g.k()), in = subset(r, g.c());
            float[] y0 = new float[dy.length],
                    dx0 = rand(new SplittableRandom(1), x.length),
                    dw0 = rand(new SplittableRandom(2), w.length),
                    db0 = rand(new SplittableRandom(3), g.k());
            Conv2dScalar.forward(g, x, w, b, y0, out, out.length, in, in.length, 0, g.n());
            Conv2dScalar.backwardData(g, dy, w, dx0, out, out.length, in, in.length, 0, g.n());
            Conv2dScalar.backwardWeights(g, x, dy, dw0, db0, out, in, in.length, 0, out.length);
            for (KernelSet set : SETS) {
                float[] y = rand(r, dy.length),
                        dx = rand(new SplittableRandom(1), x.length),
                        dw = rand(new SplittableRandom(2), w.length),
                        db = rand(new SplittableRandom(3), g.k());
                ConvKernels k = set.conv();
                k.forwardAlive(g, x, w, b, y, out, out.length, in, in.length, 0, 1, true);
                k.forwardAlive(g, x, w, b, y, out, out.length, in, in.length, 1, g.n(), true);
                k.backwardDataAlive(g, dy, w, dx, out, out.length, in, in.length, 0, g.n());
                int half = out.length / 2;
                k.backwardWeightsAlive(g, x, dy, dw, db, out, out.length, in, in.length, 0, half);
                k.backwardWeightsAlive(g, x, dy, dw, db, out, out.length, in, in.length, half, out.length);
                String what = set.name() + " " + g + " alive out " + out.length + ", in " + in.length;
                // Rounding grows with the reduction (alive channels × R × S for y, alive filters × R × S for dx), and
                // Winograd F(4×4)'s transforms, which multiply by up to 8, grow it further; a wrong plane or tap
                // would be off by the order of one.
                double tolY = 1e-4 * Math.max(1, in.length * g.r() * g.s() / 128.0);
                double tolX = 1e-4 * Math.max(1, out.length * g.r() * g.s() / 128.0);
                close(y0, y, tolY, what + " y (dead planes exactly 0)");
                // zeroDead false: alive planes the same, dead planes as they were.
                float[] before = rand(r, dy.length), kept = before.clone();
                k.forwardAlive(g, x, w, b, kept, out, out.length, in, in.length, 0, g.n(), false);
                int pq = g.p() * g.q();
                boolean[] isAlive = new boolean[g.k()];
                for (int o : out) isAlive[o] = true;
                for (int i = 0; i < kept.length; i++) {
                    if (isAlive[(i / pq) % g.k()]) assertEquals(y0[i], kept[i], tolY * (1 + Math.abs(y0[i])), what);
                    else assertEquals(before[i], kept[i], 0f, what + " dead plane untouched");
                }
                close(dx0, dx, tolX, what + " dx (dead channels untouched)");
                close(dw0, dw, 1e-4, what + " dw (dead weights untouched)");
                close(db0, db, 1e-4, what + " db");
            }
        }
    }

    @Test
    void maskedLinearOnEveryKernelSetMatchesTheScalarAliveReference() {
        SplittableRandom r = new SplittableRandom(9);
        for (int[] sh : new int[][] {{3, 17, 5}, {5, 40, 33}, {1, 9, 1}}) {
            int n = sh[0], in = sh[1], outF = sh[2];
            float[] x = rand(r, n * in), w = rand(r, outF * in), b = rand(r, outF), dy = rand(r, n * outF);
            int[] rows = subset(r, outF), cols = subset(r, in);
            float[] y0 = new float[n * outF],
                    dx0 = rand(new SplittableRandom(3), n * in),
                    dw0 = rand(new SplittableRandom(4), w.length),
                    db0 = new float[outF];
            LinearScalar.forward(in, outF, x, w, b, y0, rows, rows.length, cols, cols.length, 0, n);
            LinearScalar.backwardData(in, outF, dy, w, dx0, rows, rows.length, cols, cols.length, 0, n);
            LinearScalar.backwardWeights(n, in, outF, x, dy, dw0, db0, rows, cols, cols.length, 0, rows.length);
            for (KernelSet set : SETS) {
                float[] y = rand(r, n * outF),
                        dx = rand(new SplittableRandom(3), n * in),
                        dw = rand(new SplittableRandom(4), w.length),
                        db = new float[outF];
                AliveSubproblem.linearForward(
                        set.linear(), in, outF, x, w, b, y, rows, rows.length, cols, cols.length, 0, n);
                AliveSubproblem.linearBackwardData(
                        set.linear(), in, outF, dy, w, dx, rows, rows.length, cols, cols.length, 0, n);
                AliveSubproblem.linearBackwardWeights(
                        set.linear(), n, in, outF, x, dy, dw, db, rows, cols, cols.length, 0, rows.length);
                close(y0, y, 1e-4, set.name() + " y");
                close(dx0, dx, 1e-4, set.name() + " dx");
                close(dw0, dw, 1e-4, set.name() + " dw");
                close(db0, db, 1e-4, set.name() + " db");
            }
        }
    }
}
