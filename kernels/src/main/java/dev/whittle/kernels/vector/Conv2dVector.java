package dev.whittle.kernels.vector;

import dev.whittle.kernels.AliveSubproblem;
import dev.whittle.kernels.Conv2dScalar;
import dev.whittle.kernels.ConvEpilogue;
import dev.whittle.kernels.ConvGeometry;
import dev.whittle.kernels.ConvKernels;
import dev.whittle.kernels.Indices;
import java.util.Arrays;

/**
 * 2-D convolution as im2col + {@link Sgemm}, computing what {@link Conv2dScalar} computes (to float rounding)
 * with the same range semantics: forward overwrites y for images [n0, n1); backwardData accumulates into dx for
 * images [n0, n1); backwardWeights accumulates into dw/db for filters [k0, k1) over all N images. Nothing outside
 * those ranges is read-modified-written.
 *
 * <p>Notation: x (N,C,H,W), w (K,C/G,R,S), y (N,K,P,Q), G groups, cg = C/G, kg = K/G, CRS = cg·R·S, PQ = P·Q.
 * Per image n and group gi the column matrix cols (CRS × PQ) holds
 * {@code cols[(ci·R + r)·S + s][p·Q + q] = x[n, gi·cg + ci, p·strideH − padH + r, q·strideW − padW + s]} (0 in
 * the padding). Then
 * <ul>
 *   <li>forward: Y_n,g (kg × PQ) = W_g (kg × CRS) · cols (CRS × PQ) + b;</li>
 *   <li>backwardData: dcols (CRS × PQ) = W_gᵀ (CRS × kg) · dY_n,g (kg × PQ), then col2im adds dcols into dx;</li>
 *   <li>backwardWeights: dW_g[k0..k1)ᵀ (CRS × k') = Σ_n cols (CRS × PQ) · dY_n[k0..k1)ᵀ (PQ × k'), staged and added
 *       into dw at the end (the transposed form makes cols the A operand, which packs without a transpose);
 *       db[k] += Σ_n Σ_pq dy.</li>
 * </ul>
 * Small maps would give narrow GEMMs (PQ = 49 fills 49 of 64 columns of two 32-wide register tiles), so nb images
 * are laid side by side in one column matrix (CRS × nb·PQ, nb·PQ ≈ {@value #TARGET_COLS}); outputs are staged and
 * scattered back. A 1×1, stride-1, unpadded convolution needs no im2col: cols is the image itself (C × HW) and
 * dx is written by the GEMM directly. Depthwise convolutions (one input and one output channel per group) are
 * GEMMs of one row, for which the scalar reference is at least as fast, so they are delegated to
 * {@link Conv2dScalar}; other grouped convolutions loop over groups.
 *
 * <p>Column buffers live in the per-thread {@link Sgemm.Workspace}; steady-state calls allocate nothing.
 * Each call is single-threaded; callers split [n0, n1) or [k0, k1) across threads.
 */
public final class Conv2dVector implements ConvKernels {

    /** True when cols would equal the input image: 1×1 kernel, stride 1, no padding. */
    static boolean pointwise(ConvGeometry g) {
        return g.r() == 1 && g.s() == 1 && g.strideH() == 1 && g.strideW() == 1 && g.padH() == 0 && g.padW() == 0;
    }

    static boolean depthwise(ConvGeometry g) {
        return g.cPerGroup() == 1 && g.k() == g.groups();
    }

    /**
     * Target GEMM width (columns) when several small images are batched into one column matrix. Chosen by an
     * interleaved A/B over targets 1 (no batching), 256, 512 and 1024 on the VGG-small layers at batch 64
     * (vgg6, 128→128 @7×7: forward 36 → 60 GFLOP/s with 256; larger targets were no better, on a shared machine).
     */
    static final int TARGET_COLS = 256;
    /** Target for backwardData, whose staging matrix has CRS rows rather than K, so it is kept small too. */
    static final int TARGET_COLS_DATA = 256;

    /** Images per GEMM so that nb·PQ reaches about {@code target} columns; 1 for large maps. */
    static int imagesPerChunk(int pq, int target, int images) {
        return Math.max(1, Math.min(images, target / pq));
    }

