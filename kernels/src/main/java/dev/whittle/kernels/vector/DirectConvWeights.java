package dev.whittle.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The weight gradient of a stride-1 convolution on {@link DirectConv}'s padded, side-by-side layout: the im2col
 * rows are broadcast in place from the padded planes and only dYᵀ is packed (see {@link #backwardWeights}).
 */
final class DirectConvWeights {
    static final VectorSpecies<Float> S = Sgemm.S;
    static final int VL = Sgemm.VL;
    static final int MR = Sgemm.MR;
    static final int NR = Sgemm.NR;

    private DirectConvWeights() {}

    /**
     * dw[k0..k1) += Σ_n dy ⋆ x over all {@code nImages} images, for a stride-1 or stride-2 ({@link ImageLayout}), one-group convolution.
     *
     * <p>Computed transposed, dWᵀ (CRS × K) = Σ_chunks X (CRS × P·Wp) · dYᵀ, with X's rows read in place from the
     * chunk's padded planes ({@code X[(c,r,s)][j] = xpad[rowBase[(c,r,s)] + j]}, the same layout as {@link DirectConv#forward})
     * and only dYᵀ packed (K × P·Wp per chunk, zero in the dropped columns so that their garbage products vanish).
     * X is the large operand: packing it, as im2col + GEMM does, costs as much as the arithmetic when K is 32,
     * because each packed element feeds only K multiply-adds. The microkernel ({@link #kernelRowsA}) broadcasts from
     * eight X rows directly.
     *
     * @param x (N,C,H,W)
     * @param dy (N,K,P,Q)
     * @param dw (K,C,R,S), filters [k0, k1) accumulated
     */
    static void backwardWeights(dev.whittle.kernels.ConvGeometry g, float[] x, float[] dy, float[] dw, int k0, int k1) {
        backwardWeightsAlive(g, null, g.c(), null, x, dy, dw, k0, k1);
    }

    /**
     * A masked layer's weight gradient: dw[out[f]][in[c]] += Σ_n dy ⋆ x for alive filters at positions [k0, k1)
     * of {@code out} and alive channels in[0..ci) of x's xChannels, over all images; x (N,C,H,W) and dy (N,K,P,Q) are read
     * in place (alive planes only), other weights' gradients untouched. Null lists mean every filter or channel.
     */
    static void backwardWeightsAlive(
            dev.whittle.kernels.ConvGeometry g,
            int[] in,
            int ci,
            int[] out,
            float[] x,
            float[] dy,
            float[] dw,
            int k0,
            int k1) {
        run(
                g.c(),
                in,
                ci,
                g.h(),
                g.w(),
                g.k(),
                out,
                g.r(),
                g.s(),
                g.padH(),
                g.padW(),
                g.strideH(),
                g.n(),
                x,
                dy,
                dw,
                k0,
                k1);
    }

    private static void run(
            int xChannels,
            int[] in,
            int ci,
            int h,
            int wIn,
            int k,
            int[] out,
            int r,
            int s,
            int ph,
            int pw,
            int stride,
            int nImages,
            float[] x,
            float[] dy,
            float[] dw,
            int k0,
            int k1) {
        if (nImages <= 0 || k0 >= k1) return;
        Sgemm.Workspace ws = Sgemm.Workspace.get();
        int hp = h + 2 * ph, hw = h * wIn;
        int p = (hp - r) / stride + 1, q = (wIn + 2 * pw - s) / stride + 1, pq = p * q;
        int step = ImageLayout.slotWidth(stride, wIn, pw, q, s), nb = ImageLayout.slots(stride, nImages, wIn, pw, step);
        int wp = ImageLayout.rowWidth(stride, nb, step, pw), rows = ImageLayout.planeRows(stride, hp, p, r);
        int plane = rows * wp, planes = ci * ImageLayout.planesPerChannel(stride, r, s);
        int crs = ci * r * s, kn = k1 - k0;
        int cols = p * wp;
        // One vector of filters per tile when there are at most VL of them (ResNet-20's first stage, LeNet-5): a
        // 2·VL tile would spend half its FMAs on zero padding.
        int nr = kn <= VL ? VL : NR;
        int nStrips = (kn + nr - 1) / nr, mStrips = (crs + MR - 1) / MR;
        int ldt = nStrips * nr;
        float[] xpad = ws.scratch(1, planes * plane + cols);
        float[] bp = ws.scratch(2, nStrips * nr * cols);
        float[] dwt = ws.scratch(3, mStrips * MR * ldt);
        // One int table: rowBase in [0, mStrips·MR), then per group of VL filters the dy plane offsets its gather
        // reads, relative to the group's first plane (lanes past the last filter repeat it; their stores are masked).
        int groups = (kn + VL - 1) / VL, gatherAt = mStrips * MR;
        int[] rowBase = ws.ints(gatherAt + groups * VL);
        int t = ImageLayout.fillRowBase(stride, rowBase, ci, r, s, plane, wp);
        for (; t < mStrips * MR; t++) rowBase[t] = rowBase[crs - 1]; // padding rows: computed, never stored
        fillGatherOffsets(rowBase, gatherAt, k0, kn, out, pq);
        java.util.Arrays.fill(xpad, 0, planes * plane + cols, 0f);
        java.util.Arrays.fill(dwt, 0, mStrips * MR * ldt, 0f);
        // dYᵀ packed k-major in strips of nr filters, bp[(strip·cols + j)·nr + f]: every chunk rewrites the same
        // columns and lanes, so the dropped columns and the lanes past the last filter are zeroed once per call, not
        // per chunk (that fill was 4 % of a ResNet-20 training step: as many floats as dy itself).
        java.util.Arrays.fill(bp, 0, nStrips * nr * cols, 0f);
        for (int n = 0; n < nImages; n += nb) {
            int nbl = Math.min(nb, nImages - n);
            // A short last chunk: its unused slots would keep the previous chunk's gradients.
            if (nbl < nb && n > 0) java.util.Arrays.fill(bp, 0, nStrips * nr * cols, 0f);
            for (int i = 0; i < nbl; i++) {
                int xOff = (n + i) * xChannels * hw;
                ImageLayout.copyImage(stride, x, xOff, ci, in, h, wIn, r, s, ph, pw, xpad, plane, wp, rows, step, i);
                packTransposed(dy, (n + i) * k * pq, k0, kn, out, rowBase, gatherAt, p, q, wp, i * step, nr, cols, bp);
            }
            if (nbl < nb) {
                // Stale images in unused slots meet zero gradients, but NaN/∞ from a previous chunk would not vanish.
                int from = (stride == 1 ? pw : 0) + nbl * step;
                for (int row = 0; row < planes * rows; row++)
                    java.util.Arrays.fill(xpad, row * wp + from, row * wp + wp, 0f);
            }
            for (int pc = 0; pc < cols; pc += KC) {
                int kc = Math.min(KC, cols - pc);
                for (int ns = 0; ns < nStrips; ns++) {
                    int bOff = (ns * cols + pc) * nr;
                    for (int ms = 0; ms < mStrips; ms++) {
                        int cOff = ms * MR * ldt + ns * nr;
                        if (nr == NR) kernelRowsA(kc, xpad, rowBase, ms * MR, pc, bp, bOff, dwt, cOff, ldt);
                        else kernelRowsA1(kc, xpad, rowBase, ms * MR, pc, bp, bOff, dwt, cOff, ldt);
                    }
                }
            }
        }
        for (int f = 0; f < kn; f++) {
            if (out == null) {
                int o = (k0 + f) * crs;
                for (int e = 0; e < crs; e++) dw[o + e] += dwt[e * ldt + f];
            } else {
                // dw (K, C, R, S): alive filter out[k0 + f], alive channel in[cc] (in == null: cc).
                int rs = r * s;
                for (int cc = 0; cc < ci; cc++) {
                    int o = (out[k0 + f] * xChannels + (in == null ? cc : in[cc])) * rs;
                    for (int e = 0; e < rs; e++) dw[o + e] += dwt[(cc * rs + e) * ldt + f];
                }
            }
        }
    }

    /**
     * table[at + f] for f in [0, ⌈kn / VL⌉·VL): the offset of filter position k0 + f's dy plane (planes of
     * {@code planeSize} floats; filter out[k0 + f], or k0 + f when out is null) from the first plane of its group of
     * VL, the index map of one gather per group. Lanes past kn repeat the last filter (their stores are masked).
     */
    static void fillGatherOffsets(int[] table, int at, int k0, int kn, int[] out, int planeSize) {
        for (int f = 0; f < (kn + VL - 1) / VL * VL; f++) {
            int ff = Math.min(f, kn - 1), g0 = f / VL * VL;
            table[at + f] = (out == null ? ff - g0 : out[k0 + ff] - out[k0 + g0]) * planeSize;
        }
    }

    /**
     * One image's dy planes of filters [k0, k0 + kn) (positions in {@code out}, or filters when null) into the
     * packed dYᵀ strips: bp[(f / nr)·cols·nr + (row·wp + col0 + jj)·nr + f % nr] = dy[filter f][row][jj], a group of
     * VL filters at a time ({@link PlaneTranspose}; offsets at {@code offsets[at + g0]}, relative to the group's first
     * plane). Per-column gathers had halved the time of the scalar transpose before them (1.58 → 0.93 ms for 16
     * filters at 28×28, 0.97 → 0.53 ms for 128 at 7×7, batch 128, in isolation).
     */
    private static void packTransposed(
            float[] dy,
            int imageOff,
            int k0,
            int kn,
            int[] out,
            int[] offsets,
            int at,
            int p,
            int q,
            int wp,
            int col0,
            int nr,
            int cols,
            float[] bp) {
        int pq = p * q;
        for (int g0 = 0; g0 < kn; g0 += VL) {
            int first = out == null ? k0 + g0 : out[k0 + g0];
            int base = (g0 / nr) * cols * nr + g0 % nr;
            PlaneTranspose.toPixels(
                    dy, imageOff + first * pq, offsets, at + g0, kn - g0, p, q, bp, base + col0 * nr, wp * nr, nr);
        }
    }

    /** Reduction block of {@link #backwardWeights}: KC × NR floats of packed dYᵀ (16 KiB) stay in L1 over all X rows. */
    static final int KC = 128;

    /**
     * C[0..MR)×[0..NR) += A · Bp, with A row i read in place at {@code x[rowBase[r0 + i] + col + p]} (p < kc) and Bp
     * packed k-major (kc × NR). Like {@link Sgemm#kernel} but broadcasting from eight rows of the padded image.
     */
    static void kernelRowsA(
            int kc, float[] x, int[] rowBase, int r0, int col, float[] bp, int bOff, float[] c, int cOff, int ldc) {
        int x0 = rowBase[r0] + col, x1 = rowBase[r0 + 1] + col, x2 = rowBase[r0 + 2] + col;
        int x3 = rowBase[r0 + 3] + col, x4 = rowBase[r0 + 4] + col, x5 = rowBase[r0 + 5] + col;
        int x6 = rowBase[r0 + 6] + col, x7 = rowBase[r0 + 7] + col;
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        int bi = bOff;
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + VL);
            FloatVector a = FloatVector.broadcast(S, x[x0 + p]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, x[x1 + p]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, x[x2 + p]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, x[x3 + p]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, x[x4 + p]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, x[x5 + p]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, x[x6 + p]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, x[x7 + p]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
            bi += NR;
        }
        int o = cOff;
        FloatVector.fromArray(S, c, o).add(c00).intoArray(c, o);
        FloatVector.fromArray(S, c, o + VL).add(c01).intoArray(c, o + VL);
        o += ldc;
        FloatVector.fromArray(S, c, o).add(c10).intoArray(c, o);
        FloatVector.fromArray(S, c, o + VL).add(c11).intoArray(c, o + VL);
        o += ldc;
        FloatVector.fromArray(S, c, o).add(c20).intoArray(c, o);
        FloatVector.fromArray(S, c, o + VL).add(c21).intoArray(c, o + VL);
        o += ldc;
        FloatVector.fromArray(S, c, o).add(c30).intoArray(c, o);
        FloatVector.fromArray(S, c, o + VL).add(c31).intoArray(c, o + VL);
        o += ldc;
        FloatVector.fromArray(S, c, o).add(c40).intoArray(c, o);
        FloatVector.fromArray(S, c, o + VL).add(c41).intoArray(c, o + VL);
        o += ldc;
        FloatVector.fromArray(S, c, o).add(c50).intoArray(c, o);
        FloatVector.fromArray(S, c, o + VL).add(c51).intoArray(c, o + VL);
        o += ldc;
        FloatVector.fromArray(S, c, o).add(c60).intoArray(c, o);
        FloatVector.fromArray(S, c, o + VL).add(c61).intoArray(c, o + VL);
        o += ldc;
        FloatVector.fromArray(S, c, o).add(c70).intoArray(c, o);
        FloatVector.fromArray(S, c, o + VL).add(c71).intoArray(c, o + VL);
    }

    /** {@link #kernelRowsA} with one vector of columns (Bp packed kc × VL): 8 accumulators. */
    static void kernelRowsA1(
            int kc, float[] x, int[] rowBase, int r0, int col, float[] bp, int bOff, float[] c, int cOff, int ldc) {
        int x0 = rowBase[r0] + col, x1 = rowBase[r0 + 1] + col, x2 = rowBase[r0 + 2] + col;
        int x3 = rowBase[r0 + 3] + col, x4 = rowBase[r0 + 4] + col, x5 = rowBase[r0 + 5] + col;
        int x6 = rowBase[r0 + 6] + col, x7 = rowBase[r0 + 7] + col;
        FloatVector c0 = FloatVector.zero(S),
                c1 = FloatVector.zero(S),
                c2 = FloatVector.zero(S),
                c3 = FloatVector.zero(S);
        FloatVector c4 = FloatVector.zero(S),
                c5 = FloatVector.zero(S),
                c6 = FloatVector.zero(S),
                c7 = FloatVector.zero(S);
        int bi = bOff;
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            c0 = FloatVector.broadcast(S, x[x0 + p]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, x[x1 + p]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, x[x2 + p]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, x[x3 + p]).fma(b0, c3);
            c4 = FloatVector.broadcast(S, x[x4 + p]).fma(b0, c4);
            c5 = FloatVector.broadcast(S, x[x5 + p]).fma(b0, c5);
            c6 = FloatVector.broadcast(S, x[x6 + p]).fma(b0, c6);
            c7 = FloatVector.broadcast(S, x[x7 + p]).fma(b0, c7);
            bi += VL;
        }
        int o = cOff;
        FloatVector.fromArray(S, c, o).add(c0).intoArray(c, o);
        o += ldc;
        FloatVector.fromArray(S, c, o).add(c1).intoArray(c, o);
        o += ldc;
        FloatVector.fromArray(S, c, o).add(c2).intoArray(c, o);
        o += ldc;
        FloatVector.fromArray(S, c, o).add(c3).intoArray(c, o);
        o += ldc;
        FloatVector.fromArray(S, c, o).add(c4).intoArray(c, o);
        o += ldc;
        FloatVector.fromArray(S, c, o).add(c5).intoArray(c, o);
        o += ldc;
        FloatVector.fromArray(S, c, o).add(c6).intoArray(c, o);
        o += ldc;
        FloatVector.fromArray(S, c, o).add(c7).intoArray(c, o);
    }
}
