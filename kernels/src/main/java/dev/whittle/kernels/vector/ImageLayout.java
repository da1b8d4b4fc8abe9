package dev.whittle.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Where {@link DirectConv} and {@link DirectConvWeights} keep the image operand, so that every im2col row is a
 * contiguous run at {@code rowBase[(c, r, s)]} and the kernels read it in place.
 *
 * <ul>
 *   <li>Stride 1: zero-padded planes, one per channel, small maps side by side (sharing their zero columns).</li>
 *   <li>Stride 2: phase planes. The padded plane is split into its (row, column) parity phases, phase (a, b)
 *       holding padded element (2i + a, 2j + b) at (i, j); output (p, q) reads padded element (2p + r, 2q + s),
 *       which is element (p + r/2, q + s/2) of phase (r mod 2, s mod 2). A 1-wide kernel dimension needs only its
 *       even phase.</li>
 * </ul>
 */
final class ImageLayout {
    static final VectorSpecies<Float> S = Sgemm.S;
    static final int VL = Sgemm.VL;

    /**
     * rowBase[(c, r, s)] for stride 2: phase (r mod 2, s mod 2) of channel c ({@link #phases}(R)·phases(S) planes per
     * channel, {@code plane} floats each), row r/2, column s/2.
     */
    static void fillPhaseRowBase(int[] rowBase, int cIn, int r, int s, int plane, int wp) {
        int phasesH = phases(r), phasesW = phases(s);
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
     * outside the image are not written (they stay zero). Each source row is split into its even and odd columns by
     * two-vector permutes, stored straight into the phase rows under a lane mask. Measured on a 16-channel 32×32
     * batch of 64: 1.6 ns per input float element by element, 0.9 through a row buffer and {@code System.arraycopy}
     * (the calls cost more than the copying), 0.53–0.62 this way.
     */
    static void copyPhases(
            float[] x,
            int xOff,
            int cIn,
            int[] in,
            int h,
            int wIn,
            int ph,
            int pw,
            int r,
            int s,
            float[] xpad,
            int plane,
            int wp,
            int rows,
            int wq,
            int col0) {
        FloatVector even = FloatVector.fromArray(S, Permutes.EVEN, 0), odd = FloatVector.fromArray(S, Permutes.ODD, 0);
        int hw = h * wIn, phasesH = phases(r), phasesW = phases(s);
        // Element j of phase b reads source column 2j + b − pw = 2t + parity_b with t = j + d_b (d_b ≤ 0: the first
        // −d_b columns are left padding), for t below limit_b (the source row's end, or the phase row's Wq).
        int parity0 = (-pw) & 1, d0 = (-pw - parity0) / 2;
        int parity1 = (1 - pw) & 1, d1 = (1 - pw - parity1) / 2;
        int limit0 = Math.min(wq + d0, (wIn - parity0 + 1) / 2), limit1 = Math.min(wq + d1, (wIn - parity1 + 1) / 2);
        if (phasesW == 1) limit1 = 0;
        for (int c = 0; c < cIn; c++) {
            int src = xOff + (in == null ? c : in[c]) * hw;
            for (int row = 0; row < h; row++) {
                int a = (row + ph) & 1, i = (row + ph) >> 1;
                if (a >= phasesH || i >= rows) continue;
                int from = src + row * wIn, t0 = 0;
                int dst0 = (c * phasesH + a) * phasesW * plane + col0 + i * wp - d0;
                int dst1 = dst0 + d0 + plane - d1;
                for (; 2 * t0 < wIn && from + 2 * t0 + 2 * VL <= x.length; t0 += VL) {
                    FloatVector v0 = FloatVector.fromArray(S, x, from + 2 * t0);
                    FloatVector v1 = FloatVector.fromArray(S, x, from + 2 * t0 + VL);
                    if (t0 < limit0) {
                        FloatVector e = parity0 == 0 ? even.selectFrom(v0, v1) : odd.selectFrom(v0, v1);
                        e.intoArray(xpad, dst0 + t0, S.indexInRange(t0, limit0));
                    }
                    if (t0 < limit1) {
                        FloatVector o = parity1 == 0 ? even.selectFrom(v0, v1) : odd.selectFrom(v0, v1);
                        o.intoArray(xpad, dst1 + t0, S.indexInRange(t0, limit1));
                    }
                }
                // The last row of x: no room for two full vectors.
                for (int col = 2 * t0; col < wIn; col++) {
                    int t = col >> 1;
                    if ((col & 1) == parity0 && t < limit0) xpad[dst0 + t] = x[from + col];
                    if ((col & 1) == parity1 && t < limit1) xpad[dst1 + t] = x[from + col];
                }
            }
        }
    }

    private ImageLayout() {}

    /**
     * Images laid side by side until a padded row is about this many floats wide, so that small maps fill the
     * 2·VL-column register tiles: at 7×7 (pad 1) one image computes 9 columns per row for 7 kept (29 % extra),
     * eight side by side compute 65 for 56 (16 %).
     */
    static final int TARGET_WIDTH = 64;

    // The two layouts of the image operand. Stride 1: nb images side by side in one padded plane per channel,
    // sharing the pw zero columns between them (image i's data starts at column pw + i·(W + pw)); the reads of image
    // i's outputs stay inside [its start − pw, end + pw). Stride 2: nb images' phase planes side by side
    // (below), Wq = Q + (S − 1)/2 columns each; an output's reads stay inside its image's columns.

    /** Columns per image: W + pw (stride 1), Wq (stride 2). */
    static int slotWidth(int stride, int wIn, int pw, int q, int s) {
        return stride == 1 ? wIn + pw : q + (s - 1) / 2;
    }

    /** Images side by side per chunk, until a row is about {@link #TARGET_WIDTH} floats wide. */
    static int slots(int stride, int images, int wIn, int pw, int slotWidth) {
        return stride == 1
                ? imagesSideBySide(images, wIn, pw)
                : Math.max(1, Math.min(images, TARGET_WIDTH / slotWidth));
    }

    /** Floats per row of a plane. */
    static int rowWidth(int stride, int nb, int slotWidth, int pw) {
        return stride == 1 ? pw + nb * slotWidth : nb * slotWidth;
    }

    /** Rows per plane: the padded height (stride 1), P + (R − 1)/2 (stride 2). */
    static int planeRows(int stride, int hp, int p, int r) {
        return stride == 1 ? hp : p + (r - 1) / 2;
    }

    /** Planes per input channel: one (stride 1), its phases (stride 2). */
    static int planesPerChannel(int stride, int r, int s) {
        return stride == 1 ? 1 : phases(r) * phases(s);
    }

    /** Parity phases a stride-2 kernel dimension of size k reads: both, or only the even one when k = 1. */
    static int phases(int k) {
        return Math.min(2, k);
    }

    /** rowBase[(c, r, s)] in either layout; returns C·R·S. */
    static int fillRowBase(int stride, int[] rowBase, int cIn, int r, int s, int plane, int wp) {
        if (stride == 1) return fillRowBase(rowBase, cIn, r, s, plane, wp);
        fillPhaseRowBase(rowBase, cIn, r, s, plane, wp);
        return cIn * r * s;
    }

    /** One image into slot {@code slot} of the chunk's planes, in either layout. */
    static void copyImage(
            int stride,
            float[] x,
            int xOff,
            int cIn,
            int[] in,
            int h,
            int wIn,
            int r,
            int s,
            int ph,
            int pw,
            float[] xpad,
            int plane,
            int wp,
            int rows,
            int step,
            int slot) {
        if (stride == 1) copyImage(x, xOff, cIn, in, h, wIn, xpad, 0, plane, wp, ph, pw + slot * step);
        else copyPhases(x, xOff, cIn, in, h, wIn, ph, pw, r, s, xpad, plane, wp, rows, step, slot * step);
    }

    /**
     * rowBase[(c, r, s)] = c·plane + r·wp + s: where each im2col row starts in the padded planes. Returns C·R·S.
     */
    static int fillRowBase(int[] rowBase, int cIn, int r, int s, int plane, int wp) {
        int t = 0;
        for (int c = 0; c < cIn; c++) {
            for (int rr = 0; rr < r; rr++) {
                for (int ss = 0; ss < s; ss++) rowBase[t++] = c * plane + rr * wp + ss;
            }
        }
        return t;
    }

    /**
     * Copies cIn planes (H×W) of one image, starting at x[xOff], into the padded planes at row ph, column col0:
     * plane c is x's plane {@code in[c]}, or c when {@code in} is null (a masked layer reads its alive channels
     * straight from the full activation, with no gathered copy in between).
     */
    static void copyImage(
            float[] x,
            int xOff,
            int cIn,
            int[] in,
            int h,
            int wIn,
            float[] xpad,
            int padOff,
            int plane,
            int wp,
            int ph,
            int col0) {
        int hw = h * wIn;
        for (int c = 0; c < cIn; c++) {
            int src = xOff + (in == null ? c : in[c]) * hw;
            copyRows(x, src, wIn, xpad, padOff + c * plane + ph * wp + col0, wp, h, wIn);
        }
    }

    /**
     * pad[to + r·padStep, + n) = x[from + r·xStep, + n) for r in [0, rows): whole vectors and a masked tail. One call
     * per image band, not per row, for the reason {@link DirectConv#storeRows} gives: a per-row call that C2 stops
     * inlining costs more than copying a row of 7 to 28 floats.
     */
    static void copyRows(float[] x, int from, int xStep, float[] pad, int to, int padStep, int rows, int n) {
        int full = n - n % VL;
        VectorMask<Float> tail = S.indexInRange(full, n);
        for (int r = 0; r < rows; r++, from += xStep, to += padStep) {
            for (int i = 0; i < full; i += VL)
                FloatVector.fromArray(S, x, from + i).intoArray(pad, to + i);
            if (full < n) FloatVector.fromArray(S, x, from + full, tail).intoArray(pad, to + full, tail);
        }
    }

    /** Images per chunk: side by side until a padded row is about {@link #TARGET_WIDTH} floats wide. */
    static int imagesSideBySide(int images, int wIn, int pw) {
        return Math.max(1, Math.min(images, TARGET_WIDTH / (wIn + pw)));
    }
}
