package dev.whittle.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conv2dScalar: forward and both backward passes against a naive 7-loop convolution with explicit bounds tests,
 * finite differences of L = Σ y ⊙ R, range splitting and accumulation, over awkward geometries.
 */
class Conv2dScalarTest {

    /** One geometry; the name is what the parameterized test reports. */
    record Case(String name, ConvGeometry g) {
        @Override
        public String toString() {
            return name;
        }

        float[] x() {
            return GradCheck.randn(11 + name.hashCode(), g.n() * g.c() * g.h() * g.w(), 1.0);
        }

        float[] w() {
            return GradCheck.randn(12 + name.hashCode(), g.weightSize(), 0.5);
        }

        float[] b() {
            return GradCheck.randn(13 + name.hashCode(), g.k(), 0.5);
        }

        int ySize() {
            return g.n() * g.k() * g.p() * g.q();
        }

        float[] r() {
            return GradCheck.randn(14 + name.hashCode(), ySize(), 1.0);
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("N2 C3 7x7 K5 k3 stride1 pad1", ConvGeometry.square(2, 3, 7, 7, 5, 3, 1, 1)),
                new Case("N2 C3 7x7 K5 k3 stride2 pad1", ConvGeometry.square(2, 3, 7, 7, 5, 3, 2, 1)),
                new Case("N3 C1 9x9 K3 k5 stride1 pad2", ConvGeometry.square(3, 1, 9, 9, 3, 5, 1, 2)),
                new Case("N2 C5 9x9 K3 k5 stride2 pad0", ConvGeometry.square(2, 5, 9, 9, 3, 5, 2, 0)),
                new Case("N2 C5 7x7 K3 k5 stride2 pad2", ConvGeometry.square(2, 5, 7, 7, 3, 5, 2, 2)),
                new Case("N2 C3 7x7 K5 k1 stride1 pad0", ConvGeometry.square(2, 3, 7, 7, 5, 1, 1, 0)),
                new Case("N3 C3 9x9 K5 k1 stride2 pad0", ConvGeometry.square(3, 3, 9, 9, 5, 1, 2, 0)),
                new Case("N2 C3 9x9 K1 k3 stride2 pad2", ConvGeometry.square(2, 3, 9, 9, 1, 3, 2, 2)),
                new Case(
                        "N2 C5 7x7 K5 k3 stride2 pad1 depthwise groups5",
                        new ConvGeometry(2, 5, 7, 7, 5, 3, 3, 2, 2, 1, 1, 5)),
                new Case(
                        "N2 C3 9x9 K3 k3 stride1 pad1 depthwise groups3",
                        new ConvGeometry(2, 3, 9, 9, 3, 3, 3, 1, 1, 1, 1, 3)),
                new Case(
                        "N2 C3 7x7 K6 k3 stride1 pad1 groups3 (multiplier 2)",
                        new ConvGeometry(2, 3, 7, 7, 6, 3, 3, 1, 1, 1, 1, 3)),
                new Case("N2 C6 7x7 K9 k3 stride2 pad1 groups3", new ConvGeometry(2, 6, 7, 7, 9, 3, 3, 2, 2, 1, 1, 3)),
                new Case(
                        "N2 C3 7x9 K5 k3x5 stride2x1 pad1x2 (non-square)",
                        new ConvGeometry(2, 3, 7, 9, 5, 3, 5, 2, 1, 1, 2, 1)),
                new Case(
                        "N2 C3 9x7 K3 k5x1 stride1x2 pad0x1 (non-square)",
                        new ConvGeometry(2, 3, 9, 7, 3, 5, 1, 1, 2, 0, 1, 1)));
    }

    // ---------------------------------------------------------------- naive references (double, explicit bounds)

