package dev.whittle.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.kernels.Conv2dScalar;
import dev.whittle.kernels.ConvEpilogue;
import dev.whittle.kernels.ConvGeometry;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Winograd F(2×2, 3×3) and F(4×4, 3×3) compute the scalar reference's 3×3, stride-1, pad-1 convolution: forward with bias, the
 * epilogue and accumulation, a range of weight rows, alive channel and filter lists, and the data gradient. The
 * shapes cover maps of one pixel, odd and even sizes, maps laid side by side with a short last group, rows wider
 * than one segment of tiles, and chunks that end inside an image.
 */
class WinogradTest {
    /** Both algorithms on every shape: F(2×2, 3×3) and F(4×4, 3×3), whichever layers the planner gives them. */
    static Stream<Arguments> algorithmsAndShapes() {
        return Stream.of(false, true).flatMap(f4 -> Arrays.stream(shapes()).map(s -> Arguments.of(f4, s)));
    }

    /** {n, c, k, h, w}. */
    static int[][] shapes() {
        return new int[][] {
            {1, 8, 9, 1, 1}, // one pixel
            {3, 5, 17, 2, 3}, // tiny, K past one strip
            {2, 17, 8, 5, 5}, // odd map
            {7, 33, 17, 7, 7}, // 7×7 side by side, a short last group
            {1, 16, 16, 13, 9}, // not square
            {3, 8, 8, 14, 14}, // two 14-wide maps to a combined row
            {1, 8, 24, 31, 31}, // tile rows wider than one segment
            {2, 5, 9, 9, 70}, // F(4×4) tile rows of 18 tiles: a full segment and a short last one
            {2, 64, 64, 28, 28}, // chunks end inside an image
            {2, 4, 8, 33, 20}
        };
    }

