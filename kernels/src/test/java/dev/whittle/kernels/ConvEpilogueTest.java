package dev.whittle.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.whittle.kernels.vector.VectorKernels;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A convolution with its inference batch norm (and ReLU) applied as it is written ({@link
 * ConvKernels#forwardThen}) computes what the scalar convolution followed by the scalar affine pass (then a
 * residual add and the ReLU) computes, on every kernel set: whole layers and alive subsets, with and without the
 * residual and the ReLU, on and off the vector set's direct path, a one-channel layer (SmallConv, then the affine pass), images side by side with a short last chunk.
 */
class ConvEpilogueTest {
    private static final KernelSet[] SETS = {KernelSet.scalar(), VectorKernels.create()};

    private static float[] rand(SplittableRandom r, int n) {
        return AliveFixtures.rand(r, n);
    }

    private static int[] subset(SplittableRandom r, int n) {
        return AliveFixtures.subset(r, n);
    }

    @Test
    void theEpilogueAppliedWhileWritingEqualsTheConvolutionThenTheAffinePass() {
        int[][] shapes = {
            {11, 12, 7, 7, 17, 3, 1, 1}, // direct path, 7×7 maps side by side, short last chunk
            {3, 24, 9, 9, 20, 3, 1, 1}, // direct path
            {4, 32, 12, 12, 33, 3, 1, 1}, // Winograd (whole layer; the alive subsets stay direct)
            {2, 1, 13, 13, 29, 3, 1, 1}, // one input channel (SmallConv)
            {3, 17, 9, 9, 5, 3, 2, 1}, // stride 2: phase planes
            {11, 16, 14, 14, 20, 3, 2, 1}, // stride 2, ResNet-like: 8 images side by side, short last chunk
            {3, 16, 9, 9, 12, 1, 2, 0}, // 1×1 stride-2 shortcut: one phase
            {3, 6, 6, 6, 9, 5, 1, 2} // 5×5
        };
        SplittableRandom r = new SplittableRandom(8);
        for (int[] sh : shapes) {
            ConvGeometry g = ConvGeometry.square(sh[0], sh[1], sh[2], sh[3], sh[4], sh[5], sh[6], sh[7]);
            float[] x = rand(r, g.n() * g.c() * g.h() * g.w()), w = rand(r, g.weightSize()), b = rand(r, g.k());
            float[] scale = rand(r, g.k()), shift = rand(r, g.k());
            int pq = g.p() * g.q();
            // Lists: none, both, output only (a last masked conv), input only (a first one).
            for (int mode = 0; mode < 4; mode++) {
                boolean masked = mode > 0;
                int[] out = mode == 1 || mode == 2 ? subset(r, g.k()) : null;
                int[] in = mode == 1 || mode == 3 ? subset(r, g.c()) : null;
                int m = out == null ? g.k() : out.length, ci = in == null ? g.c() : in.length;
                int[] list = out == null ? Indices.all(g.k()) : out;
                for (int variant = 0; variant < 4; variant++) {
                    boolean relu = variant % 2 == 1;
                    float[] res = variant >= 2 ? rand(r, g.n() * g.k() * pq) : null; // a residual add's shortcut
                    float[] expect = new float[g.n() * g.k() * pq];
                    if (masked)
                        Conv2dScalar.forward(
                                g, x, w, b, expect, list, m, in == null ? Indices.all(g.c()) : in, ci, 0, g.n());
                    else Conv2dScalar.forward(g, x, w, b, expect, 0, g.n());
                    BatchNormScalar.affineInPlace(g.k(), pq, expect, scale, shift, false, list, m, 0, g.n());
                    for (int n = 0; n < g.n(); n++) {
                        for (int t = 0; t < m; t++) {
                            int base = (n * g.k() + list[t]) * pq;
                            for (int j = base; j < base + pq; j++) {
                                float v = expect[j] + (res == null ? 0f : res[j]);
                                expect[j] = relu ? Math.max(v, 0f) : v;
                            }
                        }
                    }
                    ConvEpilogue e = new ConvEpilogue(scale, shift, relu, res);
                    for (KernelSet set : SETS) {
                        float[] y = rand(r, expect.length); // dead planes must come out 0, not stay as they were
                        set.conv().forwardThen(g, x, w, b, y, out, m, in, ci, 0, 1, e);
                        set.conv().forwardThen(g, x, w, b, y, out, m, in, ci, 1, g.n(), e);
                        String what = set.name() + " " + g + (masked ? " alive " + m + "/" + ci + " mode " + mode : "")
                                + " relu " + relu + " residual " + (res != null);
                        for (int i = 0; i < expect.length; i++)
                            assertEquals(expect[i], y[i], 1e-4 * (1 + Math.abs(expect[i])), what + " y[" + i + "]");
                    }
                }
            }
        }
    }

    /**
     * With a pool target the kernel sets write max-pool 2×2/2 of the epilogue's output, bit for bit what pooling the
     * unfused output gives: Winograd pooling as it writes (one map to a row; odd widths side by side, with a short
     * last group and odd maps whose last row and column the floor-mode pool drops; even widths side by side, where
     * every other image starts at an odd column), and the pass after the other paths (direct, stride 2).
     */
    @Test
    void aPoolTargetGetsTheMaxPoolOfTheEpiloguesOutput() {
        int[][] shapes = {
            {2, 32, 28, 28, 32, 3, 1, 1}, // Winograd F(4×4), one 28-wide map to a row: pooled in the output transform
            {11, 48, 7, 7, 50, 3, 1, 1}, // F(4×4), 7×7 three to a row, short last group: pooled there
            {11, 24, 7, 7, 26, 3, 1, 1}, // Winograd, 7×7 three to a row, short last group: pooled there
            {8, 24, 9, 9, 25, 3, 1, 1}, // Winograd, odd maps: the last tile row and column pool nothing
            {4, 32, 12, 12, 33, 3, 1, 1}, // Winograd, two 12-wide maps to a row: the second starts odd (lane shift)
            {3, 24, 9, 9, 20, 3, 1, 1}, // direct path, then a pool pass
            {3, 17, 10, 10, 5, 3, 2, 1}, // stride 2 (phase planes), then a pool pass
            {3, 1, 10, 10, 11, 3, 1, 1} // one input channel (SmallConv), then the affine and pool passes
        };
        SplittableRandom r = new SplittableRandom(9);
        for (int[] sh : shapes) {
            ConvGeometry g = ConvGeometry.square(sh[0], sh[1], sh[2], sh[3], sh[4], sh[5], sh[6], sh[7]);
            float[] x = rand(r, g.n() * g.c() * g.h() * g.w()), w = rand(r, g.weightSize()), b = rand(r, g.k());
            float[] scale = rand(r, g.k()), shift = rand(r, g.k());
            int planes = g.n() * g.k(), pooledSize = planes * (g.p() / 2) * (g.q() / 2);
            for (boolean relu : new boolean[] {false, true}) {
                ConvEpilogue plain = new ConvEpilogue(scale, shift, relu);
                for (KernelSet set : SETS) {
                    float[] y = new float[planes * g.p() * g.q()], expect = new float[pooledSize];
                    set.conv().forwardThen(g, x, w, b, y, null, g.k(), null, g.c(), 0, g.n(), plain);
                    PoolScalar.maxForwardInference(g.p(), g.q(), 2, 2, 0, y, expect, 0, planes);
                    float[] pooled = rand(r, pooledSize), scratch = rand(r, y.length);
                    ConvEpilogue e = plain.pooledInto(pooled);
                    // One call for the whole batch, as the reference: the path depends on the images per call.
                    set.conv().forwardThen(g, x, w, b, scratch, null, g.k(), null, g.c(), 0, g.n(), e);
                    for (int i = 0; i < pooledSize; i++)
                        assertEquals(
                                expect[i], pooled[i], set.name() + " " + g + " relu " + relu + " pooled[" + i + "]");
                }
            }
        }
    }
}
