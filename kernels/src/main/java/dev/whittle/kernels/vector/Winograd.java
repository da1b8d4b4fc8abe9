package dev.whittle.kernels.vector;

import dev.whittle.kernels.ConvEpilogue;
import dev.whittle.kernels.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * 3×3, stride-1, pad-1 convolutions by Winograd's minimal filtering F(2×2, 3×3) (Lavin and Gray, "Fast Algorithms
 * for Convolutional Neural Networks", CVPR 2016): each 2×2 block of outputs ("tile") takes 16 multiply-adds per
 * (filter, channel) instead of 36, so the layer does 2.25× fewer multiply-adds than {@link DirectConv}.
 *
 * <p>With d a tile's 4×4 input patch, g a 3×3 filter and the constant matrices below, y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A:
 * <pre>
 *   Bᵀ = | 1  0 −1  0 |    G = | 1    0    0  |    Aᵀ = | 1  1  1  0 |
 *        | 0  1  1  0 |        | ½    ½    ½  |         | 0  1 −1 −1 |
 *        | 0 −1  1  0 |        | ½   −½    ½  |
 *        | 0  1  0 −1 |        | 0    0    1  |
 * </pre>
 * The sixteen positions ξ of the transformed tiles are independent, so the layer becomes 16 matrix products
 * M[ξ] (filters × tiles) = U[ξ] (filters × channels) · V[ξ] (channels × tiles) on {@link Sgemm#kernel} (U
 * transformed straight into its packed layout, V's rows read in place), between an input transform (V = Bᵀ d B) and an output transform
 * (y = Aᵀ m A, then bias and the {@link ConvEpilogue}). Every transform runs across a row of tiles in vector lanes:
 * a tile row's four padded input rows are combined as whole vectors (Bᵀ d), and the column step reads the even and
 * odd columns through two-vector permutes; the output's two columns per tile are interleaved back the same way.
 *
 * <p>Numerics: the transforms only add, subtract and halve, so the result differs from the direct sum by rounding
 * (relative error ~1e-6 on unit-scale data, tested against {@code Conv2dScalar}).
 *
 * <p>Notation: x (N,C,H,W), y (N,K,H,W); TH = ⌈H/2⌉ by TW = ⌈W/2⌉ tiles per image; a segment is up to TS = VL − 1
 * tiles of one tile row, whose 2·TS + 2 padded input columns fit two vectors. Buffers come from the per-thread
 * {@link Sgemm.Workspace}; steady-state calls allocate nothing. Single-threaded per call.
 */
final class Winograd {
    static final VectorSpecies<Float> S = Sgemm.S;
    static final int VL = Sgemm.VL;
    static final int MR = Sgemm.MR;
    static final int NR = Sgemm.NR;

    /** {@code -Dwhittle.conv.winograd=false} keeps 3×3 convolutions on the direct path (for A/B measurements). */
    static final boolean ENABLED = !"false".equals(System.getProperty("whittle.conv.winograd"));

    /** Tiles per segment: a segment reads 2·TS + 2 = 2·VL padded columns. */
    static final int TS = VL - 1;

    /**
     * A chunk holds about this many (channels + filters)·tiles elements per position ξ, so its V and M (16 planes
     * each, ~512 KB together) stay in L2 from transform to product; 4,096 and 16,384 measured no different.
     */
    static final int CHUNK_ELEMENTS = 8192;

    // Two-vector permute tables: lane t of the segment reads padded column 2t + 0/1/2/3 of the pair (a, b);
    // lanes past TS read column 0 (junk that a later store overwrites).
    static final float[] EVEN0 = table(0), ODD0 = table(1), EVEN1 = table(2), ODD1 = table(3);

    /** See {@link #forLayer} and {@link #forWeights}. */
    static final int MIN_CHANNELS = 24, MIN_CHANNELS_WEIGHTS = 16, MIN_OUTPUTS = 512;

    /**
     * Fewest filters for F(4×4) on bands below {@link #MIN_OUTPUTS} (a 14×14 map at batch 1). Measured in one JVM
     * against the direct kernel (bench/ab/latency.sh, batch 1): VGG-small's 64-filter layers gain on one thread and
     * two; 31- and 32-filter layers (a compact VGG-small, ResNet-20's second stage) gain a little on one thread but
     * lose more on two, whose split by filters leaves each thread 16 filters and the whole input transform.
     */
    static final int MIN_FILTERS_BANDED = 64;

    private Winograd() {}

    private static float[] table(int offset) {
        float[] t = new float[VL];
        for (int i = 0; i < TS; i++) t[i] = 2 * i + offset;
        return t;
    }

    /** 3×3 filters, stride 1, padding 1, one group: the shapes F(2×2, 3×3) computes. */
    static boolean applies(ConvGeometry g) {
        return ENABLED
                && g.r() == 3
                && g.s() == 3
                && g.strideH() == 1
                && g.strideW() == 1
                && g.padH() == 1
                && g.padW() == 1
                && g.groups() == 1;
    }

    /**
     * Whether Winograd (F(4×4) or F(2×2), {@link #forward}) takes a layer's forward and data gradient, reducing over ci channels into mf filters for
     * {@code images} images (the whole layer's counts, so that a batch split by filters takes the same path as the
     * whole). Measured against {@link DirectConv} (in-process, alternating, bench/README.md): 32→32 at 28×28 and
     * 64→64 at 14×14 gain 1.2–1.5× at batch 64; 24 to 31 channels 1.04–1.31× (a compact model's 31→31 at 14×14:
     * 1.20×); 16-channel layers lose (0.73–0.97×: the transforms cost per channel·tile, the products per
     * channel·tile·filter); and below ~500 output pixels per call the per-call filter transform dominated (64→64 at
     * 14×14, batch 1: 0.89×; 128→128 at 7×7, batch 4: 0.78×) until {@link WinogradFilterCache} kept it between calls
     * and bands ({@link WinogradLayout}) filled a single image's lanes: such calls now go to F(4×4) where it takes
     * them in bands with at least {@link #MIN_FILTERS_BANDED} filters. Layers of 16 to 23 channels go to Winograd only
     * where {@link Winograd4} takes them: ResNet-20's 16→16 at 28×28, batch 64, inference 1.08–1.14× faster over the
     * whole model (training level), against 0.73–0.97× for F(2×2).
     */
    static boolean forLayer(ConvGeometry g, int ci, int mf, int images) {
        if (!applies(g)) return false;
        boolean f4 = Winograd4.takesForward(ci, mf, g.h(), g.w(), images);
        if (images * g.h() * g.w() < MIN_OUTPUTS) {
            // A small call pays only as F(4×4) on bands of one image (the filters' transform is cached between calls),
            // and only with enough filters for two threads at batch 1, which split it by filters and each transform
            // the whole input.
            return f4 && mf >= MIN_FILTERS_BANDED && Winograd4.bandRows(images, g.h(), g.w()) > 0;
        }
        return Math.min(ci, mf) >= MIN_CHANNELS || f4;
    }

    /**
     * {@link #forLayer} for the weight gradient, which pays from 16 channels: the direct weight gradient of a layer
     * with 16 or fewer filters fills one vector of filters per tile (8 accumulators) and runs slower than the other
     * passes, so Winograd's gain comes earlier (16→16 at 28×28, batch 128: 1.07–1.20×; 16→8: 1.17–1.41×).
     */
    static boolean forWeights(ConvGeometry g, int ci, int mf, int images) {
        return applies(g) && Math.min(ci, mf) >= MIN_CHANNELS_WEIGHTS && images * g.h() * g.w() >= MIN_OUTPUTS;
    }

    /**
     * dx's planes in[0..ci) (all C when null) += the transposed convolution of dy's planes out[0..m) (all K when
     * null) with w (m, ci, 3, 3): with stride 1 and pad 1 that is the same convolution of dy by the transposed,
     * flipped weights, again with pad 1. Without {@code accumulate} those planes of images [n0, n1) are overwritten.
     */
    static void backwardData(
            int c,
            int[] in,
            int ci,
            int h,
            int wIn,
            int k,
            int[] out,
            int m,
            float[] dy,
            float[] w,
            float[] dx,
            int n0,
            int n1,
            boolean accumulate) {
        float[] wt = DirectConv.transposedFlipped(w, m, ci, 9, Sgemm.Workspace.get());
        forward(k, out, m, h, wIn, c, in, dy, wt, null, dx, n0, n1, 0, ci, accumulate, null);
    }

    /**
     * y (=|+=) e(conv(x, w) + b) for images [n0, n1) and weight rows [f0, f1), 3×3, stride 1, pad 1: by F(4×4, 3×3)
     * where {@link Winograd4#takes} the layer, else by F(2×2, 3×3).
     *
     * @param xChannels C, the channels of x's images
     * @param in alive input channels in[0..ci) of x (null: all, ci = C)
     * @param ci the channels the weights reduce over
     * @param h H = P
     * @param wIn W = Q
     * @param k K, the planes of y's images
     * @param out output plane of each weight row (null: row f writes plane f)
     * @param x (N,C,H,W)
     * @param w (rows, ci, 3, 3): row f is filter f (or alive filter f)
     * @param b per output plane, or null
     * @param y (N,K,H,W); planes of rows [f0, f1) overwritten (added to if {@code accumulate}), others untouched
     * @param e per output plane (indexed like b), or null
     * @return whether the epilogue's 2×2 max pool was written too ({@link WinogradOutput#transform}; not with a residual
     *     or accumulation); y is then left unwritten
     */
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
        // A dense layer's algorithm follows its filter count, not the call's: a batch-1 layer split by filters
        // between threads then computes what one whole call would.
        boolean f4 = Winograd4.takesForward(ci, out == null ? k : f1 - f0, h, wIn, n1 - n0);
        return forwardPart(f4, xChannels, in, ci, h, wIn, k, out, x, w, b, y, n0, n1, f0, f1, accumulate, e, 0, 1);
    }

    /**
     * {@link #forward} by F(4×4, 3×3) ({@code f4}) or F(2×2, 3×3), part {@code part} of {@code parts} of its outputs
     * (0 of 1: all), split by tile rows of the call's images laid side by side: what one thread of a batch-1 layer
     * computes, transforming only the input its tile rows read, where a split by filters would transform the whole
     * input on every thread. The tiles are computed as in the whole call, so the parts together are bit-identical to
     * it; a tile row holds whole 2×2 pool windows.
     */
    static boolean forwardPart(
            boolean f4,
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
            ConvEpilogue e,
            int part,
            int parts) {
        Sgemm.Workspace ws = Sgemm.Workspace.get();
        WinogradLayout l = ws.winogradLayout.forward(f4, n1 - n0, h, wIn);
        int nb = l.nb, tw = l.tw, th = l.th, segs = l.segs, planes = l.planes;
        int mf = f1 - f0, strips = (mf + MR - 1) / MR, mp = strips * MR;
        // Chunks of whole tile rows (of any image groups), sized so V and M stay in L2 from transform to product.
        int groups = l.groups(n1 - n0), totalRows = groups * th;
        int rowLo = (int) ((long) totalRows * part / parts), rowHi = (int) ((long) totalRows * (part + 1) / parts);
        float[] res = e == null ? null : e.residual();
        boolean pool = e != null && e.pooled() != null && res == null && !accumulate;
        if (rowLo >= rowHi) return pool;
        int rowsPerChunk = rowsPerChunk(tw, Math.max(NR, l.chunk / (ci + mp)), rowHi - rowLo);
        int ldT = (rowsPerChunk * tw + NR - 1) / NR * NR;
        // The planes of V, M and U are written or read side by side; a skew of one vector between planes keeps
        // them out of one L1 set (plane sizes are often multiples of 4 KB, e.g. 32 channels × 128 tiles).
        int vPlane = ci * ldT + VL, mPlane = mp * ldT + VL, uPlane = mp * ci + VL;
        float[] pad = ws.scratch(8, l.hpad * l.wpad);
        java.util.Arrays.fill(pad, 0, l.hpad * l.wpad, 0f);
        float[] v = ws.scratch(5, planes * vPlane + VL);
        float[] m = ws.scratch(6, planes * mPlane + VL);
        float[] rows = f4 ? ws.winograd : ws.tile;
        float[][] g = f4 ? WinogradFilters.G4 : WinogradFilters.G2;
        float[] u = ws.winogradFilters.get(g, w, f0, mf, ci, planes * uPlane, uPlane, ws.scratch(9, 9 * ci * MR));
        boolean affine = e != null, relu = e != null && e.relu();
        int hw = h * wIn, pooledPlane = (h / 2) * (wIn / 2);
        WinogradOutput.Transform output = f4 ? Winograd4Output::transform : WinogradOutput::transform;

        for (int r0 = rowLo; r0 < rowHi; r0 += rowsPerChunk) {
            int r1 = Math.min(rowHi, r0 + rowsPerChunk), tiles = (r1 - r0) * tw;
            transformChunk(x, xChannels, in, ci, h, wIn, l, pad, v, ldT, vPlane, r0, r1, n0, n1, rows);
            for (int xi = 0; xi < planes; xi++) {
                for (int is = 0; is < strips; is++) {
                    int a = xi * uPlane + is * ci * MR, cRow = xi * mPlane + is * MR * ldT;
                    for (int j = 0; j < tiles; j += NR) {
                        // A last block of one vector's tiles (or fewer) computes no second vector of padding.
                        if (tiles - j <= VL) SgemmNarrow.kernel(ci, u, a, v, xi * vPlane + j, ldT, m, cRow + j, ldT);
                        else Sgemm.kernel(ci, u, a, v, xi * vPlane + j, ldT, m, cRow + j, ldT, true);
                    }
                }
            }
            for (int r = r0; r < r1; ) {
                int img = n0 + r / th * nb, nbl = l.slots(img, n1);
                int ty0 = r % th, ty1 = Math.min(th, ty0 + r1 - r);
                for (int f = 0; f < mf; f++) {
                    int yPlane = out == null ? f0 + f : out[f0 + f];
                    float bias = b == null ? 0f : b[yPlane];
                    float scale = e == null ? 1f : e.scale()[yPlane], shift = e == null ? 0f : e.shift()[yPlane];
                    // Pooled: only the 2×2 maxima, into the pool's planes; y is not written.
                    int plane = pool ? pooledPlane : hw, slotStride = l.slotStride(k * plane, pool, wIn);
                    output.run(
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
                            l.bandRows,
                            rows,
                            pool ? e.pooled() : y,
                            (img * k + yPlane) * plane,
                            slotStride,
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
     * V for tile rows [r0, r1) of images [n0, n1) (laid nb side by side, {@code period} columns apart, th tile rows
     * per group): each alive
     * channel's rows are copied into the combined padded plane, then transformed into v at column
     * (r − r0)·TW of channel row c, by F(2×2)'s {@link #transformInput} or F(4×4)'s (which uses {@code scratch}),
     * as the layout says.
     */
    static void transformChunk(
            float[] x,
            int xChannels,
            int[] in,
            int ci,
            int h,
            int wIn,
            WinogradLayout l,
            float[] pad,
            float[] v,
            int ldT,
            int vPlane,
            int r0,
            int r1,
            int n0,
            int n1,
            float[] scratch) {
        int tile = l.tile, nb = l.nb, th = l.th, tw = l.tw, segs = l.segs, wpad = l.wpad, period = l.period;
        int hw = h * wIn;
        for (int c = 0; c < ci; c++) {
            int plane = in == null ? c : in[c];
            for (int r = r0; r < r1; ) {
                int img = n0 + r / th * nb, nbl = l.slots(img, n1);
                int ty0 = r % th, ty1 = Math.min(th, ty0 + r1 - r);
                // Tile rows [ty0, ty1) read input rows tile·ty0 − 1 ... tile·ty1 (padded rows tile·ty0 ... tile·ty1 +
                // 1). Padded rows and columns outside the images are never written, so they stay zero; a short last
                // group leaves stale images in its unused slots, whose outputs are computed and never stored. A band
                // (slot i of one image, from row i·bandRows) reads the rows next to it that lie in the image.
                for (int i = 0; i < nbl; i++) {
                    int first = i * l.bandRows, col = 1 + i * period;
                    int src = (l.bandRows > 0 ? img * xChannels + plane : (img + i) * xChannels + plane) * hw;
                    int row0 = Math.max(-first, tile * ty0 - 1), row1 = Math.min(h - first, tile * ty1 + 1);
                    if (row0 >= row1) continue;
                    ImageLayout.copyRows(
                            x, src + (first + row0) * wIn, wIn, pad, (row0 + 1) * wpad + col, wpad, row1 - row0, wIn);
                }
                int vOff = c * ldT + (r - r0 - ty0) * tw;
                if (tile == 2) transformInput(pad, wpad, ty0, ty1, tw, segs, v, vOff, vPlane);
                else Winograd4.transformInput(pad, wpad, ty0, ty1, tw, segs, v, vOff, vPlane, scratch);
                r += ty1 - ty0;
            }
        }
    }

    /**
     * Images laid side by side, one shared zero column between neighbours: a combined plane whose 3×3 convolution is
     * each image's at its own columns (image i's column q is combined column i·(W + 1) + q). As many as one segment
     * holds, so narrow maps fill its lanes: 7×7 maps three to a row of 12 tiles instead of 4.
     */
    static int imagesSideBySide(int images, int wIn) {
        return Math.max(1, Math.min(images, (2 * TS + 1) / (wIn + 1)));
    }

    /** Tiles per tile row of nb images side by side: ⌈(nb·(W + 1) − 1) / 2⌉. */
    static int tileColumns(int nb, int wIn) {
        return nb * (wIn + 1) / 2;
    }

    /**
     * Tile rows per chunk: about {@code target} tiles, choosing among up to twice that many the count whose tiles
     * fill the NR-wide column blocks best (12 tiles a row: 8 rows fill three blocks exactly, 2 rows waste a quarter of one).
     */
    static int rowsPerChunk(int tw, int target, int totalRows) {
        int best = 1;
        double bestFill = 0;
        for (int rows = 1; rows <= Math.min(totalRows, Math.max(1, 2 * target / tw)); rows++) {
            int tiles = rows * tw;
            double fill = tiles / (double) ((tiles + NR - 1) / NR * NR);
            // Fuller blocks win; among equally full ones, the count nearest the target.
            if (fill > bestFill + 1e-9
                    || (Math.abs(fill - bestFill) <= 1e-9 && Math.abs(tiles - target) < Math.abs(best * tw - target))) {
                best = rows;
                bestFill = fill;
            }
        }
        return best;
    }

    /**
     * V = Bᵀ d B for every tile of one zero-padded plane (hpad × wpad, data at row 1, column 1): tile (ty, tx) goes to
     * v[vOff + ξ·xiStride + ty·TW + tx]. Lanes are the tiles of a segment; stores are masked to the segment.
     */
    static void transformInput(
            float[] pad, int wpad, int ty0, int ty1, int tw, int segs, float[] v, int vOff, int xiStride) {
        FloatVector e0 = FloatVector.fromArray(S, EVEN0, 0), o0 = FloatVector.fromArray(S, ODD0, 0);
        FloatVector e1 = FloatVector.fromArray(S, EVEN1, 0), o1 = FloatVector.fromArray(S, ODD1, 0);
        for (int ty = ty0; ty < ty1; ty++) {
            for (int sg = 0; sg < segs; sg++) {
                int p0 = 2 * ty * wpad + 2 * TS * sg;
                int o = vOff + ty * tw + sg * TS;
                int p1 = p0 + wpad, p2 = p1 + wpad, p3 = p2 + wpad;
                FloatVector d0a = FloatVector.fromArray(S, pad, p0), d0b = FloatVector.fromArray(S, pad, p0 + VL);
                FloatVector d1a = FloatVector.fromArray(S, pad, p1), d1b = FloatVector.fromArray(S, pad, p1 + VL);
                FloatVector d2a = FloatVector.fromArray(S, pad, p2), d2b = FloatVector.fromArray(S, pad, p2 + VL);
                FloatVector d3a = FloatVector.fromArray(S, pad, p3), d3b = FloatVector.fromArray(S, pad, p3 + VL);
                // Written out four times on purpose: as a loop over the rows (vectors chosen per iteration) C2 ran it
                // at
                // 80 ns per tile row, unrolled at 36 (bench/README.md).
                // Rows of Bᵀ d (d0 − d2, d1 + d2, d2 − d1, d1 − d3), each then combined along its columns 2t .. 2t + 3
                // the same way. Full-vector stores: lanes past the segment hold junk that the next segment, the next
                // channel's row or the skew between planes absorbs (rows are written in increasing order).
                FloatVector ra = d0a.sub(d2a), rb = d0b.sub(d2b);
                FloatVector c0 = e0.selectFrom(ra, rb), c1 = o0.selectFrom(ra, rb);
                FloatVector c2 = e1.selectFrom(ra, rb), c3 = o1.selectFrom(ra, rb);
                c0.sub(c2).intoArray(v, o);
                c1.add(c2).intoArray(v, o + xiStride);
                c2.sub(c1).intoArray(v, o + 2 * xiStride);
                c1.sub(c3).intoArray(v, o + 3 * xiStride);
                ra = d1a.add(d2a);
                rb = d1b.add(d2b);
                c0 = e0.selectFrom(ra, rb);
                c1 = o0.selectFrom(ra, rb);
                c2 = e1.selectFrom(ra, rb);
                c3 = o1.selectFrom(ra, rb);
                c0.sub(c2).intoArray(v, o + 4 * xiStride);
                c1.add(c2).intoArray(v, o + 5 * xiStride);
                c2.sub(c1).intoArray(v, o + 6 * xiStride);
                c1.sub(c3).intoArray(v, o + 7 * xiStride);
                ra = d2a.sub(d1a);
                rb = d2b.sub(d1b);
                c0 = e0.selectFrom(ra, rb);
                c1 = o0.selectFrom(ra, rb);
                c2 = e1.selectFrom(ra, rb);
                c3 = o1.selectFrom(ra, rb);
                c0.sub(c2).intoArray(v, o + 8 * xiStride);
                c1.add(c2).intoArray(v, o + 9 * xiStride);
                c2.sub(c1).intoArray(v, o + 10 * xiStride);
                c1.sub(c3).intoArray(v, o + 11 * xiStride);
                ra = d1a.sub(d3a);
                rb = d1b.sub(d3b);
                c0 = e0.selectFrom(ra, rb);
                c1 = o0.selectFrom(ra, rb);
                c2 = e1.selectFrom(ra, rb);
                c3 = o1.selectFrom(ra, rb);
                c0.sub(c2).intoArray(v, o + 12 * xiStride);
                c1.add(c2).intoArray(v, o + 13 * xiStride);
                c2.sub(c1).intoArray(v, o + 14 * xiStride);
                c1.sub(c3).intoArray(v, o + 15 * xiStride);
            }
        }
    }
}
