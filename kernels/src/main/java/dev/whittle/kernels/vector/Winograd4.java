package dev.whittle.kernels.vector;

import dev.whittle.kernels.ConvEpilogue;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * 3×3, stride-1, pad-1 convolutions by Winograd's F(4×4, 3×3) (Lavin and Gray, CVPR 2016): each 4×4 block of
 * outputs takes 36 multiply-adds per (filter, channel) instead of 144, 1.78× fewer than {@link Winograd}'s F(2×2,
 * 3×3) and 4× fewer than {@link DirectConv}, for heavier transforms. With d a tile's 6×6 input patch and g a filter,
 * y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A:
 * <pre>
 *   Bᵀ = | 4  0 −5  0  1  0 |    G = |  1/4     0     0  |    Aᵀ = | 1  1  1  1  1  0 |
 *        | 0 −4 −4  1  1  0 |        | −1/6  −1/6  −1/6  |         | 0  1 −1  2 −2  0 |
 *        | 0  4 −4 −1  1  0 |        | −1/6   1/6  −1/6  |         | 0  1  1  4  4  0 |
 *        | 0 −2 −1  2  1  0 |        |  1/24  1/12  1/6  |         | 0  1 −1  8 −8  1 |
 *        | 0  2 −1 −2  1  0 |        |  1/24 −1/12  1/6  |
 *        | 0  4  0 −5  0  1 |        |   0     0     1   |
 * </pre>
 * The driver is F(2×2)'s (chunks of tile rows, images side by side, 36 products on {@link Sgemm#kernel} with U
 * packed and V read in place); only the tile and the transforms differ. A segment is TS = 7 tiles in lanes: lane t
 * reads padded columns 4t .. 4t + 5 of one two-vector pair, so 30 columns of 32 serve 28 outputs, and a 28-wide map
 * is exactly one segment, three 7-wide maps side by side one segment of six tiles.
 *
 * <p>Numerics: the transforms multiply by up to 8 and divide by 24, so rounding errors grow more than F(2×2)'s
 * (which only adds and halves); measured against {@code Conv2dScalar} in {@code Winograd4Test}.
 */
final class Winograd4 {
    static final VectorSpecies<Float> S = Sgemm.S;
    static final int VL = Sgemm.VL;
    static final int MR = Sgemm.MR;
    static final int NR = Sgemm.NR;

    /** {@code -Dwhittle.conv.winograd4=false} leaves F(2×2) every layer F(4×4) would take (for A/B measurements). */
    static final boolean ENABLED = !"false".equals(System.getProperty("whittle.conv.winograd4"));

    /** Tiles per segment: lane t reads padded columns 4t .. 4t + 5 of a two-vector pair, so 4·TS + 2 ≤ 2·VL. */
    static final int TS = (2 * VL - 2) / 4;

    /** F(2×2)'s chunk target with 36 planes instead of 16, so V and M take the same share of L2. */
    static final int CHUNK_ELEMENTS = Winograd.CHUNK_ELEMENTS * 16 / 36;

    /**
     * Fewest channels and filters F(4×4) takes (see {@link #takes}): from 16 on maps that fill whole segments of
     * tiles exactly (28 wide), from 48 where a segment's last tile or rows are partly wasted (7×7 maps).
     */
    static final int MIN_CHANNELS = 16, MIN_CHANNELS_PARTIAL = 48;

    // Two-vector permute tables: lane t of the segment reads padded column 4t + i of the pair (lanes past TS: 0).
    private static final float[][] COL = {table(0), table(1), table(2), table(3), table(4), table(5)};

    private Winograd4() {}

    private static float[] table(int offset) {
        float[] t = new float[VL];
        for (int i = 0; i < TS; i++) t[i] = 4 * i + offset;
        return t;
    }