    private static float[] rand(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    private static double tol(int reduction) {
        return Tensors.absTol(16L * reduction, 2, 2);
    }

    @ParameterizedTest
    @MethodSource("algorithmsAndShapes")
    void forwardWithBiasAndEpilogueMatchesTheScalarConvolution(boolean f4, int[] s) {
        ConvGeometry g = ConvGeometry.square(s[0], s[1], s[3], s[4], s[2], 3, 1, 1);
        SplittableRandom r = new SplittableRandom(s[1] * 31L + s[3]);
        float[] x = rand(r, g.n() * g.c() * g.h() * g.w()), w = rand(r, g.weightSize()), b = rand(r, g.k());
        int out = g.n() * g.k() * g.p() * g.q();
        float[] want = new float[out];
        Conv2dScalar.forward(g, x, w, b, want, 0, g.n());

        float[] y = rand(r, out);
        Winograd.forwardPart(
                f4, g.c(), null, g.c(), g.h(), g.w(), g.k(), null, x, w, b, y, 0, g.n(), 0, g.k(), false, null, 0, 1);
        Tensors.assertClose(Arrays.toString(s) + " forward", want, y, tol(g.c()));

        // The epilogue: max(scale·(conv + b) + shift + residual, 0), and accumulation into what y held.
        float[] scale = rand(r, g.k()), shift = rand(r, g.k()), res = rand(r, out), before = rand(r, out);
        float[] fused = before.clone();
        Winograd.forwardPart(
                f4,
                g.c(),
                null,
                g.c(),
                g.h(),
                g.w(),
                g.k(),
                null,
                x,
                w,
                b,
                fused,
                0,
                g.n(),
                0,
                g.k(),
                true,
                new ConvEpilogue(scale, shift, true, res),
                0,
                1);
        int pq = g.p() * g.q();
        float[] wantFused = new float[out];
        for (int i = 0; i < out; i++) {
            int f = i / pq % g.k();
            wantFused[i] = before[i] + Math.max(0f, Math.fma(want[i], scale[f], shift[f]) + res[i]);
        }
        Tensors.assertClose(Arrays.toString(s) + " epilogue + accumulate", wantFused, fused, 4 * tol(g.c()));
    }

    @ParameterizedTest
    @MethodSource("algorithmsAndShapes")
    void aRangeOfFiltersAndOfImagesWritesOnlyItsOwnPlanes(boolean f4, int[] s) {
        ConvGeometry g = ConvGeometry.square(s[0], s[1], s[3], s[4], s[2], 3, 1, 1);
        SplittableRandom r = new SplittableRandom(s[2] * 17L + s[4]);
        float[] x = rand(r, g.n() * g.c() * g.h() * g.w()), w = rand(r, g.weightSize());
        int out = g.n() * g.k() * g.p() * g.q(), pq = g.p() * g.q();
        float[] want = new float[out];
        Conv2dScalar.forward(g, x, w, null, want, 0, g.n());
        int k0 = g.k() / 3, k1 = Math.max(k0 + 1, g.k() - 1), n0 = g.n() > 1 ? 1 : 0;
        float[] before = rand(r, out), y = before.clone();
        Winograd.forwardPart(
                f4, g.c(), null, g.c(), g.h(), g.w(), g.k(), null, x, w, null, y, n0, g.n(), k0, k1, false, null, 0, 1);
        boolean[] mine = new boolean[out];
        for (int i = 0; i < out; i++) {
            int n = i / (g.k() * pq), f = i / pq % g.k();
            mine[i] = n >= n0 && f >= k0 && f < k1;
        }
        assertWrittenWhereMine(Arrays.toString(s), want, before, y, mine, tol(g.c()));
    }

    @ParameterizedTest
    @MethodSource("algorithmsAndShapes")
    void aliveChannelsAndFiltersComputeTheMaskedConvolutionAndLeaveDeadPlanesAlone(boolean f4, int[] s) {
        ConvGeometry g = ConvGeometry.square(s[0], s[1], s[3], s[4], s[2], 3, 1, 1);
        SplittableRandom r = new SplittableRandom(s[0] * 7L + s[2]);
        int[] in = everyOther(g.c()), outs = everyOther(g.k());
        float[] x = rand(r, g.n() * g.c() * g.h() * g.w()), w = rand(r, g.weightSize()), b = rand(r, g.k());
        // The reference: dead channels' weights zeroed, so only alive channels contribute.
        float[] wMasked = new float[w.length];
        float[] wAlive = new float[outs.length * in.length * 9];
        for (int fi = 0; fi < outs.length; fi++) {
            for (int ci = 0; ci < in.length; ci++) {
                System.arraycopy(w, (outs[fi] * g.c() + in[ci]) * 9, wMasked, (outs[fi] * g.c() + in[ci]) * 9, 9);
                System.arraycopy(w, (outs[fi] * g.c() + in[ci]) * 9, wAlive, (fi * in.length + ci) * 9, 9);
            }
        }
        int out = g.n() * g.k() * g.p() * g.q(), pq = g.p() * g.q();
        float[] want = new float[out];
        Conv2dScalar.forward(g, x, wMasked, b, want, 0, g.n());
        float[] before = rand(r, out), y = before.clone();
        Winograd.forwardPart(
                f4,
                g.c(),
                in,
                in.length,
                g.h(),
                g.w(),
                g.k(),
                outs,
                x,
                wAlive,
                b,
                y,
                0,
                g.n(),
                0,
                outs.length,
                false,
                null,
                0,
                1);
        boolean[] alive = new boolean[g.k()];
        for (int f : outs) alive[f] = true;
        boolean[] mine = new boolean[out];
        for (int i = 0; i < out; i++) mine[i] = alive[i / pq % g.k()];
        assertWrittenWhereMine(Arrays.toString(s), want, before, y, mine, tol(g.c()));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void theDataGradientMatchesTheScalarAndAccumulates(int[] s) {
        ConvGeometry g = ConvGeometry.square(s[0], s[1], s[3], s[4], s[2], 3, 1, 1);
        SplittableRandom r = new SplittableRandom(s[3] * 5L + s[1]);
        float[] dy = rand(r, g.n() * g.k() * g.p() * g.q()), w = rand(r, g.weightSize());
        int in = g.n() * g.c() * g.h() * g.w();
        float[] before = rand(r, in), want = before.clone(), dx = before.clone();
        Conv2dScalar.backwardData(g, dy, w, want, 0, g.n());
        Winograd.backwardData(g.c(), null, g.c(), g.h(), g.w(), g.k(), null, g.k(), dy, w, dx, 0, g.n(), true);
        Tensors.assertClose(Arrays.toString(s) + " backwardData", want, dx, tol(g.k()));
    }

    @ParameterizedTest
    @MethodSource("algorithmsAndShapes")
    void theWeightGradientMatchesTheScalarOnWholeLayersAndAliveSubsets(boolean f4, int[] s) {
        ConvGeometry g = ConvGeometry.square(s[0], s[1], s[3], s[4], s[2], 3, 1, 1);
        SplittableRandom r = new SplittableRandom(s[4] * 13L + s[2]);
        float[] x = rand(r, g.n() * g.c() * g.h() * g.w()), dy = rand(r, g.n() * g.k() * g.p() * g.q());
        double tol = Tensors.absTol(16L * g.n() * g.p() * g.q(), 2, 2);
        float[] before = rand(r, g.weightSize()), want = before.clone(), dw = before.clone();
        Conv2dScalar.backwardWeights(g, x, dy, want, null, 0, g.k());
        WinogradWeights.backwardWeights(f4, g.c(), null, g.c(), g.h(), g.w(), g.k(), null, g.n(), x, dy, dw, 0, g.k());
        Tensors.assertClose(Arrays.toString(s) + " dW", want, dw, tol);

        // Alive filters [1, m) of every other filter and every other channel: only their weights' gradients move.
        int[] in = everyOther(g.c()), outs = everyOther(g.k());
        int k0 = Math.min(1, outs.length - 1);
        float[] wantAlive = before.clone(), dwAlive = before.clone();
        Conv2dScalar.backwardWeights(g, x, dy, wantAlive, null, outs, in, in.length, k0, outs.length);
        WinogradWeights.backwardWeights(
                f4, g.c(), in, in.length, g.h(), g.w(), g.k(), outs, g.n(), x, dy, dwAlive, k0, outs.length);
        for (int i = 0; i < before.length; i++) {
            boolean moved = wantAlive[i] != before[i];
            double t = moved ? 1e-4 * Math.abs(wantAlive[i]) + tol : 0;
            assertTrue(
                    Math.abs(dwAlive[i] - wantAlive[i]) <= t,
                    Arrays.toString(s) + " alive dW element " + i + ": " + dwAlive[i] + " vs " + wantAlive[i]);
        }
    }

    /** Where {@code mine}, y matches want (1e-4 relative + tol); elsewhere y is bit for bit what it was before. */
    private static void assertWrittenWhereMine(
            String what, float[] want, float[] before, float[] y, boolean[] mine, double tol) {
        for (int i = 0; i < y.length; i++) {
            float expected = mine[i] ? want[i] : before[i];
            double t = mine[i] ? 1e-4 * Math.abs(expected) + tol : 0;
            assertTrue(Math.abs(y[i] - expected) <= t, what + " element " + i + ": " + y[i] + " vs " + expected);
        }
    }

    private static int[] everyOther(int n) {
        int[] list = new int[(n + 1) / 2];
        for (int i = 0; i < list.length; i++) list[i] = 2 * i;
        return list;
    }
}
