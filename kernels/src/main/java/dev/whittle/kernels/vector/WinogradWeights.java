package dev.whittle.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The weight gradient of {@link Winograd}'s F(2×2, 3×3) convolution, and of {@link Winograd4}'s F(4×4, 3×3) where
 * that takes the layer (the same derivation with 6×6 transformed tiles, 36 products; its own layout of images). The forward is linear in the filter,
 * y_t = Aᵀ[(G g Gᵀ) ⊙ V_t]A for tile t, so its adjoint gives, summed over tiles,
 * dg = Gᵀ [Σ_t (A dy_t Aᵀ) ⊙ V_t] G: per position ξ of the 4×4 transformed tiles one product
 * dU[ξ] (filters × channels) += dM[ξ] (filters × tiles) · V[ξ]ᵀ (tiles × channels), a reduction over the tiles of
 * every image, then dW = Gᵀ dU G once per (filter, channel). V is the forward's input transform (same chunks, same
 * side-by-side layout); dM = A dy Aᵀ with A = Aᵀᵀ = [1 0; 1 1; 1 −1; 0 −1] is the output gradient's transform, zero
 * wherever a tile's 2×2 outputs fall outside the image (bottom or right edge, the column between side-by-side
 * images), so those tiles' junk V contributes nothing.
 *
 * <p>The products run on {@link Sgemm#gemm} (both operands packed: the reduction dimension is the tiles, contiguous
 * in both V and dM rows). Against {@link DirectConvWeights}, in-process at batch 128: see bench/README.md.
 */
final class WinogradWeights {
    static final VectorSpecies<Float> S = Sgemm.S;
    static final int VL = Sgemm.VL;
    static final int NR = Sgemm.NR;
    static final int MR = Sgemm.MR;
    static final int TS = Winograd.TS;

    private WinogradWeights() {}

    /**
     * dw[out[f]][in[c]] += Σ_n dy ⋆ x over {@code nImages} images, for filters at positions [k0, k1) of {@code out}
     * and channels in[0..ci) of x's xChannels; null lists mean every filter or channel. 3×3, stride 1, pad 1.
     *
     * @param x (N, xChannels, H, W)
     * @param dy (N, K, H, W)
     * @param dw (K, xChannels, 3, 3), the selected filters' alive channels accumulated
     */
    static void backwardWeights(
            int xChannels,
            int[] in,
            int ci,
            int h,
            int wIn,
            int k,
            int[] out,
            int nImages,
            float[] x,
            float[] dy,
            float[] dw,
            int k0,
            int k1) {
        boolean f4 = Winograd4.takes(ci, k1 - k0, wIn, nImages);
        backwardWeights(f4, xChannels, in, ci, h, wIn, k, out, nImages, x, dy, dw, k0, k1);
    }