    /**
     * Whether F(4×4) takes a layer that {@link Winograd#forLayer} gives to Winograd, reducing over ci channels into
     * mf filters. Its transforms fill 7 of 16 lanes and cost about twice F(2×2)'s per output, so it pays only where
     * its 2.25× fewer products weigh more: segments at least 6/7 full of tiles, at least {@link #MIN_CHANNELS} channels
     * and filters when the tiles cover the map exactly and {@link #MIN_CHANNELS_PARTIAL} otherwise. Measured against
     * F(2×2) and the direct kernel at batch 64, one thread (bench/README.md): 32→32 at 28×28 1.26×, 16→16 at 28×28
     * 1.11× (batch 16), 128→128 at 7×7 1.22×, 64→128 at 7×7 1.19×, 63→63 at 7×7 1.11×, but 31→63 at 7×7 0.64×
     * and every 14×14 layer 0.84–0.94× (four tiles of seven lanes per row). A convolution that max-pools as it writes
     * needs every image of a combined row to start at an even column (one image to a row, or odd widths), so that
     * each pool window lies in one tile.
     */
    static boolean takes(int ci, int mf, int h, int wIn, int images, boolean pooled) {
        if (!ENABLED || Math.min(ci, mf) < MIN_CHANNELS) return false;
        int nb = imagesSideBySide(images, wIn), tw = tileColumns(nb, wIn), segs = (tw + TS - 1) / TS;
        if (7 * tw < 6 * segs * TS) return false;
        boolean exact = nb == 1 && wIn % 4 == 0 && h % 4 == 0;
        if (!exact && Math.min(ci, mf) < MIN_CHANNELS_PARTIAL) return false;
        return !pooled || nb == 1 || wIn % 2 == 1;
    }

    /** Images side by side, one shared zero column between neighbours: as many as one segment's 4·TS + 1 columns hold. */
    static int imagesSideBySide(int images, int wIn) {
        return Math.max(1, Math.min(images, (4 * TS + 1) / (wIn + 1)));
    }

    /** Tiles per tile row of nb images side by side: ⌈(nb·(W + 1) − 1) / 4⌉. */
    static int tileColumns(int nb, int wIn) {
        return (nb * (wIn + 1) + 2) / 4;
    }

    /** {@link Winograd#forward}'s contract, by F(4×4, 3×3). */
    static boolean forward(
            int xChannels,
            int[] in,
            int ci,
            int h,
            int wIn,
            int k,
            int[] out,
            float[] x,
            float[] w,
            float[] b,
            float[] y,
            int n0,
            int n1,
            int f0,
            int f1,
            boolean accumulate,
            ConvEpilogue e) {
        Sgemm.Workspace ws = Sgemm.Workspace.get();
        int nb = imagesSideBySide(n1 - n0, wIn), tw = tileColumns(nb, wIn);
        int th = (h + 3) / 4, segs = (tw + TS - 1) / TS;
        // The last segment's pair of vectors reaches 2·VL columns past its start.
        int wpad = 4 * TS * (segs - 1) + 2 * VL, hpad = 4 * th + 2;
        int mf = f1 - f0, strips = (mf + MR - 1) / MR, mp = strips * MR;
        int groups = (n1 - n0 + nb - 1) / nb, totalRows = groups * th;
        int rowsPerChunk = Winograd.rowsPerChunk(tw, Math.max(NR, CHUNK_ELEMENTS / (ci + mp)), totalRows);
        int ldT = (rowsPerChunk * tw + NR - 1) / NR * NR;
        // One vector of skew between the 36 planes keeps them out of one L1 set (see Winograd.forward).
        int vPlane = ci * ldT + VL, mPlane = mp * ldT + VL, uPlane = mp * ci + VL;
        float[] pad = ws.scratch(8, hpad * wpad);
        java.util.Arrays.fill(pad, 0, hpad * wpad, 0f);
        float[] v = ws.scratch(5, 36 * vPlane + VL);
        float[] m = ws.scratch(6, 36 * mPlane + VL);
        float[] u = ws.scratch(7, 36 * uPlane);
        float[] rows = ws.scratch(9, Math.max(Winograd4Output.ROWS, 12 * VL));
        transformFilters(w, f0, mf, ci, u, uPlane);
        boolean affine = e != null, relu = e != null && e.relu();
        float[] res = e == null ? null : e.residual();
        int hw = h * wIn, pooledPlane = (h / 2) * (wIn / 2);
        boolean pool = e != null && e.pooled() != null && res == null && !accumulate;

        for (int r0 = 0; r0 < totalRows; r0 += rowsPerChunk) {
            int r1 = Math.min(totalRows, r0 + rowsPerChunk), cols = ((r1 - r0) * tw + NR - 1) / NR * NR;
            Winograd.transformChunk(
                    x, xChannels, in, ci, h, wIn, 4, nb, th, tw, segs, wpad, pad, v, ldT, vPlane, r0, r1, n0, n1, rows);
            for (int xi = 0; xi < 36; xi++) {
                for (int is = 0; is < strips; is++) {
                    int a = xi * uPlane + is * ci * MR, cRow = xi * mPlane + is * MR * ldT;
                    for (int j = 0; j < cols; j += NR)
                        Sgemm.kernel(ci, u, a, v, xi * vPlane + j, ldT, m, cRow + j, ldT, true);
                }
            }
            for (int r = r0; r < r1; ) {
                int img = n0 + r / th * nb, nbl = Math.min(nb, n1 - img);
                int ty0 = r % th, ty1 = Math.min(th, ty0 + r1 - r);
                for (int f = 0; f < mf; f++) {
                    int yPlane = out == null ? f0 + f : out[f0 + f];
                    float bias = b == null ? 0f : b[yPlane];
                    float scale = e == null ? 1f : e.scale()[yPlane], shift = e == null ? 0f : e.shift()[yPlane];
                    int plane = pool ? pooledPlane : hw;
                    Winograd4Output.transform(
                            m,
                            f * ldT + (r - r0 - ty0) * tw,
                            mPlane,
                            ty0,
                            ty1,
                            tw,
                            segs,
                            h,
                            wIn,
                            nbl,
                            rows,
                            pool ? e.pooled() : y,
                            (img * k + yPlane) * plane,
                            k * plane,
                            bias,
                            affine,
                            scale,
                            shift,
                            res,
                            relu,
                            accumulate,
                            pool);
                }
                r += ty1 - ty0;
            }
        }
        return pool;
    }

