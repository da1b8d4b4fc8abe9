package dev.whittle.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.whittle.kernels.ConvGeometry;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Winograd forward that reuses the filters it transformed on an earlier call gives exactly what transforming afresh
 * gives, and never reuses them once the weights were rewritten in place, by one element, or after more distinct
 * weight arrays than the cache holds.
 */
class WinogradFilterCacheTest {
    private static final ConvGeometry G = ConvGeometry.square(2, 12, 9, 9, 20, 3, 1, 1);

    private static float[] rand(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    private static float[] forward(boolean f4, float[] x, float[] w) {
        float[] y = new float[G.n() * G.k() * G.p() * G.q()];
        Winograd.forwardPart(
                f4, G.c(), null, G.c(), G.h(), G.w(), G.k(), null, x, w, null, y, 0, G.n(), 0, G.k(), false, null, 0,
                1);
        return y;
    }

    /** The same call on a copy of w: a weight array the cache has never seen, so its filters are transformed now. */
    private static float[] fresh(boolean f4, float[] x, float[] w) {
        return forward(f4, x, w.clone());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aRepeatedCallWithUnchangedWeightsGivesTheFreshResultBitForBit(boolean f4) {
        SplittableRandom r = new SplittableRandom(7);
        float[] x = rand(r, G.n() * G.c() * G.h() * G.w()), w = rand(r, G.weightSize());
        float[] first = forward(f4, x, w);
        float[] again = forward(f4, x, w);
        assertArrayEquals(fresh(f4, x, w), again);
        assertArrayEquals(first, again);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void weightsRewrittenInPlaceAreTransformedAgain(boolean f4) {
        SplittableRandom r = new SplittableRandom(8);
        float[] x = rand(r, G.n() * G.c() * G.h() * G.w()), w = rand(r, G.weightSize());
        float[] before = forward(f4, x, w);
        // One weight of the last filter changes: the cached copy differs only at the very end of the compared rows.
        w[w.length - 1] += 0.5f;
        float[] after = forward(f4, x, w);
        assertFalse(Arrays.equals(before, after), "the changed weight must change the output");
        assertArrayEquals(fresh(f4, x, w), after);
        // And a rewrite of every weight, as an optimizer step makes.
        for (int i = 0; i < w.length; i++) w[i] *= 0.9f;
        assertArrayEquals(fresh(f4, x, w), forward(f4, x, w));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void moreWeightArraysThanEntriesStayCorrectAsTheyAreReplaced(boolean f4) {
        SplittableRandom r = new SplittableRandom(9);
        float[] x = rand(r, G.n() * G.c() * G.h() * G.w());
        int arrays = WinogradFilterCache.ENTRIES + 5;
        float[][] ws = new float[arrays][];
        float[][] want = new float[arrays][];
        for (int i = 0; i < arrays; i++) {
            ws[i] = rand(r, G.weightSize());
            want[i] = fresh(f4, x, ws[i]);
        }
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < arrays; i++) assertArrayEquals(want[i], forward(f4, x, ws[i]), "array " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void anUnchangedArrayReturnsTheSameTransformedFilters(boolean f4) {
        float[][] g = f4 ? WinogradFilters.G4 : WinogradFilters.G2;
        int n = g.length, mf = 16, ci = 12, plane = mf * ci + Sgemm.VL;
        float[] w = rand(new SplittableRandom(10), mf * ci * 9), strip = new float[9 * ci * Sgemm.MR];
        WinogradFilterCache cache = new WinogradFilterCache();
        float[] u = cache.get(g, w, 0, mf, ci, n * n * plane, plane, strip);
        float[] kept = u.clone();
        assertSame(
                u, cache.get(g, w, 0, mf, ci, n * n * plane, plane, strip), "unchanged rows are not transformed again");
        assertArrayEquals(kept, u);
    }
}