    static double[] naiveForward(ConvGeometry g, float[] x, float[] w, float[] b) {
        int P = g.p(), Q = g.q(), cg = g.cPerGroup(), kg = g.k() / g.groups();
        double[] y = new double[g.n() * g.k() * P * Q];
        for (int n = 0; n < g.n(); n++)
            for (int k = 0; k < g.k(); k++)
                for (int p = 0; p < P; p++)
                    for (int q = 0; q < Q; q++) {
                        double acc = b == null ? 0 : b[k];
                        for (int ci = 0; ci < cg; ci++) {
                            int c = (k / kg) * cg + ci;
                            for (int r = 0; r < g.r(); r++)
                                for (int s = 0; s < g.s(); s++) {
                                    int ih = p * g.strideH() - g.padH() + r, iw = q * g.strideW() - g.padW() + s;
                                    if (ih < 0 || ih >= g.h() || iw < 0 || iw >= g.w()) continue;
                                    acc += (double) x[((n * g.c() + c) * g.h() + ih) * g.w() + iw]
                                            * w[((k * cg + ci) * g.r() + r) * g.s() + s];
                                }
                        }
                        y[((n * g.k() + k) * P + p) * Q + q] = acc;
                    }
        return y;
    }

    /** Naive dx = Σ over every (output, tap) of w·dy scattered to its input, and dw, db likewise. */
    static double[][] naiveBackward(ConvGeometry g, float[] x, float[] w, float[] dy) {
        int P = g.p(), Q = g.q(), cg = g.cPerGroup(), kg = g.k() / g.groups();
        double[] dx = new double[x.length], dw = new double[w.length], db = new double[g.k()];
        for (int n = 0; n < g.n(); n++)
            for (int k = 0; k < g.k(); k++)
                for (int p = 0; p < P; p++)
                    for (int q = 0; q < Q; q++) {
                        double d = dy[((n * g.k() + k) * P + p) * Q + q];
                        db[k] += d;
                        for (int ci = 0; ci < cg; ci++) {
                            int c = (k / kg) * cg + ci;
                            for (int r = 0; r < g.r(); r++)
                                for (int s = 0; s < g.s(); s++) {
                                    int ih = p * g.strideH() - g.padH() + r, iw = q * g.strideW() - g.padW() + s;
                                    if (ih < 0 || ih >= g.h() || iw < 0 || iw >= g.w()) continue;
                                    int xi = ((n * g.c() + c) * g.h() + ih) * g.w() + iw;
                                    int wi = ((k * cg + ci) * g.r() + r) * g.s() + s;
                                    dx[xi] += w[wi] * d;
                                    dw[wi] += x[xi] * d;
                                }
                        }
                    }
        return new double[][] {dx, dw, db};
    }

    // ---------------------------------------------------------------- geometry

    @Test
    void outputSizeUsesFloorDivision() {
        ConvGeometry g = ConvGeometry.square(1, 1, 7, 7, 1, 3, 2, 0);
        assertEquals(3, g.p()); // (7 - 3) / 2 + 1
        assertEquals(3, g.q());
        ConvGeometry h = ConvGeometry.square(1, 1, 8, 8, 1, 3, 2, 1);
        assertEquals(4, h.p()); // (8 + 2 - 3) / 2 + 1 = 4 (floor of 4.5)
        assertEquals(5, ConvGeometry.square(1, 1, 9, 9, 1, 5, 2, 2).q());
    }