    /**
     * y = conv(x, w) + b for images [n0, n1): Winograd, the direct kernels, or im2col + GEMM ({@link Im2col#forward}).
     *
     * @param x (N,C,H,W)
     * @param w (K,C/G,R,S)
     * @param b (K) or null
     * @param y (N,K,P,Q), images [n0, n1) overwritten
     */
    @Override
    public void forward(ConvGeometry g, float[] x, float[] w, float[] b, float[] y, int n0, int n1) {
        if (n1 <= n0) return;
        if (depthwise(g)) {
            Conv2dScalar.forward(g, x, w, b, y, n0, n1);
            return;
        }
        if (Winograd.forLayer(g, g.c(), g.k(), n1 - n0)) {
            Winograd.forward(g.c(), null, g.c(), g.h(), g.w(), g.k(), null, x, w, b, y, n0, n1, 0, g.k(), false, null);
            return;
        }
        if (direct(g, g.c())) {
            DirectConv.forward(g, x, w, b, y, n0, n1, 0, g.k());
            return;
        }
        if (SmallConv.applies(g)) {
            SmallConv.forward(
                    g.c(), g.h(), g.w(), g.k(), null, g.r(), g.s(), g.padH(), g.padW(), x, w, b, y, n0, n1, 0, g.k(),
                    null);
            return;
        }
        Im2col.forward(g, x, w, b, y, n0, n1);
    }

    /**
     * Filters [k0, k1) of images [n0, n1): the direct path restricted to those filters, or per image im2col + GEMM
     * over those weight rows; grouped convolutions use the scalar reference (not a batch-1 hot path here).
     */
    @Override
    public void forwardFilters(
            ConvGeometry g, float[] x, float[] w, float[] b, float[] y, int n0, int n1, int k0, int k1) {
        if (n1 <= n0 || k1 <= k0) return;
        if (Winograd.forLayer(g, g.c(), g.k(), n1 - n0)) {
            Winograd.forward(g.c(), null, g.c(), g.h(), g.w(), g.k(), null, x, w, b, y, n0, n1, k0, k1, false, null);
            return;
        }
        if (direct(g, g.c())) {
            DirectConv.forward(g, x, w, b, y, n0, n1, k0, k1);
            return;
        }
        if (SmallConv.applies(g)) {
            SmallConv.forward(
                    g.c(), g.h(), g.w(), g.k(), null, g.r(), g.s(), g.padH(), g.padW(), x, w, b, y, n0, n1, k0, k1,
                    null);
            return;
        }
        if (g.groups() != 1) {
            Conv2dScalar.forwardFilters(g, x, w, b, y, n0, n1, k0, k1);
            return;
        }
        int pq = g.p() * g.q(), hw = g.h() * g.w(), crs = g.c() * g.r() * g.s(), kn = k1 - k0;
        boolean pw = pointwise(g);
        float[] cols = pw ? null : Sgemm.Workspace.get().scratch(0, crs * pq);
        boolean ow = b == null;
        for (int n = n0; n < n1; n++) {
            int yOff = (n * g.k() + k0) * pq, xOff = n * g.c() * hw;
            if (!ow) {
                for (int k = 0; k < kn; k++) Arrays.fill(y, yOff + k * pq, yOff + (k + 1) * pq, b[k0 + k]);
            }
            if (pw) {
                Sgemm.gemm(false, false, kn, pq, crs, w, k0 * crs, crs, x, xOff, hw, y, yOff, pq, ow);
            } else {
                Im2col.im2col(g, x, xOff, g.c(), cols, 0, pq);
                Sgemm.gemm(false, false, kn, pq, crs, w, k0 * crs, crs, cols, 0, pq, y, yOff, pq, ow);
            }
        }
    }

    /**
     * Masked forward on the direct path reads the alive input planes and writes the alive output planes in place
     * (the gathered sub-problem copied each of them once more, on top of the direct kernel's own padded copy);
     * geometries off the direct path take the gathered default.
     */
    @Override
    public void forwardAlive(
            ConvGeometry g,
            float[] x,
            float[] w,
            float[] b,
            float[] y,
            int[] out,
            int m,
            int[] in,
            int ci,
            int n0,
            int n1,
            boolean zeroDead) {
        if (n1 <= n0) return;
        if (SmallConv.applies(g) && ci == g.c()) {
            // A one-channel first layer: the alive filters' weights gathered, outputs straight into their planes.
            if (zeroDead) AliveSubproblem.zeroDeadPlanes(y, g.k(), g.p() * g.q(), out, m, n0, n1);
            float[] wAlive = aliveWeights(g, w, out, m, in, ci);
            SmallConv.forward(
                    g.c(), g.h(), g.w(), g.k(), out, g.r(), g.s(), g.padH(), g.padW(), x, wAlive, b, y, n0, n1, 0, m,
                    null);
            return;
        }
        if (g.groups() != 1 || !direct(g, ci)) {
            ConvKernels.super.forwardAlive(g, x, w, b, y, out, m, in, ci, n0, n1, zeroDead);
            return;
        }
        if (zeroDead) AliveSubproblem.zeroDeadPlanes(y, g.k(), g.p() * g.q(), out, m, n0, n1);
        float[] wAlive = aliveWeights(g, w, out, m, in, ci);
        if (Winograd.forLayer(g, ci, m, n1 - n0)) {
            Winograd.forward(g.c(), in, ci, g.h(), g.w(), g.k(), out, x, wAlive, b, y, n0, n1, 0, m, false, null);
            return;
        }
        DirectConv.forwardThen(g, in, ci, out, m, x, wAlive, b, y, n0, n1, null);
    }

