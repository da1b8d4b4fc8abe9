package dev.whittle.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Winograd4}'s output transform, y = e(Aᵀ m A + bias) per 4×4 tile, written as every output or, for a
 * convolution followed by a 2×2, stride-2 max pool, as the pooled values only (a tile holds four whole windows when
 * its image starts at an even column, which {@link Winograd4#takes} guarantees). The epilogue and the pooling are
 * {@link WinogradOutput}'s, operation for operation, so the pooled values are bit-identical to pooling the unfused
 * output of this transform.
 */
final class Winograd4Output {
    static final VectorSpecies<Float> S = Sgemm.S;
    static final int VL = Sgemm.VL;
    static final int TS = Winograd4.TS;

    /** PAIR interleaves two vectors lane by lane (a0 b0 a1 b1 …, a tile's two columns or two windows side by side). */
    private static final float[] PAIR = pair();

    /** LO/HI put four columns per tile in order from two PAIR-interleaved vectors: (c0 c1) of A, then (c2 c3) of B. */
    private static final float[] LO = quad(0), HI = quad(VL);

    /** Scratch floats {@link #transform} needs: Aᵀ m (24 vectors), then the rows it writes (8 vectors). */
    static final int ROWS = 32 * VL;

    private static final int OUT = 24 * VL;

    private Winograd4Output() {}

    private static float[] pair() {
        float[] t = new float[VL];
        for (int l = 0; l < 2 * TS && l < VL; l++) t[l] = (l % 2 == 0 ? 0 : VL) + l / 2;
        return t;
    }

    private static float[] quad(int first) {
        float[] t = new float[VL];
        for (int l = 0; l < VL; l++) {
            int lane = first + l, tile = lane / 4, c = lane % 4;
            if (lane < 4 * TS) t[l] = c < 2 ? 2 * tile + c : VL + 2 * tile + c - 2;
        }
        return t;
    }

    /**
     * The tiles of one output plane, tile (ty, tx) of the products at m[mOff + ξ·xiStride + ty·TW + tx], images side
     * by side as {@link Winograd4#imagesSideBySide} lays them, image i's plane at out[outOff + i·outImage]: every
     * output (H × W, through {@code rows} and {@link DirectConv#storeRow}, which applies bias and epilogue) or, with
     * {@code pool}, the 2×2 maxima (⌊H/2⌋ × ⌊W/2⌋; res and accumulate unused). {@code rows} holds {@link #ROWS} floats.
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
        FloatVector k4 = FloatVector.broadcast(S, 4f),
                k2 = FloatVector.broadcast(S, 2f),
                k8 = FloatVector.broadcast(S, 8f);
        FloatVector pair = FloatVector.fromArray(S, PAIR, 0);
        FloatVector lo = FloatVector.fromArray(S, LO, 0), hi = FloatVector.fromArray(S, HI, 0);
        // Tile rows whose first output row is inside the map (pooled: whose first pooled row is).
        int tyEnd = Math.min(ty1, pool ? (h / 2 + 1) / 2 : ty1);
        for (int ty = ty0; ty < tyEnd; ty++) {
            for (int sg = 0; sg < segs; sg++) {
                int t = mOff + ty * tw + sg * TS;
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
                    // (Aᵀ m) A, row by row, each row's four columns per tile put in order into rows[0 .. 8·VL).
                    for (int i = 0; i < 4; i++) {
                        int q = 6 * i * VL;
                        FloatVector m0 = FloatVector.fromArray(S, rows, q);
                        FloatVector m1 = FloatVector.fromArray(S, rows, q + VL);
                        FloatVector m2 = FloatVector.fromArray(S, rows, q + 2 * VL);
                        FloatVector m3 = FloatVector.fromArray(S, rows, q + 3 * VL);
                        FloatVector m4 = FloatVector.fromArray(S, rows, q + 4 * VL);
                        FloatVector m5 = FloatVector.fromArray(S, rows, q + 5 * VL);
                        FloatVector s1 = m1.add(m2), d1 = m1.sub(m2), s2 = m3.add(m4), d2 = m3.sub(m4);
                        FloatVector a = pair.selectFrom(m0.add(s1).add(s2), d2.fma(k2, d1));
                        FloatVector c =
                                pair.selectFrom(s2.fma(k4, s1), d2.fma(k8, d1).add(m5));
                        lo.selectFrom(a, c).intoArray(rows, OUT + 2 * i * VL);
                        hi.selectFrom(a, c).intoArray(rows, OUT + 2 * i * VL + VL);
                    }
                    storeRows(
                            rows,
                            OUT,
                            sg,
                            ty,
                            h,
                            wIn,
                            nbl,
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
                // maximum; the two windows of a tile row side by side into rows[a·VL].
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
                    pair.selectFrom(left, right).intoArray(rows, OUT + a * VL);
                }
                storePooled(rows, OUT, sg, ty, h, wIn, nbl, out, outOff, outImage);
            }
        }
    }

    /** A segment's four output rows at rows[at + i·2·VL] (combined columns from 4·TS·sg), cut into their images. */
    private static void storeRows(
            float[] rows,
            int at,
            int sg,
            int ty,
            int h,
            int wIn,
            int nbl,
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
        int col = 4 * TS * sg;
        for (int i = 0; i < nbl; i++) {
            int first = i * (wIn + 1), from = Math.max(col, first), to = Math.min(col + 4 * TS, first + wIn);
            if (from >= to) continue;
            int yo = yOff + i * yImage + 4 * ty * wIn + from - first;
            for (int r = 0; r < 4 && 4 * ty + r < h; r++) {
                DirectConv.storeRow(
                        rows,
                        at + 2 * r * VL + from - col,
                        y,
                        yo + r * wIn,
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
    }

    /**
     * A segment's two pooled rows at rows[at + a·VL], pooled combined column 2·TS·sg + l in lane l. Image i starts at
     * the even combined column i·(W + 1), so its pooled column j is combined pooled column i·(W + 1)/2 + j.
     */
    private static void storePooled(
            float[] rows, int at, int sg, int ty, int h, int wIn, int nbl, float[] pooled, int pOff, int pImage) {
        int pw = wIn / 2, col = 2 * TS * sg;
        for (int i = 0; i < nbl; i++) {
            int first = i * (wIn + 1) / 2, lo = Math.max(first, col), hi = Math.min(first + pw, col + 2 * TS);
            if (lo >= hi) continue;
            for (int a = 0; a < 2 && 2 * ty + a < h / 2; a++)
                System.arraycopy(
                        rows,
                        at + a * VL + lo - col,
                        pooled,
                        pOff + i * pImage + (2 * ty + a) * pw + lo - first,
                        hi - lo);
        }
    }
}