    /** {@link #backwardWeights} by F(4×4, 3×3) ({@code f4}) or F(2×2, 3×3), whichever layer it is. */
    static void backwardWeights(
            boolean f4,
            int xChannels,
            int[] in,
            int ci,
            int h,
            int wIn,
            int k,
            int[] out,
            int nImages,
            float[] x,
            float[] dy,
            float[] dw,
            int k0,
            int k1) {
        Sgemm.Workspace ws = Sgemm.Workspace.get();
        WinogradLayout l = ws.winogradLayout.of(f4, nImages, h, wIn);
        int tile = l.tile, planes = l.planes, period = l.period, nb = l.nb, tw = l.tw, th = l.th;
        int mf = k1 - k0, hw = h * wIn;
        // Filters in strips of NR (or one vector when there are at most VL of them), channels in strips of MR.
        int nr = mf <= VL ? VL : NR, mfp = (mf + nr - 1) / nr * nr, cip = (ci + MR - 1) / MR * MR;
        int groups = (nImages + nb - 1) / nb, totalRows = groups * th;
        int rowsPerChunk = Winograd.rowsPerChunk(tw, Math.max(NR, l.chunk / (ci + mfp)), totalRows);
        int ldT = (rowsPerChunk * tw + NR - 1) / NR * NR;
        // dyT: the chunk's output gradient with filters innermost, (tile·TH rows) × (tile·TW columns) × mfp, image
        // i's column q at i·period + q; rows past H, the columns between images and padding filters are zero.
        int wcp = tile * tw, rowLen = wcp * mfp;
        int vPlane = ci * ldT + VL, mPlane = ldT * mfp + VL, uPlane = cip * mfp + VL;
        float[] pad = ws.scratch(8, l.hpad * l.wpad), dyT = ws.scratch(9, tile * th * rowLen);
        java.util.Arrays.fill(pad, 0, l.hpad * l.wpad, 0f);
        float[] v = ws.scratch(5, planes * vPlane + VL);
        float[] dmT = ws.scratch(6, planes * mPlane);
        float[] duT = ws.scratch(7, planes * uPlane);
        java.util.Arrays.fill(duT, 0, planes * uPlane, 0f);
        // rowBase[c]: channel c's row of V (rows past ci repeat the last: computed, never read); then the gather
        // offsets of each group of VL filters' dy planes relative to the group's first (lanes past mf repeat it).
        int gatherAt = cip, fGroups = (mf + VL - 1) / VL;
        int[] rowBase = ws.ints(cip + fGroups * VL);
        for (int c = 0; c < cip; c++) rowBase[c] = Math.min(c, ci - 1) * ldT;
        DirectConvWeights.fillGatherOffsets(rowBase, gatherAt, k0, mf, out, hw);

        // Every full group of images rewrites the same elements of dyT, so the ones none writes (the shared zero
        // columns, rows past an odd H) are zeroed once per call; a short last group clears its rows first.
        java.util.Arrays.fill(dyT, 0, tile * th * rowLen, 0f);
        for (int r0 = 0; r0 < totalRows; r0 += rowsPerChunk) {
            int r1 = Math.min(totalRows, r0 + rowsPerChunk), tiles = (r1 - r0) * tw;
            Winograd.transformChunk(
                    x, xChannels, in, ci, h, wIn, l, pad, v, ldT, vPlane, r0, r1, 0, nImages, ws.winograd);
            for (int r = r0; r < r1; ) {
                int img = r / th * nb, nbl = Math.min(nb, nImages - img);
                int ty0 = r % th, ty1 = Math.min(th, ty0 + r1 - r);
                if (nbl < nb) java.util.Arrays.fill(dyT, tile * ty0 * rowLen, tile * ty1 * rowLen, 0f);
                for (int i = 0; i < nbl; i++) {
                    gatherRows(
                            dy,
                            (img + i) * k * hw,
                            k0,
                            mf,
                            out,
                            rowBase,
                            gatherAt,
                            wIn,
                            hw,
                            tile * ty0,
                            Math.min(h, tile * ty1),
                            dyT,
                            rowLen,
                            i * period,
                            mfp);
                }
                int tOff = (r - r0 - ty0) * tw;
                if (f4) transformGradient4(dyT, rowLen, mfp, nr, ty0, ty1, tw, dmT, tOff, ldT, mPlane, ws.winograd);
                else transformGradient(dyT, rowLen, mfp, nr, ty0, ty1, tw, dmT, tOff, ldT, mPlane);
                r += ty1 - ty0;
            }
            for (int xi = 0; xi < planes; xi++) {
                for (int ns = 0; ns < mfp / nr; ns++) {
                    int bOff = xi * mPlane + ns * ldT * nr;
                    for (int cs = 0; cs < cip; cs += MR) {
                        int cOff = xi * uPlane + cs * mfp + ns * nr;
                        if (nr == NR) {
                            DirectConvWeights.kernelRowsA(
                                    tiles, v, rowBase, cs, xi * vPlane, dmT, bOff, duT, cOff, mfp);
                        } else {
                            DirectConvWeights.kernelRowsA1(
                                    tiles, v, rowBase, cs, xi * vPlane, dmT, bOff, duT, cOff, mfp);
                        }
                    }
                }
            }
        }
        for (int f = 0; f < mf; f++) {
            int plane = out == null ? k0 + f : out[k0 + f];
            for (int c = 0; c < ci; c++) {
                int g = (plane * xChannels + (in == null ? c : in[c])) * 9;
                if (f4) accumulateGtDG4(duT, c * mfp + f, uPlane, dw, g);
                else accumulateGtDG(duT, c * mfp + f, uPlane, dw, g);
            }
        }
    }