    /**
     * On the direct path the batch norm and ReLU are applied to each output row as it leaves the staging tile
     * (no second pass over the output); elsewhere the convolution runs and the vector affine pass follows.
     */
    @Override
    public void forwardThen(
            ConvGeometry g,
            float[] x,
            float[] w,
            float[] b,
            float[] y,
            int[] out,
            int m,
            int[] in,
            int ci,
            int n0,
            int n1,
            ConvEpilogue e) {
        if (n1 <= n0) return;
        // A pool that follows: Winograd pools as it writes when it can; otherwise a pass over the fresh range.
        if (!convThen(g, x, w, b, y, out, m, in, ci, n0, n1, e) && e.pooled() != null)
            POOL.maxForwardInference(g.p(), g.q(), 2, 2, 0, y, e.pooled(), n0 * g.k(), n1 * g.k());
    }

    @Override
    public boolean splitsRows(ConvGeometry g, int images) {
        // Bands of a single tile row (a 14×14 map at batch 1) leave one part all the rows: split by filters instead.
        int bandRows = Winograd4.bandRows(images, g.h(), g.w());
        return g.groups() == 1
                && !depthwise(g)
                && direct(g, g.c())
                && Winograd.forLayer(g, g.c(), g.k(), images)
                && (bandRows == 0 || bandRows > 4);
    }

    @Override
    public boolean forwardRowsThen(
            ConvGeometry g,
            float[] x,
            float[] w,
            float[] b,
            float[] y,
            int n0,
            int n1,
            int part,
            int parts,
            ConvEpilogue e) {
        boolean f4 = Winograd4.takesForward(g.c(), g.k(), g.h(), g.w(), n1 - n0);
        return Winograd.forwardPart(
                f4, g.c(), null, g.c(), g.h(), g.w(), g.k(), null, x, w, b, y, n0, n1, 0, g.k(), false, e, part, parts);
    }

    /** {@link #forwardThen} without its pool; true when the kernel wrote {@link ConvEpilogue#pooled} itself. */
    private boolean convThen(
            ConvGeometry g,
            float[] x,
            float[] w,
            float[] b,
            float[] y,
            int[] out,
            int m,
            int[] in,
            int ci,
            int n0,
            int n1,
            ConvEpilogue e) {
        boolean dense = out == null && in == null;
        if (SmallConv.applies(g) && e.residual() == null && ci == g.c()) {
            // A one-channel first layer: the batch norm and ReLU applied as its planes are written.
            float[] wUsed = weightsInPlace(g, w, y, out, m, in, ci, n0, n1);
            SmallConv.forward(
                    g.c(), g.h(), g.w(), g.k(), out, g.r(), g.s(), g.padH(), g.padW(), x, wUsed, b, y, n0, n1, 0, m, e);
            return false;
        }
        if (g.groups() != 1 || depthwise(g) || !direct(g, dense ? g.c() : ci)) {
            int[] list = out == null ? Indices.all(g.k()) : out;
            if (dense) forward(g, x, w, b, y, n0, n1);
            else forwardAlive(g, x, w, b, y, list, m, in == null ? Indices.all(g.c()) : in, ci, n0, n1, true);
            int pq = g.p() * g.q();
            if (e.residual() == null) {
                NORM.affineInPlace(g.k(), pq, y, e.scale(), e.shift(), e.relu(), list, m, n0, n1);
            } else {
                // Ending in a residual add (a downsampling shortcut, 1×1 stride 2; or masked): the batch norm, the add
                // and the ReLU in one vector pass over each plane (three passes had been a quarter of the layer's
                // time).
                for (int n = n0; n < n1; n++) {
                    for (int i = 0; i < m; i++) {
                        int f = list[i], o = (n * g.k() + f) * pq;
                        DirectConv.storeRow(
                                y, o, y, o, pq, 0f, true, e.scale()[f], e.shift()[f], e.residual(), e.relu(), false);
                    }
                }
            }
            return false;
        }
        float[] wUsed = weightsInPlace(g, w, y, out, m, in, ci, n0, n1);
        if (Winograd.forLayer(g, ci, m, n1 - n0))
            return Winograd.forward(g.c(), in, ci, g.h(), g.w(), g.k(), out, x, wUsed, b, y, n0, n1, 0, m, false, e);
        DirectConv.forwardThen(g, in, ci, out, m, x, wUsed, b, y, n0, n1, e);
        return false;
    }

