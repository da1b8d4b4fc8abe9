package dev.whittle.kernels.vector;

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
 * packed and V read in place); only the tile, the layout and the transforms differ. Transforms run on segments of
 * 16 tiles in lanes (64 output columns): two 28-wide maps side by side, four 14-wide or eight 7-wide ones. Images
 * start at even combined columns ({@link #period}), so 2×2 pools fuse into the output transform for every width.
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

    /**
     * Tiles per segment, one per lane: a segment's input is the 4·VL + 2 padded columns its tiles read, split into
     * the four column phases (column 4t + φ in lane t) by two rounds of two-vector permutes.
     */
    static final int SEG = VL;

    /** F(2×2)'s chunk target with 36 planes instead of 16, so V and M take the same share of L2. */
    static final int CHUNK_ELEMENTS = Winograd.CHUNK_ELEMENTS * 16 / 36;

    /** Floats of intermediate rows the transforms need: a ring of 8 × 6 vectors in, {@link Winograd4Output#ROWS} out. */
    static final int SCRATCH = Math.max(48 * VL, Winograd4Output.ROWS);

    /** Fewest channels and filters F(4×4) takes (see {@link #takes}). */
    static final int MIN_CHANNELS = 16;

    // Two-vector permute tables (EVEN/ODD/SHIFT1 in Permutes): NEXT1 shifts a vector down one lane and fills the last
    // from lane 1 of the second vector.
    private static final float[] NEXT1 = next(1);

    private Winograd4() {}

    private static float[] next(int fill) {
        float[] t = new float[VL];
        for (int l = 0; l < VL; l++) t[l] = l < VL - 1 ? l + 1 : VL + fill;
        return t;
    }

    /**
     * Whether F(4×4) takes a layer that {@link Winograd#forLayer} gives to Winograd, reducing over ci channels into
     * mf filters: from {@link #MIN_CHANNELS} channels and filters, and when its segments are at least 3/4 full of
     * tiles (a segment holds as many maps side by side as fit; one 40-wide map fills 10 of 16 lanes).
     */
    static boolean takes(int ci, int mf, int wIn, int images) {
        if (!ENABLED || Math.min(ci, mf) < MIN_CHANNELS) return false;
        return fills(tileColumns(imagesSideBySide(images, wIn), wIn));
    }

    /**
     * {@link #takes} for the forward, whose layout cuts a single image into bands where {@link #bandRows} says: a
     * 28×28 or 14×14 map at batch 1, which one image leaves less than half full.
     */
    static boolean takesForward(int ci, int mf, int h, int wIn, int images) {
        int rows = bandRows(images, h, wIn);
        if (rows == 0) return takes(ci, mf, wIn, images);
        return ENABLED && Math.min(ci, mf) >= MIN_CHANNELS && fills(tileColumns((h + rows - 1) / rows, wIn));
    }

    /** Whether a row of tw tiles fills its segments at least 3/4. */
    private static boolean fills(int tw) {
        return 4 * tw >= 3 * ((tw + SEG - 1) / SEG) * SEG;
    }

    /** {@code -Dwhittle.conv.bands=false} keeps single images whole (for A/B measurements). */
    static final boolean BANDS = !"false".equals(System.getProperty("whittle.conv.bands"));

    /**
     * Rows per band when the forward cuts a single image into bands side by side ({@link WinogradLayout}), or 0 for
     * no bands: as many bands as one segment holds side by side (the images it would hold), of whole tile rows, and
     * only where that holds more than one.
     */
    static int bandRows(int images, int h, int wIn) {
        if (!BANDS || images != 1) return 0;
        int th = (h + 3) / 4, bands = Math.min(imagesSideBySide(Integer.MAX_VALUE, wIn), th);
        return bands <= 1 ? 0 : 4 * ((th + bands - 1) / bands);
    }

    /**
     * Combined columns from one image's first to the next's: W + 1 (one shared zero column) rounded up to even, so
     * that every image starts at an even column and each 2×2 pool window lies in one tile.
     */
    static int period(int wIn) {
        return (wIn + 2) / 2 * 2;
    }

    /** Images side by side: as many as one segment's 4·SEG output columns hold. */
    static int imagesSideBySide(int images, int wIn) {
        int p = period(wIn);
        return Math.max(1, Math.min(images, (4 * SEG + p - wIn) / p));
    }

    /** Tiles per tile row of nb images side by side: ⌈((nb − 1)·period + W) / 4⌉. */
    static int tileColumns(int nb, int wIn) {
        return ((nb - 1) * period(wIn) + wIn + 3) / 4;
    }

    /**
     * V = Bᵀ d B for tile rows [ty0, ty1) of one zero-padded plane (data at row 1, column 1): tile (ty, tx) goes to
     * v[vOff + ξ·xiStride + ty·TW + tx], ξ = 6·row + column. Lanes are the SEG tiles of a segment. Each padded row's
     * five vectors become the columns 4t .. 4t + 5 of every tile t (phases by EVEN/ODD twice, the last two by one-lane
     * shifts) and are combined along the row into six vectors; each column of a tile row's six such rows is then
     * combined down the rows into V: two short loops, not 36 copies of the formula.
     *
     * <p>Tile rows overlap by two padded rows (tile row ty reads rows 4·ty .. 4·ty + 5), so the row pass keeps its
     * results in a ring of eight rows in {@code rows} (padded row i in slot i mod 8) and computes only the four new
     * rows of each tile row after the first: a third of the row pass, with its ten permutes a row, is not redone.
     * Segments run last to first because a row's last segment stores full vectors whose lanes past the row's tiles
     * spill into the next tile row's first segment, which must be written after them.
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
        FloatVector even = FloatVector.fromArray(S, Permutes.EVEN, 0), odd = FloatVector.fromArray(S, Permutes.ODD, 0);
        FloatVector next0 = FloatVector.fromArray(S, Permutes.SHIFT1, 0), next1 = FloatVector.fromArray(S, NEXT1, 0);
        FloatVector k4 = FloatVector.broadcast(S, 4f), km4 = FloatVector.broadcast(S, -4f);
        FloatVector km5 = FloatVector.broadcast(S, -5f), k2 = FloatVector.broadcast(S, 2f);
        FloatVector km2 = FloatVector.broadcast(S, -2f);
        for (int sg = segs - 1; sg >= 0; sg--) {
            for (int ty = ty0; ty < ty1; ty++) {
                int at = 4 * ty * wpad + 4 * SEG * sg, o = vOff + ty * tw + sg * SEG;
                for (int r = ty == ty0 ? 0 : 2; r < 6; r++) {
                    int q = at + r * wpad;
                    FloatVector x0 = FloatVector.fromArray(S, pad, q), x1 = FloatVector.fromArray(S, pad, q + VL);
                    FloatVector x2 = FloatVector.fromArray(S, pad, q + 2 * VL);
                    FloatVector x3 = FloatVector.fromArray(S, pad, q + 3 * VL);
                    FloatVector x4 = FloatVector.fromArray(S, pad, q + 4 * VL);
                    FloatVector e01 = even.selectFrom(x0, x1), o01 = odd.selectFrom(x0, x1);
                    FloatVector e23 = even.selectFrom(x2, x3), o23 = odd.selectFrom(x2, x3);
                    FloatVector d0 = even.selectFrom(e01, e23), d2 = odd.selectFrom(e01, e23);
                    FloatVector d1 = even.selectFrom(o01, o23), d3 = odd.selectFrom(o01, o23);
                    FloatVector d4 = next0.selectFrom(d0, x4), d5 = next1.selectFrom(d1, x4);
                    // d Bᵀ's columns: 4d0 − 5d2 + d4, (d4 − 4d2) ± (d3 − 4d1), (d4 − d2) ± 2(d3 − d1), 4d1 − 5d3 + d5.
                    FloatVector t0 = d2.fma(km4, d4), t1 = d1.fma(km4, d3), t2 = d4.sub(d2), t3 = d3.sub(d1);
                    int rq = 6 * ((4 * ty + r) & 7) * VL;
                    d0.fma(k4, d2.fma(km5, d4)).intoArray(rows, rq);
                    t0.add(t1).intoArray(rows, rq + VL);
                    t0.sub(t1).intoArray(rows, rq + 2 * VL);
                    t3.fma(k2, t2).intoArray(rows, rq + 3 * VL);
                    t3.fma(km2, t2).intoArray(rows, rq + 4 * VL);
                    d1.fma(k4, d3.fma(km5, d5)).intoArray(rows, rq + 5 * VL);
                }
                int s0 = 6 * ((4 * ty) & 7) * VL, s1 = 6 * ((4 * ty + 1) & 7) * VL, s2 = 6 * ((4 * ty + 2) & 7) * VL;
                int s3 = 6 * ((4 * ty + 3) & 7) * VL,
                        s4 = 6 * ((4 * ty + 4) & 7) * VL,
                        s5 = 6 * ((4 * ty + 5) & 7) * VL;
                for (int col = 0; col < 6; col++) {
                    FloatVector d0 = FloatVector.fromArray(S, rows, s0 + col * VL);
                    FloatVector d1 = FloatVector.fromArray(S, rows, s1 + col * VL);
                    FloatVector d2 = FloatVector.fromArray(S, rows, s2 + col * VL);
                    FloatVector d3 = FloatVector.fromArray(S, rows, s3 + col * VL);
                    FloatVector d4 = FloatVector.fromArray(S, rows, s4 + col * VL);
                    FloatVector d5 = FloatVector.fromArray(S, rows, s5 + col * VL);
                    // The same combination down the rows. Full-vector stores: lanes past the row's tiles hold junk that
                    // the next row, the next channel's row or the skew between planes absorbs.
                    FloatVector t0 = d2.fma(km4, d4), t1 = d1.fma(km4, d3), t2 = d4.sub(d2), t3 = d3.sub(d1);
                    int vo = o + col * xiStride;
                    d0.fma(k4, d2.fma(km5, d4)).intoArray(v, vo);
                    t0.add(t1).intoArray(v, vo + 6 * xiStride);
                    t0.sub(t1).intoArray(v, vo + 12 * xiStride);
                    t3.fma(k2, t2).intoArray(v, vo + 18 * xiStride);
                    t3.fma(km2, t2).intoArray(v, vo + 24 * xiStride);
                    d1.fma(k4, d3.fma(km5, d5)).intoArray(v, vo + 30 * xiStride);
                }
            }
        }
    }
}