    /**
     * Rows [rowFrom, rowTo) of one image's dy planes for filters at positions [k0, k0 + mf) of {@code out} (or
     * filters k0 + f), transposed into dyT[row·rowLen + (col0 + q)·mfp + f] a group of VL filters at a time
     * ({@link PlaneTranspose}; offsets at {@code offsets[at + g0]}).
     */
    private static void gatherRows(
            float[] dy,
            int imageOff,
            int k0,
            int mf,
            int[] out,
            int[] offsets,
            int at,
            int wIn,
            int hw,
            int rowFrom,
            int rowTo,
            float[] dyT,
            int rowLen,
            int col0,
            int mfp) {
        for (int g0 = 0; g0 < mf; g0 += VL) {
            int first = out == null ? k0 + g0 : out[k0 + g0];
            PlaneTranspose.toPixels(
                    dy,
                    imageOff + first * hw + rowFrom * wIn,
                    offsets,
                    at + g0,
                    mf - g0,
                    rowTo - rowFrom,
                    wIn,
                    dyT,
                    rowFrom * rowLen + col0 * mfp + g0,
                    rowLen,
                    mfp);
        }
    }

    /**
     * dw[g .. g + 9) += Gᵀ D G for the 4×4 matrix D whose element ξ is du[o + ξ·plane], with
     * Gᵀ = [1 ½ ½ 0; 0 ½ −½ 0; 0 ½ ½ 1].
     */
    private static void accumulateGtDG(float[] du, int o, int plane, float[] dw, int g) {
        for (int row = 0; row < 3; row++) {
            float t0 = gtD(du, o, plane, row, 0), t1 = gtD(du, o, plane, row, 1);
            float t2 = gtD(du, o, plane, row, 2), t3 = gtD(du, o, plane, row, 3);
            dw[g + row * 3] += t0 + 0.5f * (t1 + t2);
            dw[g + row * 3 + 1] += 0.5f * (t1 - t2);
            dw[g + row * 3 + 2] += 0.5f * (t1 + t2) + t3;
        }
    }

    /** (Gᵀ D)[row][col]. */
    private static float gtD(float[] du, int o, int plane, int row, int col) {
        float d0 = du[o + col * plane], d1 = du[o + (4 + col) * plane];
        float d2 = du[o + (8 + col) * plane], d3 = du[o + (12 + col) * plane];
        return switch (row) {
            case 0 -> d0 + 0.5f * (d1 + d2);
            case 1 -> 0.5f * (d1 - d2);
            default -> 0.5f * (d1 + d2) + d3;
        };
    }

