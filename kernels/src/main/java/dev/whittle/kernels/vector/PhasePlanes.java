package dev.whittle.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The phase-plane layout of {@link DirectConv}'s stride-2 forward: a padded plane split into its (row, column)
 * parity phases, phase (a, b) holding padded element (2i + a, 2j + b) at (i, j), so that a stride-2 convolution's
 * im2col rows are contiguous runs of one phase (padded element (2p + r, 2q + s) is element (p + r/2, q + s/2) of
 * phase (r mod 2, s mod 2)). A 1-wide kernel dimension needs only its even phase.
 */
final class PhasePlanes {
    static final VectorSpecies<Float> S = Sgemm.S;
    static final int VL = Sgemm.VL;

    /** Two-vector permute tables: lane t reads element 2t (EVEN) or 2t + 1 (ODD) of the pair (v0, v1). */
    private static final float[] EVEN = table(0), ODD = table(1);

    private PhasePlanes() {}

    private static float[] table(int offset) {
        float[] t = new float[VL];
        for (int i = 0; i < VL; i++) t[i] = 2 * i + offset;
        return t;
    }

    /** Floats of the row buffer {@link #copy} needs for rows W wide. */
    static int splitSize(int wIn) {
        return 2 * ((wIn + 1) / 2 + VL);
    }

    /**
     * rowBase[(c, r, s)] for stride 2: phase (r mod 2, s mod 2) of channel c (phasesH·phasesW phase planes per
     * channel, {@code plane} floats each), row r/2, column s/2.
     */
    static void fillRowBase(int[] rowBase, int cIn, int r, int s, int phasesH, int phasesW, int plane, int wp) {
        int t = 0;
        for (int c = 0; c < cIn; c++) {
            for (int rr = 0; rr < r; rr++) {
                for (int ss = 0; ss < s; ss++) {
                    int phase = (c * phasesH + rr % 2) * phasesW + ss % 2;
                    rowBase[t++] = phase * plane + rr / 2 * wp + ss / 2;
                }
            }
        }
    }

    /**
     * Copies one image's cIn planes (plane c is x's plane {@code in[c]}, or c when null) into its phase planes at
     * column col0: phase (a, b), element (i, j) is x's element (2i + a − ph, 2j + b − pw) for j in [0, Wq); elements
     * outside the image are not written (they stay zero). Each source row is split once into its even and odd
     * columns (two-vector permutes into {@code split}, at least 2·(⌈W/2⌉ + VL) floats), then each phase row is one
     * {@code System.arraycopy}: the element-by-element strided copy had cost 1.6 ns per input float, 40 % of a
     * 16→32 stride-2 layer at 32×32.
     */
    static void copy(
            float[] x,
            int xOff,
            int cIn,
            int[] in,
            int h,
            int wIn,
            int ph,
            int pw,
            int phasesH,
            int phasesW,
            float[] xpad,
            int plane,
            int wp,
            int rows,
            int wq,
            int col0,
            float[] split) {
        FloatVector even = FloatVector.fromArray(S, EVEN, 0), odd = FloatVector.fromArray(S, ODD, 0);
        int hw = h * wIn, half = (wIn + 1) / 2 + VL;
        for (int c = 0; c < cIn; c++) {
            int src = xOff + (in == null ? c : in[c]) * hw;
            for (int row = 0; row < h; row++) {
                int a = (row + ph) & 1, i = (row + ph) >> 1;
                if (a >= phasesH || i >= rows) continue;
                int from = src + row * wIn, t0 = 0;
                for (; 2 * t0 < wIn && from + 2 * t0 + 2 * VL <= x.length; t0 += VL) {
                    FloatVector v0 = FloatVector.fromArray(S, x, from + 2 * t0);
                    FloatVector v1 = FloatVector.fromArray(S, x, from + 2 * t0 + VL);
                    even.selectFrom(v0, v1).intoArray(split, t0);
                    odd.selectFrom(v0, v1).intoArray(split, half + t0);
                }
                for (int col = 2 * t0; col < wIn; col++) split[(col & 1) * half + (col >> 1)] = x[from + col];
                for (int b = 0; b < phasesW; b++) {
                    // Element j of phase b reads source column 2j + b − pw = 2t + parity: t = j + d.
                    int parity = (b - pw) & 1, d = (b - pw - parity) / 2;
                    int j0 = Math.max(0, -d), j1 = Math.min(wq, (wIn - parity + 1) / 2 - d);
                    if (j1 <= j0) continue;
                    int dst = ((c * phasesH + a) * phasesW + b) * plane + col0 + i * wp;
                    System.arraycopy(split, parity * half + j0 + d, xpad, dst + j0, j1 - j0);
                }
            }
        }
    }
}
