package dev.whittle.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Winograd}'s output transform, y = e(Aᵀ m A + bias) per tile, written either as every output or, for a
 * convolution followed by a 2×2, stride-2 max pool (VGG-small's conv2, conv4 and conv6 at inference), as the pooled
 * values only: a tile's 2×2 outputs are exactly one pool window, so each tile's four outputs go through the
 * epilogue and only their maximum is stored. Then the full-size output is never written, the pool's pass over it
 * disappears, and the pooled values of a tile row leave as one vector (tiles are lanes), where the full output
 * interleaves two rows back into columns and stores them image by image.
 *
 * <p>Images whose columns start at an odd combined column (even W, several images to a row: image i starts at
 * i·(W + 1)) take each window from one tile's odd column and the next tile's even one, through a one-lane shift.
 * The pooled arithmetic up to the maximum is the full output's and {@link DirectConv#storeRow}'s, operation for
 * operation, so the pooled values are bit-identical to pooling the unfused output.
 */
final class WinogradOutput {
    static final VectorSpecies<Float> S = Sgemm.S;
    static final int VL = Sgemm.VL;
    static final int TS = Winograd.TS;

    /** Lane l reads lane l + 1 (the last lane itself): the next tile's value. */
    private static final float[] NEXT = next();

    private WinogradOutput() {}

    /** {@link #transform}'s parameters, which {@link Winograd4Output#transform} shares: one call site for both. */
    @FunctionalInterface
    interface Transform {
        void run(
                float[] m,
                int mOff,
                int xiStride,
                int ty0,
                int ty1,
                int tw,
                int segs,
                int h,
                int wIn,
                int nbl,
                int bandRows,
                float[] rows,
                float[] out,
                int outOff,
                int outImage,
                float bias,
                boolean affine,
                float scale,
                float shift,
                float[] res,
                boolean relu,
                boolean accumulate,
                boolean pool);
    }

    private static float[] next() {
        float[] t = new float[VL];
        for (int i = 0; i < VL; i++) t[i] = Math.min(i + 1, VL - 1);
        return t;
    }

    /**
     * The tiles of one output plane, tile (ty, tx) of the products at m[mOff + ξ·xiStride + ty·TW + tx] (read VL
     * lanes at a time, so m needs VL floats of slack), images side by side as {@link Winograd#imagesSideBySide} lays
     * them, image i's plane at out[outOff + i·outImage]:
     * <ul>
     *   <li>{@code pool} false: y = e(Aᵀ m A + bias), H × W per plane. A segment's two output rows are interleaved
     *       into {@code rows} and written by {@link DirectConv#storeRow}, which applies the bias and epilogue.</li>
     *   <li>{@code pool} true: the 2×2, stride-2 max pool of that, ⌊H/2⌋ × ⌊W/2⌋ per plane (tile rows from ⌊H/2⌋ on,
     *       the odd last row of an odd map, pool nothing); res and accumulate are not used.</li>
     * </ul>
     */
    static void transform(
            float[] m,
            int mOff,
            int xiStride,
            int ty0,
            int ty1,
            int tw,
            int segs,
            int h,
            int wIn,
            int nbl,
            int bandRows,
            float[] rows,
            float[] out,
            int outOff,
            int outImage,
            float bias,
            boolean affine,
            float scale,
            float shift,
            float[] res,
            boolean relu,
            boolean accumulate,
            boolean pool) {
        FloatVector lo = FloatVector.fromArray(S, Permutes.ZIP_LO, 0),
                hi = FloatVector.fromArray(S, Permutes.ZIP_HI, 0);
        FloatVector next = FloatVector.fromArray(S, NEXT, 0);
        boolean oddStarts = pool && nbl > 1 && wIn % 2 == 0;
        for (int ty = ty0; ty < (pool ? Math.min(ty1, h / 2) : ty1); ty++) {
            for (int sg = 0; sg < segs; sg++) {
                int t = mOff + ty * tw + sg * TS;
                // s0_j = m0j + m1j + m2j and s1_j = m1j − m2j − m3j, column j of Aᵀ m (m_ij at ξ = 4i + j).
                FloatVector m0 = FloatVector.fromArray(S, m, t), m1 = FloatVector.fromArray(S, m, t + xiStride);
                FloatVector m2 = FloatVector.fromArray(S, m, t + 2 * xiStride);
                FloatVector m3 = FloatVector.fromArray(S, m, t + 3 * xiStride);
                FloatVector m4 = FloatVector.fromArray(S, m, t + 4 * xiStride);
                FloatVector m5 = FloatVector.fromArray(S, m, t + 5 * xiStride);
                FloatVector m6 = FloatVector.fromArray(S, m, t + 6 * xiStride);
                FloatVector m7 = FloatVector.fromArray(S, m, t + 7 * xiStride);
                FloatVector m8 = FloatVector.fromArray(S, m, t + 8 * xiStride);
                FloatVector m9 = FloatVector.fromArray(S, m, t + 9 * xiStride);
                FloatVector m10 = FloatVector.fromArray(S, m, t + 10 * xiStride);
                FloatVector m11 = FloatVector.fromArray(S, m, t + 11 * xiStride);
                FloatVector m12 = FloatVector.fromArray(S, m, t + 12 * xiStride);
                FloatVector m13 = FloatVector.fromArray(S, m, t + 13 * xiStride);
                FloatVector m14 = FloatVector.fromArray(S, m, t + 14 * xiStride);
                FloatVector m15 = FloatVector.fromArray(S, m, t + 15 * xiStride);
                FloatVector s00 = m0.add(m4).add(m8), s01 = m1.add(m5).add(m9);
                FloatVector s02 = m2.add(m6).add(m10), s03 = m3.add(m7).add(m11);
                FloatVector s10 = m4.sub(m8).sub(m12), s11 = m5.sub(m9).sub(m13);
                FloatVector s12 = m6.sub(m10).sub(m14), s13 = m7.sub(m11).sub(m15);
                FloatVector y00 = s00.add(s01).add(s02), y01 = s01.sub(s02).sub(s03);
                FloatVector y10 = s10.add(s11).add(s12), y11 = s11.sub(s12).sub(s13);
                if (!pool) {
                    lo.selectFrom(y00, y01).intoArray(rows, 0);
                    hi.selectFrom(y00, y01).intoArray(rows, VL);
                    lo.selectFrom(y10, y11).intoArray(rows, 2 * VL);
                    hi.selectFrom(y10, y11).intoArray(rows, 3 * VL);
                    storeRows(
                            rows,
                            0,
                            2 * VL,
                            2,
                            2 * TS * sg,
                            2 * TS,
                            2 * ty,
                            h,
                            wIn,
                            wIn + 1,
                            nbl,
                            bandRows,
                            out,
                            outOff,
                            outImage,
                            bias,
                            affine,
                            scale,
                            shift,
                            res,
                            relu,
                            accumulate);
                    continue;
                }
                // storeRow's epilogue (bias, affine, ReLU) in the same order, then each window's maximum. Here, not in
                // a helper: vectors handed across a call C2 may not inline are boxed.
                y00 = y00.add(bias);
                y01 = y01.add(bias);
                y10 = y10.add(bias);
                y11 = y11.add(bias);
                if (affine) {
                    y00 = y00.fma(scale, shift);
                    y01 = y01.fma(scale, shift);
                    y10 = y10.fma(scale, shift);
                    y11 = y11.fma(scale, shift);
                }
                if (relu) {
                    y00 = y00.max(0f);
                    y01 = y01.max(0f);
                    y10 = y10.max(0f);
                    y11 = y11.max(0f);
                }
                // Each tile's even and odd output column, both rows: a window starting at an even combined column
                // is one tile (c0 ∨ c1); one starting odd takes a tile's odd column and the next tile's even one.
                FloatVector c0 = y00.max(y10), c1 = y01.max(y11);
                c0.max(c1).intoArray(rows, 0);
                if (oddStarts) c1.max(next.selectFrom(c0)).intoArray(rows, VL);
                storePooled(rows, sg, ty, wIn, nbl, out, outOff, outImage);
            }
        }
    }

    /**
     * A segment's output rows, cut into the images they belong to: row r (of nRows, from output row y0; rows past H
     * skipped) at rows[at + r·rowStep], combined columns [col, col + segCols) in its lanes; image i starts at combined
     * column i·period (a band i of one image: rows past the image's last one skipped, {@link WinogradLayout}). Shared
     * by F(2×2) (two rows) and F(4×4) (four).
     */
    static void storeRows(
            float[] rows,
            int at,
            int rowStep,
            int nRows,
            int col,
            int segCols,
            int y0,
            int h,
            int wIn,
            int period,
            int nbl,
            int bandRows,
            float[] y,
            int yOff,
            int yImage,
            float bias,
            boolean affine,
            float scale,
            float shift,
            float[] res,
            boolean relu,
            boolean accumulate) {
        for (int i = 0; i < nbl; i++) {
            int first = i * period, from = Math.max(col, first), to = Math.min(col + segCols, first + wIn);
            // Slot i's rows end at H, or for band i at the image's last row (H − i·bandRows of them).
            int rowsLeft = h - i * bandRows - y0;
            if (from >= to || rowsLeft <= 0) continue;
            int yo = yOff + i * yImage + y0 * wIn + from - first;
            DirectConv.storeRows(
                    rows,
                    at + from - col,
                    rowStep,
                    y,
                    yo,
                    wIn,
                    Math.min(nRows, rowsLeft),
                    to - from,
                    bias,
                    affine,
                    scale,
                    shift,
                    res,
                    relu,
                    accumulate);
        }
    }

    /**
     * A segment's pooled values, lane per tile: windows from even columns at rows[0..VL), from odd ones at
     * rows[VL..2·VL). Image i starts at combined column first = i·(W + 1); its pooled column j is tile first/2 + j
     * (first even), or tiles first/2 + j and + j + 1 (first odd). The segment holds tiles [sg·TS, sg·TS + TS); an
     * image with an odd start shares its row with others, so it lies within one.
     */
    private static void storePooled(
            float[] rows, int sg, int ty, int wIn, int nbl, float[] pooled, int pOff, int pImage) {
        int pw = wIn / 2;
        for (int i = 0; i < nbl; i++) {
            int first = i * (wIn + 1), odd = first & 1, t0 = first / 2;
            int lo = Math.max(t0, sg * TS), hi = Math.min(t0 + pw, sg * TS + TS - odd);
            if (lo < hi)
                System.arraycopy(rows, odd * VL + lo - sg * TS, pooled, pOff + i * pImage + ty * pw + lo - t0, hi - lo);
        }
    }
}