    /**
     * dMᵀ = (A dy Aᵀ)ᵀ for tile rows [ty0, ty1) of the chunk's dyT, filters in lanes: position ξ of tile t (at
     * t = tOff + ty·TW + tx) and filter f goes to dmT[ξ·xiStride + (f / nr)·ldT·nr + t·nr + f % nr], the packed B
     * operand (k-major strips of nr filters) of {@link DirectConvWeights#kernelRowsA}.
     */
    static void transformGradient(
            float[] dyT,
            int rowLen,
            int mfp,
            int nr,
            int ty0,
            int ty1,
            int tw,
            float[] dmT,
            int tOff,
            int ldT,
            int xiStride) {
        for (int ty = ty0; ty < ty1; ty++) {
            for (int tx = 0; tx < tw; tx++) {
                int p0 = 2 * ty * rowLen + 2 * tx * mfp, p1 = p0 + rowLen, t = tOff + ty * tw + tx;
                for (int f = 0; f < mfp; f += VL) {
                    FloatVector e00 = FloatVector.fromArray(S, dyT, p0 + f);
                    FloatVector e01 = FloatVector.fromArray(S, dyT, p0 + mfp + f);
                    FloatVector e10 = FloatVector.fromArray(S, dyT, p1 + f);
                    FloatVector e11 = FloatVector.fromArray(S, dyT, p1 + mfp + f);
                    int o = (f / nr) * ldT * nr + t * nr + f % nr;
                    // Rows of A dy: (e00, e01), (e00 + e10, e01 + e11), (e00 − e10, e01 − e11), (−e10, −e11);
                    // each row (a, b) times Aᵀ is (a, a + b, a − b, −b).
                    FloatVector a = e00, b = e01;
                    a.intoArray(dmT, o);
                    a.add(b).intoArray(dmT, o + xiStride);
                    a.sub(b).intoArray(dmT, o + 2 * xiStride);
                    b.neg().intoArray(dmT, o + 3 * xiStride);
                    a = e00.add(e10);
                    b = e01.add(e11);
                    a.intoArray(dmT, o + 4 * xiStride);
                    a.add(b).intoArray(dmT, o + 5 * xiStride);
                    a.sub(b).intoArray(dmT, o + 6 * xiStride);
                    b.neg().intoArray(dmT, o + 7 * xiStride);
                    a = e00.sub(e10);
                    b = e01.sub(e11);
                    a.intoArray(dmT, o + 8 * xiStride);
                    a.add(b).intoArray(dmT, o + 9 * xiStride);
                    a.sub(b).intoArray(dmT, o + 10 * xiStride);
                    b.neg().intoArray(dmT, o + 11 * xiStride);
                    a = e10.neg();
                    b = e11.neg();
                    a.intoArray(dmT, o + 12 * xiStride);
                    a.add(b).intoArray(dmT, o + 13 * xiStride);
                    a.sub(b).intoArray(dmT, o + 14 * xiStride);
                    b.neg().intoArray(dmT, o + 15 * xiStride);
                }
            }
        }
    }

    /**
     * dw[g .. g + 9) += Gᵀ D G for F(4×4)'s 6×6 D (element ξ = 6a + b at du[o + ξ·plane]) with G as in {@link
     * Winograd4}, in double: Gᵀ's three rows are (¼, −⅙, −⅙, 1/24, 1/24, 0), (0, −⅙, ⅙, 1/12, −1/12, 0) and
     * (0, −⅙, −⅙, ⅙, ⅙, 1).
     */
    private static void accumulateGtDG4(float[] du, int o, int plane, float[] dw, int g) {
        for (int row = 0; row < 3; row++) {
            double t0 = gtD4(du, o, plane, row, 0), t1 = gtD4(du, o, plane, row, 1), t2 = gtD4(du, o, plane, row, 2);
            double t3 = gtD4(du, o, plane, row, 3), t4 = gtD4(du, o, plane, row, 4), t5 = gtD4(du, o, plane, row, 5);
            dw[g + row * 3] += (float) (t0 / 4 - (t1 + t2) / 6 + (t3 + t4) / 24);
            dw[g + row * 3 + 1] += (float) ((t2 - t1) / 6 + (t3 - t4) / 12);
            dw[g + row * 3 + 2] += (float) ((t3 + t4 - t1 - t2) / 6 + t5);
        }
    }

    /** (Gᵀ D)[row][col] for F(4×4)'s D. */
    private static double gtD4(float[] du, int o, int plane, int row, int col) {
        double d0 = du[o + col * plane], d1 = du[o + (6 + col) * plane], d2 = du[o + (12 + col) * plane];
        double d3 = du[o + (18 + col) * plane], d4 = du[o + (24 + col) * plane], d5 = du[o + (30 + col) * plane];
        return switch (row) {
            case 0 -> d0 / 4 - (d1 + d2) / 6 + (d3 + d4) / 24;
            case 1 -> (d2 - d1) / 6 + (d3 - d4) / 12;
            default -> (d3 + d4 - d1 - d2) / 6 + d5;
        };
    }