    /**
     * The weights a kernel that writes y's alive planes in place reads: w itself for a dense layer; for a masked one
     * the alive filters' rows over the alive channels, y's dead planes of images [n0, n1) zeroed first. Either list
     * may be null (all alive): a first conv has no input mask, a last one may have no output mask.
     */
    private static float[] weightsInPlace(
            ConvGeometry g, float[] w, float[] y, int[] out, int m, int[] in, int ci, int n0, int n1) {
        if (out == null && in == null) return w;
        if (out != null) AliveSubproblem.zeroDeadPlanes(y, g.k(), g.p() * g.q(), out, m, n0, n1);
        int[] outs = out == null ? Indices.all(g.k()) : out, ins = in == null ? Indices.all(g.c()) : in;
        return aliveWeights(g, w, outs, m, ins, ci);
    }

    /** The vector passes of {@link #forwardThen}'s fallback (stateless). */
    private static final BatchNormVector NORM = new BatchNormVector();

    private static final PoolVector POOL = new PoolVector();

    @Override
    public void backwardDataAlive(
            ConvGeometry g, float[] dy, float[] w, float[] dx, int[] out, int m, int[] in, int ci, int n0, int n1) {
        if (n1 <= n0) return;
        if (g.groups() != 1 || !DirectConv.forBackwardData(g, ci)) {
            ConvKernels.super.backwardDataAlive(g, dy, w, dx, out, m, in, ci, n0, n1);
            return;
        }
        float[] wAlive = aliveWeights(g, w, out, m, in, ci);
        if (Winograd.forLayer(g, m, ci, n1 - n0)) {
            Winograd.backwardData(g.c(), in, ci, g.h(), g.w(), g.k(), out, m, dy, wAlive, dx, n0, n1, true);
            return;
        }
        DirectConv.backwardDataAlive(
                g.c(), in, ci, g.h(), g.w(), g.k(), out, m, g.r(), g.s(), g.padH(), g.padW(), dy, wAlive, dx, n0, n1);
    }

    @Override
    public void backwardWeightsAlive(
            ConvGeometry g,
            float[] x,
            float[] dy,
            float[] dw,
            float[] db,
            int[] out,
            int m,
            int[] in,
            int ci,
            int k0,
            int k1) {
        if (k0 >= k1) return;
        if (SmallConv.applies(g) && ci == g.c()) {
            // One input channel: dy's alive planes read in place, dw's alive rows accumulated in place.
            if (db != null) BiasGradient.add(g, dy, db, out, k0, k1);
            SmallConv.backwardWeights(
                    g.c(), g.h(), g.w(), g.k(), g.r(), g.s(), g.padH(), g.padW(), g.n(), x, dy, dw, out, k0, k1);
            return;
        }
        if (g.groups() != 1 || !direct(g, ci)) {
            ConvKernels.super.backwardWeightsAlive(g, x, dy, dw, db, out, m, in, ci, k0, k1);
            return;
        }
        if (db != null) BiasGradient.add(g, dy, db, out, k0, k1);
        if (Winograd.forWeights(g, ci, m, g.n())) {
            WinogradWeights.backwardWeights(g.c(), in, ci, g.h(), g.w(), g.k(), out, g.n(), x, dy, dw, k0, k1);
            return;
        }
        DirectConvWeights.backwardWeightsAlive(g, in, ci, out, x, dy, dw, k0, k1);
    }

    /** The forward takes the direct path: stride 1, or stride 2 on phase planes ({@link ImageLayout}). */
    private static boolean direct(ConvGeometry g, int channels) {
        return DirectConv.forForward(g, channels) || DirectConv.forStride2(g, channels);
    }

