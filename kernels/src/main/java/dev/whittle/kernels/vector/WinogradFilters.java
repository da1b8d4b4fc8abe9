package dev.whittle.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Winograd's filter transform U = G g Gᵀ for either tile size, written straight into the products' packed A operand.
 * A strip's MR = 8 filters are one 256-bit vector (their weights transposed first by {@link #transposeStrip}), so
 * every transformed position is one contiguous store. Per (filter, channel) the scalar versions took 13 ns (F(2×2))
 * and 44 ns (F(4×4), in double with divisions): 0.72 ms a call for 128→128, about a seventh of that layer's batch-64
 * call; gathering each tap across the strip instead of transposing ran 0.31–0.51 ms and sometimes far slower.
 */
final class WinogradFilters {
    static final int MR = Sgemm.MR;

    /** Eight filters side by side, the packed strip's width. */
    private static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;

    /** F(2×2, 3×3)'s G (4×3). */
    static final float[][] G2 = {{1, 0, 0}, {0.5f, 0.5f, 0.5f}, {0.5f, -0.5f, 0.5f}, {0, 0, 1}};

    /** F(4×4, 3×3)'s G (6×3). */
    static final float[][] G4 = {
        {1 / 4f, 0, 0},
        {-1 / 6f, -1 / 6f, -1 / 6f},
        {-1 / 6f, 1 / 6f, -1 / 6f},
        {1 / 24f, 1 / 12f, 1 / 6f},
        {1 / 24f, -1 / 12f, 1 / 6f},
        {0, 0, 1}
    };

    private WinogradFilters() {}

    /**
     * U = G g Gᵀ (n × n for G's n rows) for weight rows f0 + f, f in [0, mf), of w (rows, ci, 3, 3), packed as the
     * products' A operand: position ξ = n·row + column of filter f and channel c at
     * u[ξ·plane + (f / MR)·ci·MR + c·MR + f % MR] (MR filters side by side per channel, k-major, as
     * {@link Sgemm#kernel} reads them); rows past mf in the last strip are zero. {@code strip} holds 9·ci·MR floats.
     */
    static void transform(float[][] g, float[] w, int f0, int mf, int ci, float[] u, int plane, float[] strip) {
        int n = g.length, stride = ci * 9;
        for (int s0 = 0; s0 < mf; s0 += MR) {
            transposeStrip(w, f0 + s0, Math.min(MR, mf - s0), stride, strip);
            for (int c = 0; c < ci; c++) {
                int at = c * 9 * MR, o = s0 * ci + c * MR;
                FloatVector w00 = FloatVector.fromArray(S8, strip, at);
                FloatVector w01 = FloatVector.fromArray(S8, strip, at + MR);
                FloatVector w02 = FloatVector.fromArray(S8, strip, at + 2 * MR);
                FloatVector w10 = FloatVector.fromArray(S8, strip, at + 3 * MR);
                FloatVector w11 = FloatVector.fromArray(S8, strip, at + 4 * MR);
                FloatVector w12 = FloatVector.fromArray(S8, strip, at + 5 * MR);
                FloatVector w20 = FloatVector.fromArray(S8, strip, at + 6 * MR);
                FloatVector w21 = FloatVector.fromArray(S8, strip, at + 7 * MR);
                FloatVector w22 = FloatVector.fromArray(S8, strip, at + 8 * MR);
                for (int row = 0; row < n; row++) {
                    // Row `row` of G g (three columns), then that row times Gᵀ.
                    float g0 = g[row][0], g1 = g[row][1], g2 = g[row][2];
                    FloatVector a = w00.mul(g0).add(w10.mul(g1)).add(w20.mul(g2));
                    FloatVector b = w01.mul(g0).add(w11.mul(g1)).add(w21.mul(g2));
                    FloatVector cc = w02.mul(g0).add(w12.mul(g1)).add(w22.mul(g2));
                    for (int col = 0; col < n; col++) {
                        float h0 = g[col][0], h1 = g[col][1], h2 = g[col][2];
                        a.mul(h0).add(b.mul(h1)).add(cc.mul(h2)).intoArray(u, o + (n * row + col) * plane);
                    }
                }
            }
        }
    }

    /**
     * Weight rows [row0, row0 + n) of {@code stride} floats each, transposed so that element t of row i is at
     * strip[t·MR + i]; rows n .. MR − 1 are zero.
     */
    static void transposeStrip(float[] w, int row0, int n, int stride, float[] strip) {
        for (int i = 0; i < MR; i++) {
            if (i >= n) {
                for (int t = 0; t < stride; t++) strip[t * MR + i] = 0f;
                continue;
            }
            int src = (row0 + i) * stride;
            for (int t = 0; t < stride; t++) strip[t * MR + i] = w[src + t];
        }
    }
}