    /**
     * F(4×4)'s dMᵀ = (A dy Aᵀ)ᵀ for tile rows [ty0, ty1) of the chunk's dyT, filters in lanes, stored as {@link
     * #transformGradient} stores F(2×2)'s (36 positions). A = (Aᵀ)ᵀ has rows (1 0 0 0), (1 1 1 1), (1 −1 1 −1),
     * (1 2 4 8), (1 −2 4 −8), (0 0 0 1): with s = e0 + e2, t = e1 + e3, u = e0 + 4e2, v = 2e1 + 8e3, a column
     * (e0 .. e3) becomes (e0, s + t, s − t, u + v, u − v, e3). First down each of a tile's four columns into
     * {@code rows} (24 vectors), then along each of the six rows that gives: two short loops, no vector crossing a
     * call.
     */
    static void transformGradient4(
            float[] dyT,
            int rowLen,
            int mfp,
            int nr,
            int ty0,
            int ty1,
            int tw,
            float[] dmT,
            int tOff,
            int ldT,
            int xiStride,
            float[] rows) {
        FloatVector k2 = FloatVector.broadcast(S, 2f), k4 = FloatVector.broadcast(S, 4f);
        FloatVector k8 = FloatVector.broadcast(S, 8f);
        for (int ty = ty0; ty < ty1; ty++) {
            for (int tx = 0; tx < tw; tx++) {
                int p0 = 4 * ty * rowLen + 4 * tx * mfp, t = tOff + ty * tw + tx;
                for (int f = 0; f < mfp; f += VL) {
                    for (int c = 0; c < 4; c++) {
                        int at = p0 + c * mfp + f;
                        FloatVector e0 = FloatVector.fromArray(S, dyT, at);
                        FloatVector e1 = FloatVector.fromArray(S, dyT, at + rowLen);
                        FloatVector e2 = FloatVector.fromArray(S, dyT, at + 2 * rowLen);
                        FloatVector e3 = FloatVector.fromArray(S, dyT, at + 3 * rowLen);
                        FloatVector s = e0.add(e2), tt = e1.add(e3), u = e2.fma(k4, e0), v = e3.fma(k8, e1.mul(k2));
                        e0.intoArray(rows, c * VL);
                        s.add(tt).intoArray(rows, (4 + c) * VL);
                        s.sub(tt).intoArray(rows, (8 + c) * VL);
                        u.add(v).intoArray(rows, (12 + c) * VL);
                        u.sub(v).intoArray(rows, (16 + c) * VL);
                        e3.intoArray(rows, (20 + c) * VL);
                    }
                    int o = (f / nr) * ldT * nr + t * nr + f % nr;
                    for (int k = 0; k < 6; k++) {
                        FloatVector e0 = FloatVector.fromArray(S, rows, 4 * k * VL);
                        FloatVector e1 = FloatVector.fromArray(S, rows, (4 * k + 1) * VL);
                        FloatVector e2 = FloatVector.fromArray(S, rows, (4 * k + 2) * VL);
                        FloatVector e3 = FloatVector.fromArray(S, rows, (4 * k + 3) * VL);
                        FloatVector s = e0.add(e2), tt = e1.add(e3), u = e2.fma(k4, e0), v = e3.fma(k8, e1.mul(k2));
                        int q = o + 6 * k * xiStride;
                        e0.intoArray(dmT, q);
                        s.add(tt).intoArray(dmT, q + xiStride);
                        s.sub(tt).intoArray(dmT, q + 2 * xiStride);
                        u.add(v).intoArray(dmT, q + 3 * xiStride);
                        u.sub(v).intoArray(dmT, q + 4 * xiStride);
                        e3.intoArray(dmT, q + 5 * xiStride);
                    }
                }
            }
        }
    }
}