    /**
     * U = G g Gᵀ for weight rows f0 + f, f in [0, mf), packed as the products' A operand: position ξ of filter f and
     * channel c at u[ξ·plane + (f / MR)·ci·MR + c·MR + f % MR]; rows past mf in the last strip are zero. Computed in
     * double and rounded once, since the sixths and twenty-fourths are not exact in float.
     */
    static void transformFilters(float[] w, int f0, int mf, int ci, float[] u, int plane) {
        for (int xi = 0; mf % MR != 0 && xi < 36; xi++) {
            int tail = xi * plane + (mf / MR) * ci * MR;
            java.util.Arrays.fill(u, tail, tail + ci * MR, 0f);
        }
        for (int f = 0; f < mf; f++) {
            for (int c = 0; c < ci; c++) {
                int g = ((f0 + f) * ci + c) * 9, o = (f / MR) * ci * MR + c * MR + f % MR;
                double w00 = w[g], w01 = w[g + 1], w02 = w[g + 2];
                double w10 = w[g + 3], w11 = w[g + 4], w12 = w[g + 5];
                double w20 = w[g + 6], w21 = w[g + 7], w22 = w[g + 8];
                // The six rows of G g, each then multiplied by Gᵀ on the right.
                rowTimesGt(u, o, plane, w00, w01, w02, 0.25);
                rowTimesGt(u, o + 6 * plane, plane, w00 + w10 + w20, w01 + w11 + w21, w02 + w12 + w22, -1 / 6.0);
                rowTimesGt(u, o + 12 * plane, plane, w00 - w10 + w20, w01 - w11 + w21, w02 - w12 + w22, -1 / 6.0);
                rowTimesGt(
                        u,
                        o + 18 * plane,
                        plane,
                        w00 / 4 + w10 / 2 + w20,
                        w01 / 4 + w11 / 2 + w21,
                        w02 / 4 + w12 / 2 + w22,
                        1 / 6.0);
                rowTimesGt(
                        u,
                        o + 24 * plane,
                        plane,
                        w00 / 4 - w10 / 2 + w20,
                        w01 / 4 - w11 / 2 + w21,
                        w02 / 4 - w12 / 2 + w22,
                        1 / 6.0);
                rowTimesGt(u, o + 30 * plane, plane, w20, w21, w22, 1);
            }
        }
    }

    /**
     * s·(a, b, c) Gᵀ = s·(a/4, −(a + b + c)/6, −(a − b + c)/6, (a/4 + b/2 + c)/6, (a/4 − b/2 + c)/6, c), stored
     * {@code plane} apart from u[o] (s: the row's common factor of G, taken out above).
     */
    private static void rowTimesGt(float[] u, int o, int plane, double a, double b, double c, double s) {
        double p = a + c, q = a / 4 + c;
        u[o] = (float) (s * a / 4);
        u[o + plane] = (float) (-s * (p + b) / 6);
        u[o + 2 * plane] = (float) (-s * (p - b) / 6);
        u[o + 3 * plane] = (float) (s * (q + b / 2) / 6);
        u[o + 4 * plane] = (float) (s * (q - b / 2) / 6);
        u[o + 5 * plane] = (float) (s * c);
    }

