package dev.whittle.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Winograd4}'s output transform, y = e(Aᵀ m A + bias) per 4×4 tile, written as every output or, for a
 * convolution followed by a 2×2, stride-2 max pool, as the pooled values only (a tile holds four whole windows, since
 * every image starts at an even column: {@link Winograd4#period}). The epilogue and the pooling are
 * {@link WinogradOutput}'s, operation for operation, so the pooled values are bit-identical to pooling the unfused
 * output of this transform.
 */
final class Winograd4Output {
    static final VectorSpecies<Float> S = Sgemm.S;
    static final int VL = Sgemm.VL;
    static final int SEG = Winograd4.SEG;

    /** Scratch floats {@link #transform} needs: Aᵀ m (24 vectors), then the rows it writes (16 vectors). */
    static final int ROWS = 40 * VL;

    private static final int OUT = 24 * VL;

    private Winograd4Output() {}

    /**
     * The tiles of one output plane, tile (ty, tx) of the products at m[mOff + ξ·xiStride + ty·TW + tx] (read VL
     * lanes at a time, so m needs VL floats of slack), images side by side as {@link Winograd4#imagesSideBySide} lays
     * them, image i's plane at out[outOff + i·outImage]: every output (H × W, through {@code rows} and {@link
     * DirectConv#storeRow}, which applies bias and epilogue) or, with {@code pool}, the 2×2 maxima (⌊H/2⌋ × ⌊W/2⌋;
     * res and accumulate unused). {@code rows} holds {@link #ROWS} floats.
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
        FloatVector k2 = FloatVector.broadcast(S, 2f), k4 = FloatVector.broadcast(S, 4f);
        FloatVector k8 = FloatVector.broadcast(S, 8f);
        FloatVector lo = FloatVector.fromArray(S, Permutes.ZIP_LO, 0),
                hi = FloatVector.fromArray(S, Permutes.ZIP_HI, 0);
        // Tile rows whose first output row is inside the map (pooled: whose first pooled row is).
        int tyEnd = Math.min(ty1, pool ? (h / 2 + 1) / 2 : ty1);
        for (int ty = ty0; ty < tyEnd; ty++) {
            for (int sg = 0; sg < segs; sg++) {
                int t = mOff + ty * tw + sg * SEG;
                // Aᵀ m, column by column: row i of the result for column j goes to rows[(6i + j)·VL].
                for (int j = 0; j < 6; j++) {
                    FloatVector m0 = FloatVector.fromArray(S, m, t + j * xiStride);
                    FloatVector m1 = FloatVector.fromArray(S, m, t + (6 + j) * xiStride);
                    FloatVector m2 = FloatVector.fromArray(S, m, t + (12 + j) * xiStride);
                    FloatVector m3 = FloatVector.fromArray(S, m, t + (18 + j) * xiStride);
                    FloatVector m4 = FloatVector.fromArray(S, m, t + (24 + j) * xiStride);
                    FloatVector m5 = FloatVector.fromArray(S, m, t + (30 + j) * xiStride);
                    // m0 + (m1 + m2) + (m3 + m4), (m1 − m2) + 2(m3 − m4), (m1 + m2) + 4(m3 + m4), (m1 − m2) + 8(m3 −
                    // m4) + m5.
                    FloatVector s1 = m1.add(m2), d1 = m1.sub(m2), s2 = m3.add(m4), d2 = m3.sub(m4);
                    m0.add(s1).add(s2).intoArray(rows, j * VL);
                    d2.fma(k2, d1).intoArray(rows, (6 + j) * VL);
                    s2.fma(k4, s1).intoArray(rows, (12 + j) * VL);
                    d2.fma(k8, d1).add(m5).intoArray(rows, (18 + j) * VL);
                }
                if (!pool) {
                    // (Aᵀ m) A, row by row; a tile's four columns (c0 c1 c2 c3) interleaved into place in two rounds:
                    // (c0 c2) and (c1 c3) lane by lane, then those two, four output vectors per row at rows[OUT +
                    // i·4·VL].
                    for (int i = 0; i < 4; i++) {
                        int q = 6 * i * VL;
                        FloatVector m0 = FloatVector.fromArray(S, rows, q);
                        FloatVector m1 = FloatVector.fromArray(S, rows, q + VL);
                        FloatVector m2 = FloatVector.fromArray(S, rows, q + 2 * VL);
                        FloatVector m3 = FloatVector.fromArray(S, rows, q + 3 * VL);
                        FloatVector m4 = FloatVector.fromArray(S, rows, q + 4 * VL);
                        FloatVector m5 = FloatVector.fromArray(S, rows, q + 5 * VL);
                        FloatVector s1 = m1.add(m2), d1 = m1.sub(m2), s2 = m3.add(m4), d2 = m3.sub(m4);
                        FloatVector c0 = m0.add(s1).add(s2), c1 = d2.fma(k2, d1);
                        FloatVector c2 = s2.fma(k4, s1), c3 = d2.fma(k8, d1).add(m5);
                        FloatVector a0 = lo.selectFrom(c0, c2), a1 = hi.selectFrom(c0, c2);
                        FloatVector b0 = lo.selectFrom(c1, c3), b1 = hi.selectFrom(c1, c3);
                        int o = OUT + 4 * i * VL;
                        lo.selectFrom(a0, b0).intoArray(rows, o);
                        hi.selectFrom(a0, b0).intoArray(rows, o + VL);
                        lo.selectFrom(a1, b1).intoArray(rows, o + 2 * VL);
                        hi.selectFrom(a1, b1).intoArray(rows, o + 3 * VL);
                    }
                    WinogradOutput.storeRows(
                            rows,
                            OUT,
                            4 * VL,
                            4,
                            4 * SEG * sg,
                            4 * SEG,
                            4 * ty,
                            h,
                            wIn,
                            Winograd4.period(wIn),
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
                // Pooled: two output rows at a time, the epilogue as WinogradOutput applies it, then each window's
                // maximum: a tile's left and right windows, interleaved into the pooled row at rows[OUT + a·2·VL].
                for (int a = 0; a < 2; a++) {
                    int q0 = 12 * a * VL, q1 = q0 + 6 * VL;
                    FloatVector u0 = FloatVector.fromArray(S, rows, q0), u1 = FloatVector.fromArray(S, rows, q0 + VL);
                    FloatVector u2 = FloatVector.fromArray(S, rows, q0 + 2 * VL);
                    FloatVector u3 = FloatVector.fromArray(S, rows, q0 + 3 * VL);
                    FloatVector u4 = FloatVector.fromArray(S, rows, q0 + 4 * VL);
                    FloatVector u5 = FloatVector.fromArray(S, rows, q0 + 5 * VL);
                    FloatVector s1 = u1.add(u2), d1 = u1.sub(u2), s2 = u3.add(u4), d2 = u3.sub(u4);
                    FloatVector y0 = u0.add(s1).add(s2), y1 = d2.fma(k2, d1);
                    FloatVector y2 = s2.fma(k4, s1), y3 = d2.fma(k8, d1).add(u5);
                    u0 = FloatVector.fromArray(S, rows, q1);
                    u1 = FloatVector.fromArray(S, rows, q1 + VL);
                    u2 = FloatVector.fromArray(S, rows, q1 + 2 * VL);
                    u3 = FloatVector.fromArray(S, rows, q1 + 3 * VL);
                    u4 = FloatVector.fromArray(S, rows, q1 + 4 * VL);
                    u5 = FloatVector.fromArray(S, rows, q1 + 5 * VL);
                    s1 = u1.add(u2);
                    d1 = u1.sub(u2);
                    s2 = u3.add(u4);
                    d2 = u3.sub(u4);
                    FloatVector z0 = u0.add(s1).add(s2), z1 = d2.fma(k2, d1);
                    FloatVector z2 = s2.fma(k4, s1), z3 = d2.fma(k8, d1).add(u5);
                    y0 = y0.add(bias);
                    y1 = y1.add(bias);
                    y2 = y2.add(bias);
                    y3 = y3.add(bias);
                    z0 = z0.add(bias);
                    z1 = z1.add(bias);
                    z2 = z2.add(bias);
                    z3 = z3.add(bias);
                    if (affine) {
                        y0 = y0.fma(scale, shift);
                        y1 = y1.fma(scale, shift);
                        y2 = y2.fma(scale, shift);
                        y3 = y3.fma(scale, shift);
                        z0 = z0.fma(scale, shift);
                        z1 = z1.fma(scale, shift);
                        z2 = z2.fma(scale, shift);
                        z3 = z3.fma(scale, shift);
                    }
                    if (relu) {
                        y0 = y0.max(0f);
                        y1 = y1.max(0f);
                        y2 = y2.max(0f);
                        y3 = y3.max(0f);
                        z0 = z0.max(0f);
                        z1 = z1.max(0f);
                        z2 = z2.max(0f);
                        z3 = z3.max(0f);
                    }
                    FloatVector left = y0.max(z0).max(y1.max(z1)),
                            right = y2.max(z2).max(y3.max(z3));
                    lo.selectFrom(left, right).intoArray(rows, OUT + 2 * a * VL);
                    hi.selectFrom(left, right).intoArray(rows, OUT + 2 * a * VL + VL);
                }
                storePooled(rows, sg, ty, h, wIn, nbl, bandRows, out, outOff, outImage);
            }
        }
    }

    /**
     * A segment's two pooled rows at rows[OUT + a·2·VL], pooled combined column 2·SEG·sg + l in lane l. Image i starts
     * at the even combined column i·period, so its pooled column j is combined pooled column i·period/2 + j.
     */
    private static void storePooled(
            float[] rows, int sg, int ty, int h, int wIn, int nbl, int bandRows, float[] pooled, int pOff, int pImage) {
        int pw = wIn / 2, col = 2 * SEG * sg, half = Winograd4.period(wIn) / 2;
        for (int i = 0; i < nbl; i++) {
            int first = i * half, from = Math.max(first, col), to = Math.min(first + pw, col + 2 * SEG);
            // Band i's pooled rows end where the image's do (bands are whole tile rows, so whole pooled rows).
            int pooledRows = (h - i * bandRows) / 2;
            if (from >= to) continue;
            for (int a = 0; a < 2 && 2 * ty + a < pooledRows; a++) {
                int dst = pOff + i * pImage + (2 * ty + a) * pw + from - first;
                System.arraycopy(rows, OUT + 2 * a * VL + from - col, pooled, dst, to - from);
            }
        }
    }
}