    @Test
    void geometryRejectsGroupsThatDoNotDivideChannelsOrFilters() {
        assertThrows(IllegalArgumentException.class, () -> new ConvGeometry(1, 5, 7, 7, 6, 3, 3, 1, 1, 1, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> new ConvGeometry(1, 6, 7, 7, 5, 3, 3, 1, 1, 1, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> ConvGeometry.square(1, 3, 3, 3, 1, 5, 1, 0));
    }

    // ---------------------------------------------------------------- forward and backward vs naive

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void convForwardMatchesNaiveSevenLoopConvolution(Case c) {
        ConvGeometry g = c.g();
        float[] x = c.x(), w = c.w(), b = c.b();
        float[] y = GradCheck.filled(c.ySize(), Float.NaN);
        Conv2dScalar.forward(g, x, w, b, y, 0, g.n());
        GradCheck.assertClose("forward with bias", naiveForward(g, x, w, b), y, 1e-5);
        Conv2dScalar.forward(g, x, w, null, y, 0, g.n());
        GradCheck.assertClose("forward without bias", naiveForward(g, x, w, null), y, 1e-5);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void convBackwardDataAndWeightsMatchNaiveScatter(Case c) {
        ConvGeometry g = c.g();
        float[] x = c.x(), w = c.w(), dy = c.r();
        double[][] ref = naiveBackward(g, x, w, dy);
        float[] dx = new float[x.length], dw = new float[w.length], db = new float[g.k()];
        Conv2dScalar.backwardData(g, dy, w, dx, 0, g.n());
        Conv2dScalar.backwardWeights(g, x, dy, dw, db, 0, g.k());
        GradCheck.assertClose("dx", ref[0], dx, 1e-5);
        GradCheck.assertClose("dw", ref[1], dw, 1e-5);
        GradCheck.assertClose("db", ref[2], db, 1e-5);
    }

    // ---------------------------------------------------------------- finite differences

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void convBackwardDataMatchesFiniteDifferences(Case c) {
        ConvGeometry g = c.g();
        float[] x = c.x(), w = c.w(), b = c.b(), r = c.r(), y = new float[c.ySize()];
        float[] dx = new float[x.length];
        Conv2dScalar.backwardData(g, r, w, dx, 0, g.n());
        GradCheck.assertGradient("conv dx " + c, x, dx, () -> {
            Conv2dScalar.forward(g, x, w, b, y, 0, g.n());
            return GradCheck.dot(y, r);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void convBackwardWeightsMatchesFiniteDifferences(Case c) {
        ConvGeometry g = c.g();
        float[] x = c.x(), w = c.w(), b = c.b(), r = c.r(), y = new float[c.ySize()];
        float[] dw = new float[w.length], db = new float[g.k()];
        Conv2dScalar.backwardWeights(g, x, r, dw, db, 0, g.k());
        GradCheck.assertGradient("conv dw " + c, w, dw, () -> {
            Conv2dScalar.forward(g, x, w, b, y, 0, g.n());
            return GradCheck.dot(y, r);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void convBackwardBiasMatchesFiniteDifferences(Case c) {
        ConvGeometry g = c.g();
        float[] x = c.x(), w = c.w(), b = c.b(), r = c.r(), y = new float[c.ySize()];
        float[] dw = new float[w.length], db = new float[g.k()];
        Conv2dScalar.backwardWeights(g, x, r, dw, db, 0, g.k());
        GradCheck.assertGradient("conv db " + c, b, db, () -> {
            Conv2dScalar.forward(g, x, w, b, y, 0, g.n());
            return GradCheck.dot(y, r);
        });
    }

    // ---------------------------------------------------------------- range splitting

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void convForwardSplitOverImageRangesIsBitwiseIdenticalAndTouchesOnlyItsImages(Case c) {
        ConvGeometry g = c.g();
        float[] x = c.x(), w = c.w(), b = c.b();
        int per = g.k() * g.p() * g.q();
        float[] full = new float[c.ySize()];
        Conv2dScalar.forward(g, x, w, b, full, 0, g.n());
        for (int a = 0; a <= g.n(); a++) {
            float[] split = GradCheck.filled(c.ySize(), Float.NaN);
            Conv2dScalar.forward(g, x, w, b, split, 0, a);
            for (int i = a * per; i < split.length; i++) {
                assertTrue(Float.isNaN(split[i]), "forward over [0," + a + ") wrote output element " + i);
            }
            Conv2dScalar.forward(g, x, w, b, split, a, g.n());
            assertArrayEquals(full, split, "split at image " + a);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void convBackwardDataSplitOverImageRangesIsBitwiseIdenticalAndTouchesOnlyItsImages(Case c) {
        ConvGeometry g = c.g();
        float[] w = c.w(), dy = c.r(), start = GradCheck.randn(99, g.n() * g.c() * g.h() * g.w(), 1.0);
        int per = g.c() * g.h() * g.w();
        float[] full = start.clone();
        Conv2dScalar.backwardData(g, dy, w, full, 0, g.n());
        for (int a = 0; a <= g.n(); a++) {
            float[] split = start.clone();
            Conv2dScalar.backwardData(g, dy, w, split, 0, a);
            for (int i = a * per; i < split.length; i++) {
                assertEquals(start[i], split[i], "backwardData over [0," + a + ") wrote dx element " + i);
            }
            Conv2dScalar.backwardData(g, dy, w, split, a, g.n());
            assertArrayEquals(full, split, "split at image " + a);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void convBackwardWeightsSplitOverFilterRangesIsBitwiseIdenticalAndTouchesOnlyItsFilters(Case c) {
        ConvGeometry g = c.g();
        float[] x = c.x(), dy = c.r();
        float[] dw0 = GradCheck.randn(97, g.weightSize(), 1.0), db0 = GradCheck.randn(98, g.k(), 1.0);
        int per = g.weightSize() / g.k();
        float[] dwFull = dw0.clone(), dbFull = db0.clone();
        Conv2dScalar.backwardWeights(g, x, dy, dwFull, dbFull, 0, g.k());
        for (int a = 0; a <= g.k(); a++) {
            float[] dw = dw0.clone(), db = db0.clone();
            Conv2dScalar.backwardWeights(g, x, dy, dw, db, 0, a);
            for (int i = a * per; i < dw.length; i++) assertEquals(dw0[i], dw[i], "dw element " + i + " touched");
            for (int i = a; i < db.length; i++) assertEquals(db0[i], db[i], "db element " + i + " touched");
            Conv2dScalar.backwardWeights(g, x, dy, dw, db, a, g.k());
            assertArrayEquals(dwFull, dw, "dw split at filter " + a);
            assertArrayEquals(dbFull, db, "db split at filter " + a);
        }
    }

    // ---------------------------------------------------------------- accumulation

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void convBackwardAccumulatesIntoNonZeroGradients(Case c) {
        ConvGeometry g = c.g();
        float[] x = c.x(), w = c.w(), dy = c.r();
        float[] dx0 = GradCheck.randn(21, x.length, 1.0), dw0 = GradCheck.randn(22, w.length, 1.0);
        float[] db0 = GradCheck.randn(23, g.k(), 1.0);
        float[] dxFresh = new float[x.length], dwFresh = new float[w.length], dbFresh = new float[g.k()];
        Conv2dScalar.backwardData(g, dy, w, dxFresh, 0, g.n());
        Conv2dScalar.backwardWeights(g, x, dy, dwFresh, dbFresh, 0, g.k());
        float[] dx = dx0.clone(), dw = dw0.clone(), db = db0.clone();
        Conv2dScalar.backwardData(g, dy, w, dx, 0, g.n());
        Conv2dScalar.backwardWeights(g, x, dy, dw, db, 0, g.k());
        GradCheck.assertAccumulated("dx", dx0, dxFresh, dx);
        GradCheck.assertAccumulated("dw", dw0, dwFresh, dw);
        GradCheck.assertAccumulated("db", db0, dbFresh, db);
    }

    @Test
    void convBackwardWeightsWithNullBiasGradientStillComputesWeights() {
        ConvGeometry g = ConvGeometry.square(2, 3, 7, 7, 5, 3, 2, 1);
        Case c = new Case("null db", g);
        float[] x = c.x(), dy = c.r();
        float[] withDb = new float[g.weightSize()], withoutDb = new float[g.weightSize()];
        Conv2dScalar.backwardWeights(g, x, dy, withDb, new float[g.k()], 0, g.k());
        Conv2dScalar.backwardWeights(g, x, dy, withoutDb, null, 0, g.k());
        assertArrayEquals(withDb, withoutDb);
    }
}