    /**
     * V = Bᵀ d B for tile rows [ty0, ty1) of one zero-padded plane (data at row 1, column 1): tile (ty, tx) goes to
     * v[vOff + ξ·xiStride + ty·TW + tx], ξ = 6·row + column. Lanes are the tiles of a segment. The six rows of Bᵀ d
     * pass through {@code rows} (12 vectors) so that the column step is one short loop, not six copies of itself.
     */
    static void transformInput(
            float[] pad,
            int wpad,
            int ty0,
            int ty1,
            int tw,
            int segs,
            float[] v,
            int vOff,
            int xiStride,
            float[] rows) {
        FloatVector km4 = FloatVector.broadcast(S, -4f),
                km5 = FloatVector.broadcast(S, -5f),
                k4 = FloatVector.broadcast(S, 4f),
                k2 = FloatVector.broadcast(S, 2f),
                km2 = FloatVector.broadcast(S, -2f);
        FloatVector p0 = FloatVector.fromArray(S, COL[0], 0), p1 = FloatVector.fromArray(S, COL[1], 0);
        FloatVector p2 = FloatVector.fromArray(S, COL[2], 0), p3 = FloatVector.fromArray(S, COL[3], 0);
        FloatVector p4 = FloatVector.fromArray(S, COL[4], 0), p5 = FloatVector.fromArray(S, COL[5], 0);
        for (int ty = ty0; ty < ty1; ty++) {
            for (int sg = 0; sg < segs; sg++) {
                int at = 4 * ty * wpad + 4 * TS * sg, o = vOff + ty * tw + sg * TS;
                for (int half = 0; half < 2; half++) {
                    int q = at + half * VL;
                    FloatVector d0 = FloatVector.fromArray(S, pad, q);
                    FloatVector d1 = FloatVector.fromArray(S, pad, q + wpad);
                    FloatVector d2 = FloatVector.fromArray(S, pad, q + 2 * wpad);
                    FloatVector d3 = FloatVector.fromArray(S, pad, q + 3 * wpad);
                    FloatVector d4 = FloatVector.fromArray(S, pad, q + 4 * wpad);
                    FloatVector d5 = FloatVector.fromArray(S, pad, q + 5 * wpad);
                    // Bᵀ d, row by row: 4d0 − 5d2 + d4, (d4 − 4d2) ± (d3 − 4d1), (d4 − d2) ± 2(d3 − d1), 4d1 − 5d3 +
                    // d5.
                    FloatVector t0 = d2.fma(km4, d4), t1 = d1.fma(km4, d3), t2 = d4.sub(d2), t3 = d3.sub(d1);
                    int rq = half * VL;
                    d0.fma(k4, d2.fma(km5, d4)).intoArray(rows, rq);
                    t0.add(t1).intoArray(rows, rq + 2 * VL);
                    t0.sub(t1).intoArray(rows, rq + 4 * VL);
                    t3.fma(k2, t2).intoArray(rows, rq + 6 * VL);
                    t3.fma(km2, t2).intoArray(rows, rq + 8 * VL);
                    d1.fma(k4, d3.fma(km5, d5)).intoArray(rows, rq + 10 * VL);
                }
                for (int row = 0; row < 6; row++) {
                    FloatVector ra = FloatVector.fromArray(S, rows, 2 * row * VL);
                    FloatVector rb = FloatVector.fromArray(S, rows, 2 * row * VL + VL);
                    FloatVector d0 = p0.selectFrom(ra, rb), d1 = p1.selectFrom(ra, rb), d2 = p2.selectFrom(ra, rb);
                    FloatVector d3 = p3.selectFrom(ra, rb), d4 = p4.selectFrom(ra, rb), d5 = p5.selectFrom(ra, rb);
                    // The same combination along the columns 4t .. 4t + 5. Full-vector stores: lanes past the segment
                    // hold junk that the next segment, the next channel's row or the skew between planes absorbs.
                    FloatVector t0 = d2.fma(km4, d4), t1 = d1.fma(km4, d3), t2 = d4.sub(d2), t3 = d3.sub(d1);
                    int vo = o + 6 * row * xiStride;
                    d0.fma(k4, d2.fma(km5, d4)).intoArray(v, vo);
                    t0.add(t1).intoArray(v, vo + xiStride);
                    t0.sub(t1).intoArray(v, vo + 2 * xiStride);
                    t3.fma(k2, t2).intoArray(v, vo + 3 * xiStride);
                    t3.fma(km2, t2).intoArray(v, vo + 4 * xiStride);
                    d1.fma(k4, d3.fma(km5, d5)).intoArray(v, vo + 5 * xiStride);
                }
            }
        }
    }
}
