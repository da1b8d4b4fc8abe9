package dev.whittle.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.whittle.kernels.ConvEpilogue;
import dev.whittle.kernels.ConvGeometry;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A one-channel 3×3 convolution through {@link SmallConv3x3} gives, bit for bit, the bias plus the nine taps
 * multiply-added in row order and then the batch norm's fused multiply-add and the ReLU: for maps narrower than one
 * vector, exactly one, and several with a masked tail, odd filter counts (a last filter alone), padding 0 and 1, alive
 * filter lists and a range of images.
 */
class SmallConv3x3Test {
    /** {n, k, h, w, pad}. */
    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(new int[] {2, 32, 28, 28, 1}),
                Arguments.of(new int[] {3, 5, 1, 1, 1}),
                Arguments.of(new int[] {1, 3, 5, 7, 1}),
                Arguments.of(new int[] {2, 7, 16, 16, 1}),
                Arguments.of(new int[] {1, 9, 9, 33, 1}),
                Arguments.of(new int[] {2, 4, 12, 19, 0}));
    }

    private static float[] rand(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    /** The reference, with the kernel's rounding: bias, taps (r, s) in order by fma, then fma(v, scale, shift), max. */
    private static float[] expected(
            ConvGeometry g, float[] x, float[] w, float[] b, ConvEpilogue e, int[] planes, int n0, int n1, float[] y) {
        float[] want = y.clone();
        int h = g.h(), wd = g.w(), p = g.p(), q = g.q(), k = g.k(), pad = g.padH();
        int m = planes == null ? k : planes.length;
        for (int n = n0; n < n1; n++) {
            for (int i = 0; i < m; i++) {
                int f = planes == null ? i : planes[i];
                for (int pp = 0; pp < p; pp++) {
                    for (int qq = 0; qq < q; qq++) {
                        float v = b[f];
                        for (int r = 0; r < 3; r++) {
                            for (int s = 0; s < 3; s++) {
                                int ih = pp + r - pad, iw = qq + s - pad;
                                float xv = ih < 0 || ih >= h || iw < 0 || iw >= wd ? 0f : x[(n * h + ih) * wd + iw];
                                v = Math.fma(xv, w[i * 9 + r * 3 + s], v);
                            }
                        }
                        v = Math.fma(v, e.scale()[f], e.shift()[f]);
                        if (e.relu()) v = Math.max(v, 0f);
                        want[((n * k + f) * p + pp) * q + qq] = v;
                    }
                }
            }
        }
        return want;
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void fusedForwardEqualsTapsInRowOrderThenTheBatchNormBitForBit(int[] s) {
        ConvGeometry g = ConvGeometry.square(s[0], 1, s[2], s[3], s[1], 3, 1, s[4]);
        SplittableRandom r = new SplittableRandom(Arrays.hashCode(s));
        float[] x = rand(r, g.n() * g.h() * g.w()), w = rand(r, g.weightSize()), b = rand(r, g.k());
        ConvEpilogue e = new ConvEpilogue(rand(r, g.k()), rand(r, g.k()), true);
        float[] y = rand(r, g.n() * g.k() * g.p() * g.q());
        float[] want = expected(g, x, w, b, e, null, 0, g.n(), y);
        new Conv2dVector().forwardThen(g, x, w, b, y, null, g.k(), null, 1, 0, g.n(), e);
        assertArrayEquals(want, y);
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void aliveFiltersOfSomeImagesWriteOnlyTheirPlanesAndZeroTheDeadOnes(int[] s) {
        ConvGeometry g = ConvGeometry.square(s[0] + 1, 1, s[2], s[3], s[1], 3, 1, s[4]);
        SplittableRandom r = new SplittableRandom(Arrays.hashCode(s) + 1);
        int[] alive = java.util.stream.IntStream.range(0, g.k())
                .filter(f -> f % 3 != 1)
                .toArray();
        float[] x = rand(r, g.n() * g.h() * g.w()), w = rand(r, g.weightSize()), b = rand(r, g.k());
        ConvEpilogue e = new ConvEpilogue(rand(r, g.k()), rand(r, g.k()), false);
        float[] y = rand(r, g.n() * g.k() * g.p() * g.q());
        // The reference takes the alive rows of w in the order of the list.
        float[] wAlive = new float[alive.length * 9];
        for (int i = 0; i < alive.length; i++) System.arraycopy(w, alive[i] * 9, wAlive, i * 9, 9);
        float[] want = expected(g, x, wAlive, b, e, alive, 1, g.n(), y);
        int pq = g.p() * g.q();
        for (int n = 1; n < g.n(); n++) {
            for (int f = 0; f < g.k(); f++) {
                if (f % 3 == 1) Arrays.fill(want, (n * g.k() + f) * pq, (n * g.k() + f + 1) * pq, 0f);
            }
        }
        new Conv2dVector().forwardThen(g, x, w, b, y, alive, alive.length, null, 1, 1, g.n(), e);
        assertArrayEquals(want, y);
        assertEquals(want[0], y[0], "image 0 is outside the range and untouched");
    }
}
