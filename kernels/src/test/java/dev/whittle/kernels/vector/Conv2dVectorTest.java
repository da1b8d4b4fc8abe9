package dev.whittle.kernels.vector;

import dev.whittle.kernels.ConvGeometry;
import dev.whittle.kernels.ConvKernels;
import dev.whittle.kernels.KernelSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conv2dVector against the scalar reference (the oracle) on awkward geometries: batch 1 and 3, channels 1, 3, 17,
 * maps 1 to 28, kernels 1, 3, 5, stride 1 and 2, padding 0 to 2, grouped and depthwise convolutions, filter counts
 * that are not multiples of the 6-row register tile, maps small enough that images are batched into one GEMM
 * (including a last, partial batch). Every kernel is checked on its full range and on a sub-range
 * (which must leave everything outside the range bit-identical), accumulating into non-zero dx, dw and db.
 * Tolerances: see {@link Tensors}; σ_x = 1, σ_w = 0.5, σ_dy = 1.
 */
class Conv2dVectorTest {
    static final ConvKernels VECTOR = VectorKernels.create().conv();
    static final ConvKernels SCALAR = KernelSet.scalar().conv();

    record Case(String name, ConvGeometry g) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("N1 C1 5x5 K5 k3 s1 p1", ConvGeometry.square(1, 1, 5, 5, 5, 3, 1, 1)),
                new Case("N3 C3 7x7 K17 k3 s1 p1", ConvGeometry.square(3, 3, 7, 7, 17, 3, 1, 1)),
                new Case("N3 C17 9x9 K5 k3 s2 p1", ConvGeometry.square(3, 17, 9, 9, 5, 3, 2, 1)),
                new Case("N1 C3 13x13 K17 k5 s1 p2", ConvGeometry.square(1, 3, 13, 13, 17, 5, 1, 2)),
                new Case("N3 C17 13x13 K5 k5 s2 p0", ConvGeometry.square(3, 17, 13, 13, 5, 5, 2, 0)),
                new Case("N3 C3 5x5 K7 k5 s2 p2", ConvGeometry.square(3, 3, 5, 5, 7, 5, 2, 2)),
                new Case("N1 C1 1x1 K1 k3 s1 p1 (map 1)", ConvGeometry.square(1, 1, 1, 1, 1, 3, 1, 1)),
                new Case("N3 C3 1x1 K5 k1 s1 p0 (map 1, pointwise)", ConvGeometry.square(3, 3, 1, 1, 5, 1, 1, 0)),
                new Case("N3 C17 7x7 K17 k1 s1 p0 (pointwise)", ConvGeometry.square(3, 17, 7, 7, 17, 1, 1, 0)),
                new Case("N3 C3 9x9 K5 k1 s2 p0 (shortcut)", ConvGeometry.square(3, 3, 9, 9, 5, 1, 2, 0)),
                // Rows long enough for the vector stride-2 gather and scatter-add (and their scalar tails).
                new Case("N2 C5 28x28 K9 k1 s2 p0 (ResNet shortcut)", ConvGeometry.square(2, 5, 28, 28, 9, 1, 2, 0)),
                new Case("N2 C4 33x33 K6 k3 s2 p1 (wide stride 2)", ConvGeometry.square(2, 4, 33, 33, 6, 3, 2, 1)),
                new Case("N3 C5 5x5 K5 k1 s1 p1 (1x1 padded)", ConvGeometry.square(3, 5, 5, 5, 5, 1, 1, 1)),
                new Case(
                        "N3 C3 11x11 K5 k3 s1 p1 (images batched 2 + 1)",
                        ConvGeometry.square(3, 3, 11, 11, 5, 3, 1, 1)),
                new Case(
                        "N3 C5 11x11 K7 k1 s1 p0 (pointwise, batched 2 + 1)",
                        ConvGeometry.square(3, 5, 11, 11, 7, 1, 1, 0)),
                new Case("N1 C1 28x28 K6 k5 s1 p2 (LeNet conv1)", ConvGeometry.square(1, 1, 28, 28, 6, 5, 1, 2)),
                new Case(
                        "N3 C32 7x7 K33 k3 s1 p1 (CRS 288 > one K block)",
                        ConvGeometry.square(3, 32, 7, 7, 33, 3, 1, 1)),
                new Case("N3 C6 7x7 K9 k3 s1 p1 groups3", new ConvGeometry(3, 6, 7, 7, 9, 3, 3, 1, 1, 1, 1, 3)),
                new Case(
                        "N3 C3 9x9 K6 k3 s2 p1 groups3 (multiplier 2)",
                        new ConvGeometry(3, 3, 9, 9, 6, 3, 3, 2, 2, 1, 1, 3)),
                new Case(
                        "N3 C8 7x7 K4 k1 s1 p0 groups2 (grouped pointwise)",
                        new ConvGeometry(3, 8, 7, 7, 4, 1, 1, 1, 1, 0, 0, 2)),
                new Case("N3 C5 7x7 K5 k3 s1 p1 depthwise", new ConvGeometry(3, 5, 7, 7, 5, 3, 3, 1, 1, 1, 1, 5)),
                new Case(
                        "N3 C3 7x9 K5 k3x5 s2x1 p1x2 (non-square)",
                        new ConvGeometry(3, 3, 7, 9, 5, 3, 5, 2, 1, 1, 2, 1)),
                new Case(
                        "N3 C3 9x7 K3 k5x1 s1x2 p0x1 (non-square)",
                        new ConvGeometry(3, 3, 9, 7, 3, 5, 1, 1, 2, 0, 1, 1)),
                new Case(
                        "N3 C3 7x9 K5 k3x5 s1 p1x2 (non-square, direct)",
                        new ConvGeometry(3, 3, 7, 9, 5, 3, 5, 1, 1, 1, 2, 1)),
                new Case(
                        "N11 C4 13x13 K9 k3 s1 p1 (direct: 4 images side by side, short last chunk)",
                        ConvGeometry.square(11, 4, 13, 13, 9, 3, 1, 1)),
                new Case("N5 C2 6x6 K3 k3 s1 p0 (direct, unpadded)", ConvGeometry.square(5, 2, 6, 6, 3, 3, 1, 0)),
                new Case(
                        "N11 C16 14x14 K20 k3 s2 p1 (phase planes: 8 images side by side, short last chunk)",
                        ConvGeometry.square(11, 16, 14, 14, 20, 3, 2, 1)),
                new Case(
                        "N3 C5 10x11 K9 k4x3 s2 p1x0 (phase planes: even kernel, odd width, no column pad)",
                        new ConvGeometry(3, 5, 10, 11, 9, 4, 3, 2, 2, 1, 0, 1)),
                new Case(
                        "N3 C16 9x9 K12 k1 s2 p0 (phase planes: 1x1 shortcut, one phase)",
                        ConvGeometry.square(3, 16, 9, 9, 12, 1, 2, 0)),
                new Case(
                        "N3 C32 14x14 K40 k3 s1 p1 (Winograd: 32+ channels, 588 outputs)",
                        ConvGeometry.square(3, 32, 14, 14, 40, 3, 1, 1)),
                new Case(
                        "N3 C1 28x28 K32 k3 s1 p1 (VGG conv1, small-CRS: 8-filter blocks, masked last columns)",
                        ConvGeometry.square(3, 1, 28, 28, 32, 3, 1, 1)),
                new Case(
                        "N3 C1 13x13 K13 k3 s1 p1 (small-CRS: a block and five single filters)",
                        ConvGeometry.square(3, 1, 13, 13, 13, 3, 1, 1)),
                new Case("N2 C1 9x9 K9 k3 s1 p0 (small-CRS, unpadded)", ConvGeometry.square(2, 1, 9, 9, 9, 3, 1, 0)),
                new Case(
                        "N3 C1 17x19 K11 k3x5 s1 p1x2 (small-CRS 15, two column blocks)",
                        new ConvGeometry(3, 1, 17, 19, 11, 3, 5, 1, 1, 1, 2, 1)));
    }

    static int xSize(ConvGeometry g) {
        return g.n() * g.c() * g.h() * g.w();
    }

    static int ySize(ConvGeometry g) {
        return g.n() * g.k() * g.p() * g.q();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardFiltersComputesExactlyItsFiltersAndAgreesWithTheFullForward(Case c) {
        ConvGeometry g = c.g();
        long seed = c.name().hashCode() + 7;
        float[] x = Tensors.randn(seed, xSize(g), 1.0), w = Tensors.randn(seed + 1, g.weightSize(), 0.5);
        float[] b = Tensors.randn(seed + 2, g.k(), 0.5);
        double tol = Tensors.absTol((long) g.cPerGroup() * g.r() * g.s() + 1, 1.0, 0.5);
        float[] full = new float[ySize(g)];
        SCALAR.forward(g, x, w, b, full, 0, g.n());
        // Two threads' halves of the filters, split off the 8-row tile grid on purpose (k1 = 1 or K/2 + 1).
        int k1 = Math.min(g.k(), g.k() / 2 + 1), pq = g.p() * g.q();
        float[] before = Tensors.randn(seed + 3, ySize(g), 1.0);
        for (var kernels : List.of(SCALAR, VECTOR)) {
            float[] y = before.clone();
            kernels.forwardFilters(g, x, w, b, y, 0, g.n(), 0, k1);
            for (int n = 0; n < g.n(); n++) {
                for (int k = 0; k < g.k(); k++) {
                    int o = (n * g.k() + k) * pq;
                    float[] want = k < k1 ? full : before;
                    for (int i = 0; i < pq; i++) {
                        // Tensors.assertClose's bound (below): Winograd's rounding grows with the output's size.
                        if (Math.abs(want[o + i] - y[o + i]) > 1e-4 * Math.abs(want[o + i]) + tol) {
                            throw new AssertionError(c + " " + kernels + " image " + n + " filter " + k + " [" + i
                                    + "]: expected " + want[o + i] + " but found " + y[o + i]);
                        }
                    }
                }
            }
            kernels.forwardFilters(g, x, w, b, y, 0, g.n(), k1, g.k());
            Tensors.assertClose(c + " " + kernels + " both halves", full, y, tol);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardMatchesScalarOnFullAndSubRange(Case c) {
        ConvGeometry g = c.g();
        long seed = c.name().hashCode();
        float[] x = Tensors.randn(seed, xSize(g), 1.0), w = Tensors.randn(seed + 1, g.weightSize(), 0.5);
        float[] b = Tensors.randn(seed + 2, g.k(), 0.5);
        double tol = Tensors.absTol((long) g.cPerGroup() * g.r() * g.s() + 1, 1.0, 0.5);
        for (float[] bias : new float[][] {b, null}) {
            float[] ref = new float[ySize(g)], out = Tensors.filled(ySize(g), Float.NaN);
            SCALAR.forward(g, x, w, bias, ref, 0, g.n());
            VECTOR.forward(g, x, w, bias, out, 0, g.n());
            Tensors.assertClose(c + " forward bias=" + (bias != null), ref, out, tol);
        }
        // Sub-range [n1, n2) must overwrite exactly those images.
        int n1 = g.n() > 1 ? 1 : 0, n2 = g.n() > 2 ? 2 : g.n();
        int per = g.k() * g.p() * g.q();
        float[] before = Tensors.randn(seed + 3, ySize(g), 1.0);
        float[] ref = before.clone(), out = before.clone();
        SCALAR.forward(g, x, w, b, ref, n1, n2);
        VECTOR.forward(g, x, w, b, out, n1, n2);
        Tensors.assertUntouchedOutside(c + " forward [" + n1 + "," + n2 + ")", before, out, n1 * per, n2 * per);
        Tensors.assertClose(c + " forward sub-range", ref, out, tol);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void backwardDataMatchesScalarAndAccumulates(Case c) {
        ConvGeometry g = c.g();
        long seed = c.name().hashCode() + 10;
        float[] dy = Tensors.randn(seed, ySize(g), 1.0), w = Tensors.randn(seed + 1, g.weightSize(), 0.5);
        float[] dx0 = Tensors.randn(seed + 2, xSize(g), 1.0);
        // Each dx element gathers at most (K/G)·R·S terms (plus the initial value).
        double tol = Tensors.absTol((long) (g.k() / g.groups()) * g.r() * g.s() + 1, 1.0, 0.5);
        float[] ref = dx0.clone(), out = dx0.clone();
        SCALAR.backwardData(g, dy, w, ref, 0, g.n());
        VECTOR.backwardData(g, dy, w, out, 0, g.n());
        Tensors.assertClose(c + " backwardData", ref, out, tol);

        int n1 = g.n() > 1 ? 1 : 0, n2 = g.n() > 2 ? 2 : g.n();
        int per = g.c() * g.h() * g.w();
        ref = dx0.clone();
        out = dx0.clone();
        SCALAR.backwardData(g, dy, w, ref, n1, n2);
        VECTOR.backwardData(g, dy, w, out, n1, n2);
        Tensors.assertUntouchedOutside(c + " backwardData [" + n1 + "," + n2 + ")", dx0, out, n1 * per, n2 * per);
        Tensors.assertClose(c + " backwardData sub-range", ref, out, tol);
    }

    /**
     * backwardDataInto overwrites: on a range of stale images it gives the scalar backward into zeros, on both kernel
     * sets (the direct and Winograd paths write their rows whole, the others zero and accumulate), and leaves the
     * images outside the range alone.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void backwardDataIntoOverwritesTheRangeWithTheGradient(Case c) {
        ConvGeometry g = c.g();
        long seed = c.name().hashCode() + 30;
        float[] dy = Tensors.randn(seed, ySize(g), 1.0), w = Tensors.randn(seed + 1, g.weightSize(), 0.5);
        float[] stale = Tensors.randn(seed + 2, xSize(g), 3.0);
        double tol = Tensors.absTol((long) (g.k() / g.groups()) * g.r() * g.s() + 1, 1.0, 0.5);
        int n1 = g.n() > 1 ? 1 : 0, per = g.c() * g.h() * g.w();
        float[] ref = new float[xSize(g)];
        SCALAR.backwardData(g, dy, w, ref, n1, g.n());
        for (int i = 0; i < n1 * per; i++) ref[i] = stale[i];
        for (ConvKernels kernels : new ConvKernels[] {SCALAR, VECTOR}) {
            float[] out = stale.clone();
            kernels.backwardDataInto(g, dy, w, out, n1, g.n());
            Tensors.assertUntouchedOutside(c + " backwardDataInto [" + n1 + ",N)", stale, out, n1 * per, g.n() * per);
            Tensors.assertClose(c + " backwardDataInto", ref, out, tol);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void backwardWeightsMatchesScalarAndAccumulates(Case c) {
        ConvGeometry g = c.g();
        long seed = c.name().hashCode() + 20;
        float[] x = Tensors.randn(seed, xSize(g), 1.0), dy = Tensors.randn(seed + 1, ySize(g), 1.0);
        float[] dw0 = Tensors.randn(seed + 2, g.weightSize(), 1.0), db0 = Tensors.randn(seed + 3, g.k(), 1.0);
        // Each dw element sums N·P·Q products x·dy; each db element N·P·Q values of dy.
        double tol = Tensors.absTol((long) g.n() * g.p() * g.q() + 1, 1.0, 1.0);
        for (boolean withBias : new boolean[] {true, false}) {
            float[] refW = dw0.clone(), outW = dw0.clone(), refB = db0.clone(), outB = db0.clone();
            SCALAR.backwardWeights(g, x, dy, refW, withBias ? refB : null, 0, g.k());
            VECTOR.backwardWeights(g, x, dy, outW, withBias ? outB : null, 0, g.k());
            Tensors.assertClose(c + " dw", refW, outW, tol);
            Tensors.assertClose(c + " db", refB, outB, tol);
        }
        // Sub-range of filters that is not aligned to groups or to the register tile.
        int k1 = g.k() > 2 ? 1 : 0, k2 = g.k() > 2 ? g.k() - 1 : g.k();
        int per = g.weightSize() / g.k();
        float[] refW = dw0.clone(), outW = dw0.clone(), refB = db0.clone(), outB = db0.clone();
        SCALAR.backwardWeights(g, x, dy, refW, refB, k1, k2);
        VECTOR.backwardWeights(g, x, dy, outW, outB, k1, k2);
        Tensors.assertUntouchedOutside(c + " dw [" + k1 + "," + k2 + ")", dw0, outW, k1 * per, k2 * per);
        Tensors.assertUntouchedOutside(c + " db [" + k1 + "," + k2 + ")", db0, outB, k1, k2);
        Tensors.assertClose(c + " dw sub-range", refW, outW, tol);
        Tensors.assertClose(c + " db sub-range", refB, outB, tol);
    }
}