    /** w'(m, ci, R, S) of the alive filters and channels, in workspace slot 4 (the direct paths use 1–3). */
    private static float[] aliveWeights(ConvGeometry g, float[] w, int[] out, int m, int[] in, int ci) {
        float[] wAlive = Sgemm.Workspace.get().scratch(4, m * ci * g.r() * g.s());
        AliveSubproblem.gatherWeights(g, w, out, m, in, ci, wAlive);
        return wAlive;
    }

    /**
     * Winograd and the direct path write dx's rows as they leave their output transform or staging tile, so they
     * overwrite for free: no zeroing pass before, and no read of dx while writing (a 16→16 layer at 28×28, batch
     * 128: two passes over 6.4 MB). Other paths take the interface's zero-then-accumulate.
     */
    @Override
    public void backwardDataInto(ConvGeometry g, float[] dy, float[] w, float[] dx, int n0, int n1) {
        if (n1 <= n0 || writesRows(g, dy, w, dx, n0, n1, false)) return;
        ConvKernels.super.backwardDataInto(g, dy, w, dx, n0, n1);
    }

    /** The data gradient on Winograd or the direct path, adding to dx or overwriting it; false if neither applies. */
    private static boolean writesRows(
            ConvGeometry g, float[] dy, float[] w, float[] dx, int n0, int n1, boolean accumulate) {
        if (depthwise(g)) return false;
        if (Winograd.forLayer(g, g.k(), g.c(), n1 - n0)) {
            Winograd.backwardData(g.c(), null, g.c(), g.h(), g.w(), g.k(), null, g.k(), dy, w, dx, n0, n1, accumulate);
            return true;
        }
        if (!DirectConv.forBackwardData(g)) return false;
        DirectConv.backwardData(
                g.c(), g.h(), g.w(), g.k(), g.r(), g.s(), g.padH(), g.padW(), dy, w, dx, n0, n1, accumulate);
        return true;
    }

    /**
     * dx += conv_transpose(dy, w) for images [n0, n1): Winograd or the direct path where they apply, else lowered to
     * GEMM ({@link Im2col#backwardData}).
     *
     * @param dy (N,K,P,Q)
     * @param w (K,C/G,R,S)
     * @param dx (N,C,H,W), images [n0, n1) accumulated
     */
    @Override
    public void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, int n0, int n1) {
        if (n1 <= n0 || writesRows(g, dy, w, dx, n0, n1, true)) return;
        if (depthwise(g)) {
            Conv2dScalar.backwardData(g, dy, w, dx, n0, n1);
            return;
        }
        Im2col.backwardData(g, dy, w, dx, n0, n1);
    }

    /**
     * dw += Σ_n dy ⋆ x and db += Σ_n Σ_pq dy over all N images, for filters [k0, k1): the one-channel kernel,
     * Winograd or the direct path where they apply, else lowered to GEMM ({@link Im2col#backwardWeights}).
     *
     * @param x (N,C,H,W)
     * @param dy (N,K,P,Q)
     * @param dw (K,C/G,R,S), filters [k0, k1) accumulated
     * @param db (K) or null, [k0, k1) accumulated
     */
    @Override
    public void backwardWeights(ConvGeometry g, float[] x, float[] dy, float[] dw, float[] db, int k0, int k1) {
        if (k0 >= k1) return;
        if (depthwise(g)) {
            Conv2dScalar.backwardWeights(g, x, dy, dw, db, k0, k1);
            return;
        }
        if (db != null) BiasGradient.add(g, dy, db, null, k0, k1);
        if (g.n() == 0) return;
        if (SmallConv.applies(g)) {
            SmallConv.backwardWeights(
                    g.c(), g.h(), g.w(), g.k(), g.r(), g.s(), g.padH(), g.padW(), g.n(), x, dy, dw, null, k0, k1);
            return;
        }
        if (Winograd.forWeights(g, g.c(), g.k(), g.n())) {
            WinogradWeights.backwardWeights(g.c(), null, g.c(), g.h(), g.w(), g.k(), null, g.n(), x, dy, dw, k0, k1);
            return;
        }
        if (DirectConv.applies(g) || DirectConv.forStride2(g, g.c())) {
            DirectConvWeights.backwardWeights(g, x, dy, dw, k0, k1);
            return;
        }
        Im2col.backwardWeights(g, x, dy, dw, k0, k1);
    }
}
