package dev.whittle.kernels.vector;

import dev.whittle.kernels.ConvEpilogue;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Stride-1 convolution (forward, backward data, backward weights) as implicit GEMMs that read the image operand in
 * place from a zero-padded copy: no im2col matrix, and the image operand is never packed.
 *
 * <p>Notation: x (N,C,H,W), w (K,C,R,S), y (N,K,P,Q), padded planes Hp = H + 2·padH by Wp = W + 2·padW, CRS = C·R·S.
 * With stride 1, output pixel (p, q) reads padded element (p + r, q + s) of each channel, so if outputs are
 * computed at the P·Wp positions j = p·Wp + q (q running over the whole padded width; the Wp − Q extra columns of
 * each row are computed and dropped), then for the reduction index (c, r, s)
 * {@code X[(c,r,s)][j] = xpad[c·Hp·Wp + r·Wp + s + j]}: every row of the im2col matrix is a contiguous run of the
 * padded image at offset {@code rowBase[(c,r,s)]}. Small maps are laid side by side in one padded plane (sharing
 * their zero columns, see {@link ImageLayout#TARGET_WIDTH}).
 * <ul>
 *   <li>forward: Y (K × P·Wp) = W (K × CRS) · X; the microkernel ({@link DirectConvTile#kernel}, {@link DirectConvTile#kernel3}) loads its two
 *       B vectors per k from {@code xpad[rowBase[k] + j]} and broadcasts eight filters' weights read in place
 *       (packing W, as the first version did, cost up to a fifth of a batch-1 layer: vgg6 44 → 53 GFLOP/s in
 *       place, no difference at batch 64). Only the padded image and the output staging are copied, both small
 *       next to the arithmetic (CRS multiply-adds per output).</li>
 *   <li>backward data: the same computation on dy with transposed, flipped weights and padding R − 1 − padH.</li>
 *   <li>backward weights: dWᵀ (CRS × K) = X · dYᵀ with X's rows broadcast in place ({@link DirectConvWeights}) and only
 *       dYᵀ packed.</li>
 * </ul>
 *
 * <p>Why: on VGG-small's layers at batch 64 (Ice Lake VM, one thread) im2col plus packing took 30–50 % of the
 * layer time (14.5 ms of ~30 ms at 128→128 @ 7×7, where each im2col row is seven floats long), and with 32
 * filters each packed im2col element feeds only 32 multiply-adds, so packing cost as much as the arithmetic.
 * JMH ConvLayerBenchmark, batch 64, one thread (bench/README.md): forward 28–51 → 53–60 GFLOP/s, backward data
 * 25–46 → 55–68, backward weights 27–46 → 55–79 on vgg2–vgg6. Tried and dropped for backward weights: a
 * dot-product tile (4 filters × 3 rows of vector partial sums over j, lanes reduced per chunk), ~38 GFLOP/s on
 * the kernel alone; and the packed GEMM over in-place A rows, no better than im2col. The extra columns cost
 * (Wp − Q)/Q more arithmetic: 7 % at 28×28, 16 % at 7×7 side by side.
 *
 * <p>Buffers come from the per-thread {@link Sgemm.Workspace}; steady-state calls allocate nothing. Single-threaded
 * per call.
 */
final class DirectConv {
    static final VectorSpecies<Float> S = Sgemm.S;
    static final int VL = Sgemm.VL;
    static final int MR = Sgemm.MR;
    static final int NR = Sgemm.NR;

    /** {@code -Dwhittle.conv.direct=false} keeps stride-1 convolutions on im2col + GEMM (for A/B measurements). */
    static final boolean ENABLED = !"false".equals(System.getProperty("whittle.conv.direct"));

    /** {@code -Dwhittle.conv.stride2=false} keeps stride-2 convolutions on im2col + GEMM (for A/B measurements). */
    static final boolean STRIDE2 = ENABLED && !"false".equals(System.getProperty("whittle.conv.stride2"));

    private DirectConv() {}

    /** Stride 1, one group, padding smaller than the kernel (so that the transposed pass needs no negative pad). */
    static boolean applies(dev.whittle.kernels.ConvGeometry g) {
        return ENABLED
                && g.strideH() == 1
                && g.strideW() == 1
                && g.groups() == 1
                && g.padH() < g.r()
                && g.padW() < g.s();
    }

    /**
     * Forward pays for itself once a reduction row is long enough: with C·R·S = 9 (VGG-small's first layer, one
     * input channel) the per-output copy into y costs as much as the arithmetic, and im2col + GEMM ran at 15 vs
     * 8.5 GFLOP/s; at C·R·S = 25 (LeNet-5's first layer, 5×5) the direct path already wins, 0.70 vs 1.70–1.79 ms at
     * batch 64 and 0.010–0.014 vs 0.022 ms at batch 1 (LayerProfile, one thread).
     */
    static boolean forForward(dev.whittle.kernels.ConvGeometry g) {
        return forForward(g, g.c());
    }

    /** {@link #forForward} for a masked layer reading {@code channels} of its input channels. */
    static boolean forForward(dev.whittle.kernels.ConvGeometry g, int channels) {
        return applies(g) && channels * g.r() * g.s() >= 16;
    }

    /**
     * Stride-2 forward on phase planes (see {@link #run}): both strides 2, one group, padding smaller than the
     * kernel, and a reduction long enough to pay ({@code channels}·R·S ≥ 16, as for stride 1). ResNet's 1×1
     * shortcuts (one phase read) ran 0.69–0.87× of im2col + GEMM this way in Stop 16; since the faster staging
     * stores they run 1.25–1.5× faster than it at batch 64 (bench/ab/kernel.sh, both orders) and several times
     * faster at batch 1, where im2col + GEMM packed per image.
     */
    static boolean forStride2(dev.whittle.kernels.ConvGeometry g, int channels) {
        return STRIDE2
                && g.strideH() == 2
                && g.strideW() == 2
                && g.groups() == 1
                && g.padH() < g.r()
                && g.padW() < g.s()
                && channels * g.r() * g.s() >= 16;
    }

    /** The transposed pass has C output channels; below one 8-row tile most of each tile would be padding. */
    static boolean forBackwardData(dev.whittle.kernels.ConvGeometry g) {
        return forBackwardData(g, g.c());
    }

    /** {@link #forBackwardData} for a masked layer writing {@code channels} of its input channels. */
    static boolean forBackwardData(dev.whittle.kernels.ConvGeometry g, int channels) {
        return applies(g) && channels >= MR;
    }

    /**
     * y (=|+=) conv(x, w) + b for images [n0, n1) and filters [k0, k1) (other filters' planes untouched), stride 1
     * or 2 ({@link #forForward}, {@link #forStride2}).
     *
     * @param x (N,C,H,W)
     * @param w (K,C,R,S)
     * @param b (K) or null
     * @param y (N,K,P,Q), overwritten
     */
    static void forward(
            dev.whittle.kernels.ConvGeometry g,
            float[] x,
            float[] w,
            float[] b,
            float[] y,
            int n0,
            int n1,
            int k0,
            int k1) {
        run(g, g.c(), null, null, x, w, b, y, n0, n1, k0, k1, null);
    }

    /**
     * A masked layer's forward: alive filters out[0..m) from alive channels in[0..ci), with w (m, ci, R, S) the
     * alive weights; y's alive planes are overwritten with e(conv + b) (b indexed by filter, may be null; e null:
     * no epilogue), the others are not touched. x (N,C,H,W) and y (N,K,P,Q) are the full activations: the alive
     * planes are read and written in place, where a gathered sub-problem would copy them in and out once more.
     * With null lists it is the whole layer (ci = c, m = k, w the full weights). The epilogue is applied to each
     * output row as it leaves the staging tile.
     */
    static void forwardThen(
            dev.whittle.kernels.ConvGeometry g,
            int[] in,
            int ci,
            int[] out,
            int m,
            float[] x,
            float[] w,
            float[] b,
            float[] y,
            int n0,
            int n1,
            ConvEpilogue e) {
        run(g, ci, in, out, x, w, b, y, n0, n1, 0, m, e);
    }

    /** {@link #run} for a layer's own geometry: ci of x's channels (list in) into weight rows [k0, k1). */
    private static void run(
            dev.whittle.kernels.ConvGeometry g,
            int ci,
            int[] in,
            int[] out,
            float[] x,
            float[] w,
            float[] b,
            float[] y,
            int n0,
            int n1,
            int k0,
            int k1,
            ConvEpilogue e) {
        int r = g.r(), s = g.s();
        run(
                ci,
                g.c(),
                in,
                g.h(),
                g.w(),
                g.k(),
                out,
                r,
                s,
                g.padH(),
                g.padW(),
                g.strideH(),
                x,
                w,
                b,
                y,
                n0,
                n1,
                k0,
                k1,
                false,
                Sgemm.Workspace.get(),
                e);
    }

    /**
     * dx += conv_transpose(dy, w) for images [n0, n1) of a stride-1, one-group convolution with padding (ph, pw):
     * a stride-1 convolution of dy with weights w'[c][k][r][s] = w[k][c][R−1−r][S−1−s] and padding (R−1−ph, S−1−pw).
     *
     * @param dy (N,K,P,Q)
     * @param w (K,C,R,S)
     * @param dx (N,C,H,W), accumulated; overwritten for images [n0, n1) when not {@code accumulate}
     */
    static void backwardData(
            int cIn,
            int h,
            int wIn,
            int k,
            int r,
            int s,
            int ph,
            int pw,
            float[] dy,
            float[] w,
            float[] dx,
            int n0,
            int n1,
            boolean accumulate) {
        Sgemm.Workspace ws = Sgemm.Workspace.get();
        float[] wt = transposedFlipped(w, k, cIn, r * s, ws);

        int p = h + 2 * ph - r + 1, q = wIn + 2 * pw - s + 1;
        run(
                k,
                k,
                null,
                p,
                q,
                cIn,
                null,
                r,
                s,
                r - 1 - ph,
                s - 1 - pw,
                1,
                dy,
                wt,
                null,
                dx,
                n0,
                n1,
                0,
                cIn,
                accumulate,
                ws,
                null);
    }

    /**
     * A masked layer's backward data: dx's alive channels in[0..ci) += the transposed convolution of dy's alive
     * planes out[0..m) with the alive weights w' (m, ci, R, S); other channels untouched. dy (N,K,P,Q) and dx
     * (N,C,H,W) are the full activations, read and accumulated in place.
     */
    static void backwardDataAlive(
            int c,
            int[] in,
            int ci,
            int h,
            int wIn,
            int k,
            int[] out,
            int m,
            int r,
            int s,
            int ph,
            int pw,
            float[] dy,
            float[] wAlive,
            float[] dx,
            int n0,
            int n1) {
        Sgemm.Workspace ws = Sgemm.Workspace.get();
        float[] wt = transposedFlipped(wAlive, m, ci, r * s, ws);
        int p = h + 2 * ph - r + 1, q = wIn + 2 * pw - s + 1;
        run(m, k, out, p, q, c, in, r, s, r - 1 - ph, s - 1 - pw, 1, dy, wt, null, dx, n0, n1, 0, ci, true, ws, null);
    }

    /**
     * y[yo, yo + q) (=|+=) stage[so, so + q) + bias, through the epilogue max(scale·v + shift + res[yo..], 0) when
     * {@code affine} (res only when non-null, the ReLU only when {@code relu}): one output row out of the staging
     * tile ({@link #storeRows} with one row).
     */
    static void storeRow(
            float[] stage,
            int so,
            float[] y,
            int yo,
            int q,
            float bias,
            boolean affine,
            float scale,
            float shift,
            float[] res,
            boolean relu,
            boolean accumulate) {
        storeRows(stage, so, 0, y, yo, 0, 1, q, bias, affine, scale, shift, res, relu, accumulate);
    }

    /**
     * {@link #storeRow} for {@code rows} rows of q outputs: row r from stage[so + r·sStep] to y[yo + r·yStep] (res
     * read at the same offsets as y), in vectors with a masked tail.
     *
     * <p>Why one call for many rows: C2 compiles this as a method of its own once it is hot, and a method already
     * compiled that large is no longer inlined into later callers. Called once per row, that cost a call, twelve
     * arguments and a fresh tail mask per row of 7 to 28 outputs, and which layers paid depended on the order in
     * which the JIT met them: after a model run a 32→32 @ 14² Winograd layer ran 1.2–1.5× slower than in a JVM that
     * had run it alone, WinogradOutput.storeRows going from 1 % to 8 % of its time (async-profiler, bench/README.md
     * Stop 21). Why no scalar loop: C2's own vectorization of it never reached its vector body on rows this short
     * (q = 7, 14, 28), so the copy ran scalar: 0.37 vs 0.17 ms for 16 filters at 28×28, batch 64. The epilogue here
     * saves the batch norm's separate pass over the output (0.2–0.6 ms a layer at batch 64).
     */
    static void storeRows(
            float[] stage,
            int so,
            int sStep,
            float[] y,
            int yo,
            int yStep,
            int rows,
            int q,
            float bias,
            boolean affine,
            float scale,
            float shift,
            float[] res,
            boolean relu,
            boolean accumulate) {
        int full = q - q % VL;
        // The mask is made here, not passed in: a vector object crossing a call C2 may not inline is boxed.
        VectorMask<Float> tail = S.indexInRange(full, q);
        for (int r = 0; r < rows; r++, so += sStep, yo += yStep) {
            for (int jj = 0; jj < full; jj += VL) {
                FloatVector v = FloatVector.fromArray(S, stage, so + jj).add(bias);
                if (affine) v = v.fma(scale, shift);
                if (res != null) v = v.add(FloatVector.fromArray(S, res, yo + jj));
                if (relu) v = v.max(0f);
                if (accumulate) v = v.add(FloatVector.fromArray(S, y, yo + jj));
                v.intoArray(y, yo + jj);
            }
            if (full < q) {
                FloatVector v = FloatVector.fromArray(S, stage, so + full, tail).add(bias);
                if (affine) v = v.fma(scale, shift);
                if (res != null) v = v.add(FloatVector.fromArray(S, res, yo + full, tail));
                if (relu) v = v.max(0f);
                if (accumulate) v = v.add(FloatVector.fromArray(S, y, yo + full, tail));
                v.intoArray(y, yo + full, tail);
            }
        }
    }

    /** w'[c][k][r][s] = w[k][c][R−1−r][S−1−s]: the weights of the transposed pass, in workspace slot 3. */
    static float[] transposedFlipped(float[] w, int k, int cIn, int rs, Sgemm.Workspace ws) {
        float[] wt = ws.scratch(3, cIn * k * rs);
        for (int kk = 0; kk < k; kk++) {
            for (int c = 0; c < cIn; c++) {
                int src = (kk * cIn + c) * rs, dst = (c * k + kk) * rs;
                for (int t = 0; t < rs; t++) wt[dst + rs - 1 - t] = w[src + t];
            }
        }
        return wt;
    }

    /**
     * The per-chunk loop over weights {@code w} (K × CRS, row-major, read in place); see the class comment.
     *
     * <p>Stride 2 runs the same implicit GEMM on phase planes: x's padded plane split into its (row, column) parity
     * phases, phase (a, b) holding padded element (2i + a, 2j + b) at (i, j). Output (p, q) of a stride-2 convolution
     * reads padded element (2p + r, 2q + s), which is element (p + r/2, q + s/2) of phase (r mod 2, s mod 2): so every
     * im2col row is again a contiguous run, at {@code rowBase[(c,r,s)]} in the phase planes, and outputs are computed
     * at the P·Wq positions p·Wq + q with Wq = Q + (S − 1)/2 (the (S − 1)/2 extra columns per row are dropped).
     * ResNet-20's stride-2 3×3 layers had run on im2col + GEMM at a quarter of the stride-1 layers' speed.
     */
    private static void run(
            int cIn,
            int xChannels,
            int[] in,
            int h,
            int wIn,
            int k,
            int[] out,
            int r,
            int s,
            int ph,
            int pw,
            int stride,
            float[] x,
            float[] w,
            float[] b,
            float[] y,
            int n0,
            int n1,
            int k0,
            int k1,
            boolean accumulate,
            Sgemm.Workspace ws,
            ConvEpilogue e) {
        int hp = h + 2 * ph, hw = h * wIn;
        int p = (hp - r) / stride + 1, q = (wIn + 2 * pw - s) / stride + 1, pq = p * q;
        int step = ImageLayout.slotWidth(stride, wIn, pw, q, s), nb = ImageLayout.slots(stride, n1 - n0, wIn, pw, step);
        int wp = ImageLayout.rowWidth(stride, nb, step, pw), rows = ImageLayout.planeRows(stride, hp, p, r);
        int plane = rows * wp, planes = cIn * ImageLayout.planesPerChannel(stride, r, s);
        int crs = cIn * r * s;
        int cols = p * wp;
        int ldc = (cols + NR - 1) / NR * NR;
        int kStrips = (k1 - k0 + MR - 1) / MR;
        float[] xpad = ws.scratch(1, planes * plane + ldc + NR);
        // VL floats of slack: PlaneStore reads whole vectors past a plane's last output.
        float[] stage = ws.scratch(2, kStrips * MR * ldc + VL);
        int[] rowBase = ws.ints(crs);
        ImageLayout.fillRowBase(stride, rowBase, cIn, r, s, plane, wp);
        // Borders, gaps (and the slack the last column strip reads past the planes) stay zero; interiors are
        // rewritten per chunk. A short last chunk leaves stale images in its unused slots: their outputs are
        // computed and never read.
        java.util.Arrays.fill(xpad, 0, planes * plane + ldc + NR, 0f);
        boolean relu = e != null && e.relu();
        float[] res = e == null ? null : e.residual();
        boolean byPlane = PlaneStore.applies(q, wp);
        int[] masks = byPlane ? PlaneStore.masks(ws, wp, q) : null;
        for (int n = n0; n < n1; n += nb) {
            int nbl = Math.min(nb, n1 - n);
            for (int i = 0; i < nbl; i++) {
                int xOff = (n + i) * xChannels * hw;
                ImageLayout.copyImage(stride, x, xOff, cIn, in, h, wIn, r, s, ph, pw, xpad, plane, wp, rows, step, i);
            }
            for (int is = 0; is < kStrips; is++) {
                int cRow = is * MR * ldc;
                if (s == 3 && stride == 1) {
                    for (int j = 0; j < cols; j += NR)
                        DirectConvTile.kernel3(crs, w, k0 + is * MR, k1 - 1, xpad, rowBase, j, stage, cRow + j, ldc);
                } else if (s == 3) {
                    for (int j = 0; j < cols; j += NR)
                        DirectConvTile.kernelPhase3(
                                crs, w, k0 + is * MR, k1 - 1, xpad, rowBase, plane, j, stage, cRow + j, ldc);
                } else {
                    for (int j = 0; j < cols; j += NR)
                        DirectConvTile.kernel(crs, w, k0 + is * MR, k1 - 1, xpad, rowBase, j, stage, cRow + j, ldc);
                }
            }
            for (int i = 0; i < nbl; i++) {
                int yOff = (n + i) * k * pq;
                for (int kk = k0; kk < k1; kk++) {
                    int yPlane = out == null ? kk : out[kk];
                    float bias = b == null ? 0f : b[yPlane];
                    float scale = e == null ? 1f : e.scale()[yPlane], shift = e == null ? 0f : e.shift()[yPlane];
                    int so = (kk - k0) * ldc + i * step, yo = yOff + yPlane * pq;
                    if (byPlane) {
                        PlaneStore.store(
                                stage,
                                so,
                                wp,
                                masks,
                                y,
                                yo,
                                p,
                                q,
                                bias,
                                e != null,
                                scale,
                                shift,
                                res,
                                relu,
                                accumulate);
                        continue;
                    }
                    storeRows(stage, so, wp, y, yo, q, p, q, bias, e != null, scale, shift, res, relu, accumulate);
                }
            }
        }
    }
}
