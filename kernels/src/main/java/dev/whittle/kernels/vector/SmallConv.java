package dev.whittle.kernels.vector;

import dev.whittle.kernels.ConvEpilogue;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Stride-1 convolutions with a short reduction (C·R·S below {@link #MAX_CRS}, e.g. the 1-channel 3×3 first layer of
 * VGG-small and ResNet-20), forward and backward weights, vectorized along output columns and written straight
 * into y / dw.
 *
 * <p>Notation: x (N,C,H,W), w (K,C,R,S), y (N,K,P,Q), CRS = C·R·S. Each image is copied once into zero-padded
 * planes whose rows are {@code wpad} = ⌈Q/VL⌉·VL + S − 1 floats wide, so a vector load at column qb + s never
 * leaves its row; output row p, columns [qb, qb + VL) of filter f are then Σ_(c,r,s) w[f,c,r,s] ·
 * xpad[c, p + r, qb + s ..], with the last column block stored under a lane mask.
 *
 * <p>Why: with nine multiply-adds per output, im2col + GEMM spends its time on the im2col copy, packing, and
 * loading and storing C tiles after nine k-steps (VGG-small conv1 ran at ~15 GFLOP/s forward, ~7 backward
 * weights), and {@link DirectConv}'s staging copy costs as much as the arithmetic (8.5 GFLOP/s). Here each x
 * vector feeds eight filters' FMAs and outputs go from registers to y.
 *
 * <p>Buffers come from the per-thread {@link Sgemm.Workspace}; steady-state calls allocate nothing. Single-threaded
 * per call.
 */
final class SmallConv {
    static final VectorSpecies<Float> S = Sgemm.S;
    static final int VL = Sgemm.VL;

    /** Reductions this short; longer ones go to {@link DirectConv}, which pays from C·R·S ≥ 16. */
    static final int MAX_CRS = 16;

    private SmallConv() {}

    static boolean applies(dev.whittle.kernels.ConvGeometry g) {
        return g.strideH() == 1
                && g.strideW() == 1
                && g.groups() == 1
                && g.padH() < g.r()
                && g.padW() < g.s()
                && g.c() * g.r() * g.s() < MAX_CRS;
    }

    /** Row width of the padded planes: every vector load of an output column block stays inside its row. */
    private static int paddedWidth(int q, int s) {
        return (q + VL - 1) / VL * VL + s - 1;
    }

    /** Zero-padded planes (C × hp × wpad) with image n copied in; the padding is zeroed once per call. */
    private static float[] paddedPlanes(int cIn, int hp, int wpad, int slack, Sgemm.Workspace ws) {
        float[] xpad = ws.scratch(1, cIn * hp * wpad + slack);
        java.util.Arrays.fill(xpad, 0, cIn * hp * wpad + slack, 0f);
        return xpad;
    }

    private static void copyImage(
            float[] x, int xOff, int cIn, int h, int wIn, float[] xpad, int hp, int wpad, int ph, int pw) {
        for (int c = 0; c < cIn; c++) {
            for (int row = 0; row < h; row++)
                System.arraycopy(x, xOff + (c * h + row) * wIn, xpad, (c * hp + row + ph) * wpad + pw, wIn);
        }
    }

    /**
     * y = e(conv(x, w) + b) for images [n0, n1): weight row i (i in [i0, i1)) into output plane planes[i], or plane
     * i when planes is null (other planes untouched). Dense: planes null and [i0, i1) a filter range. Masked: planes
     * the alive filters, w their gathered rows, [i0, i1) = [0, m); every input channel alive (a reduction this
     * short has one input channel). e applies its batch norm and ReLU to each image's planes as they are written
     * (null: none; its residual and pool are not applied); a one-channel 3×3 layer applies it in {@link
     * SmallConv3x3}'s stores, which saves a pass over the layer's largest output (16 % of VGG-small's first layer).
     *
     * @param planes (m) alive filters ascending, or null
     * @param x (N,C,H,W)
     * @param w (K,C,R,S), or (m,C,R,S) gathered when planes is given
     * @param b (K) or null, indexed by output plane
     * @param y (N,K,P,Q) with P = H + 2·ph − R + 1, Q = W + 2·pw − S + 1
     */
    static void forward(
            int cIn,
            int h,
            int wIn,
            int k,
            int[] planes,
            int r,
            int s,
            int ph,
            int pw,
            float[] x,
            float[] w,
            float[] b,
            float[] y,
            int n0,
            int n1,
            int i0,
            int i1,
            ConvEpilogue e) {
        Sgemm.Workspace ws = Sgemm.Workspace.get();
        int hp = h + 2 * ph, p = hp - r + 1, q = wIn + 2 * pw - s + 1, pq = p * q, crs = cIn * r * s;
        int wpad = paddedWidth(q, s);
        // VL floats of slack: SmallConv3x3 reads a vector past the last row's last column block.
        float[] xpad = paddedPlanes(cIn, hp, wpad, VL, ws);
        boolean rows3 = cIn == 1 && r == 3 && s == 3;
        // The general kernels' reduction offsets (SmallConv3x3 has its nine taps as displacements).
        int[] rowBase = rows3 ? null : ws.ints(crs);
        if (!rows3) ImageLayout.fillRowBase(rowBase, cIn, r, s, hp * wpad, wpad);
        for (int n = n0; n < n1; n++) {
            copyImage(x, n * cIn * h * wIn, cIn, h, wIn, xpad, hp, wpad, ph, pw);
            int yImage = n * k * pq;
            if (rows3) {
                for (int i = i0; i < i1; i += 2) filters2(w, b, i, i1, planes, e, xpad, wpad, hp, q, y, yImage, pq);
                continue;
            }
            int i = i0;
            for (; i + 8 <= i1; i += 8) filters8(crs, w, b, i, planes, xpad, rowBase, wpad, p, q, y, yImage, pq);
            for (; i < i1; i++) filter1(crs, w, b, i, plane(planes, i), xpad, rowBase, wpad, p, q, y, yImage);
            if (e != null) {
                for (int j = i0; j < i1; j++) {
                    int f = plane(planes, j);
                    affine(y, yImage + f * pq, pq, e.scale()[f], e.shift()[f], e.relu());
                }
            }
        }
    }

    /** Weight rows i and i + 1 (i alone when it is the last below i1) through {@link SmallConv3x3#column}, column block by column block. */
    private static void filters2(
            float[] w,
            float[] b,
            int i,
            int i1,
            int[] planes,
            ConvEpilogue e,
            float[] xpad,
            int wpad,
            int hp,
            int q,
            float[] y,
            int yImage,
            int pq) {
        int fa = plane(planes, i), fb = i + 1 < i1 ? plane(planes, i + 1) : -1;
        int g = fb < 0 ? fa : fb; // a last filter alone: the second filter's values are read but never stored
        boolean affine = e != null;
        int wa = 9 * i, wb = fb < 0 ? wa : 9 * (i + 1);
        float ba = b == null ? 0f : b[fa], bb = b == null ? 0f : b[g];
        float sa = affine ? e.scale()[fa] : 1f, ta = affine ? e.shift()[fa] : 0f;
        float sb = affine ? e.scale()[g] : 1f, tb = affine ? e.shift()[g] : 0f;
        int ya = yImage + fa * pq, yb = fb < 0 ? -1 : yImage + fb * pq;
        for (int qb = 0; qb < q; qb += VL)
            SmallConv3x3.column(
                    w, wa, wb, ba, bb, affine, sa, ta, sb, tb, affine && e.relu(), xpad, wpad, hp, q, qb, y, ya, yb);
    }

    /** y[o, o + n) = max(scale·y + shift, 0) (the max only with relu), as the batch norm's own pass computes it. */
    private static void affine(float[] y, int o, int n, float scale, float shift, boolean relu) {
        int j = 0;
        for (; j + VL <= n; j += VL) {
            FloatVector v = FloatVector.fromArray(S, y, o + j).fma(scale, shift);
            (relu ? v.max(0f) : v).intoArray(y, o + j);
        }
        for (; j < n; j++) {
            float v = Math.fma(y[o + j], scale, shift);
            y[o + j] = relu ? Math.max(v, 0f) : v;
        }
    }

    private static int plane(int[] planes, int i) {
        return planes == null ? i : planes[i];
    }

    /**
     * Weight rows i0..i0+7 of one image into planes f_j = plane(planes, i0 + j): y[yImage + f_j·pq + p·Q + q].
     */
    private static void filters8(
            int crs,
            float[] w,
            float[] b,
            int i0,
            int[] planes,
            float[] xpad,
            int[] rowBase,
            int wpad,
            int p,
            int q,
            float[] y,
            int yImage,
            int pq) {
        int w0 = i0 * crs, w1 = w0 + crs, w2 = w1 + crs, w3 = w2 + crs;
        int w4 = w3 + crs, w5 = w4 + crs, w6 = w5 + crs, w7 = w6 + crs;
        int f0 = plane(planes, i0), f1 = plane(planes, i0 + 1), f2 = plane(planes, i0 + 2), f3 = plane(planes, i0 + 3);
        int f4 = plane(planes, i0 + 4), f5 = plane(planes, i0 + 5), f6 = plane(planes, i0 + 6);
        int f7 = plane(planes, i0 + 7);
        FloatVector b0 = bias(b, f0), b1 = bias(b, f1), b2 = bias(b, f2), b3 = bias(b, f3);
        FloatVector b4 = bias(b, f4), b5 = bias(b, f5), b6 = bias(b, f6), b7 = bias(b, f7);
        int y0 = yImage + f0 * pq, y1 = yImage + f1 * pq, y2 = yImage + f2 * pq, y3 = yImage + f3 * pq;
        int y4 = yImage + f4 * pq, y5 = yImage + f5 * pq, y6 = yImage + f6 * pq, y7 = yImage + f7 * pq;
        for (int row = 0; row < p; row++) {
            for (int qb = 0; qb < q; qb += VL) {
                FloatVector a0 = b0, a1 = b1, a2 = b2, a3 = b3, a4 = b4, a5 = b5, a6 = b6, a7 = b7;
                int base = row * wpad + qb;
                for (int t = 0; t < crs; t++) {
                    FloatVector xv = FloatVector.fromArray(S, xpad, rowBase[t] + base);
                    a0 = xv.fma(FloatVector.broadcast(S, w[w0 + t]), a0);
                    a1 = xv.fma(FloatVector.broadcast(S, w[w1 + t]), a1);
                    a2 = xv.fma(FloatVector.broadcast(S, w[w2 + t]), a2);
                    a3 = xv.fma(FloatVector.broadcast(S, w[w3 + t]), a3);
                    a4 = xv.fma(FloatVector.broadcast(S, w[w4 + t]), a4);
                    a5 = xv.fma(FloatVector.broadcast(S, w[w5 + t]), a5);
                    a6 = xv.fma(FloatVector.broadcast(S, w[w6 + t]), a6);
                    a7 = xv.fma(FloatVector.broadcast(S, w[w7 + t]), a7);
                }
                int o = row * q + qb;
                if (qb + VL <= q) {
                    a0.intoArray(y, y0 + o);
                    a1.intoArray(y, y1 + o);
                    a2.intoArray(y, y2 + o);
                    a3.intoArray(y, y3 + o);
                    a4.intoArray(y, y4 + o);
                    a5.intoArray(y, y5 + o);
                    a6.intoArray(y, y6 + o);
                    a7.intoArray(y, y7 + o);
                } else {
                    VectorMask<Float> m = S.indexInRange(qb, q);
                    a0.intoArray(y, y0 + o, m);
                    a1.intoArray(y, y1 + o, m);
                    a2.intoArray(y, y2 + o, m);
                    a3.intoArray(y, y3 + o, m);
                    a4.intoArray(y, y4 + o, m);
                    a5.intoArray(y, y5 + o, m);
                    a6.intoArray(y, y6 + o, m);
                    a7.intoArray(y, y7 + o, m);
                }
            }
        }
    }

    /** Weight row i of one image into plane f (the rows left over after blocks of eight). */
    private static void filter1(
            int crs,
            float[] w,
            float[] b,
            int i,
            int f,
            float[] xpad,
            int[] rowBase,
            int wpad,
            int p,
            int q,
            float[] y,
            int yImage) {
        FloatVector b0 = bias(b, f);
        int w0 = i * crs, yOff = yImage + f * p * q;
        for (int row = 0; row < p; row++) {
            for (int qb = 0; qb < q; qb += VL) {
                FloatVector a0 = b0;
                int base = row * wpad + qb;
                for (int t = 0; t < crs; t++)
                    a0 = FloatVector.fromArray(S, xpad, rowBase[t] + base).fma(FloatVector.broadcast(S, w[w0 + t]), a0);
                a0.intoArray(y, yOff + row * q + qb, S.indexInRange(qb, q));
            }
        }
    }

    private static FloatVector bias(float[] b, int f) {
        return FloatVector.broadcast(S, b == null ? 0f : b[f]);
    }

    /**
     * dw rows p_i += Σ_n x ⋆ dy plane p_i over images [0, batch), p_i = planes[i] or i when planes is null, i in
     * [i0, i1); other rows untouched. Per row and reduction term the column-lane partial sums stay vectors in a
     * workspace row across all images, and are reduced once at the end. Masked (planes given): every input channel
     * alive.
     *
     * @param x (N,C,H,W)
     * @param dy (N,K,P,Q)
     * @param dw (K,C,R,S), rows accumulated
     */
    static void backwardWeights(
            int cIn,
            int h,
            int wIn,
            int k,
            int r,
            int s,
            int ph,
            int pw,
            int batch,
            float[] x,
            float[] dy,
            float[] dw,
            int[] planes,
            int i0,
            int i1) {
        Sgemm.Workspace ws = Sgemm.Workspace.get();
        int hp = h + 2 * ph, p = hp - r + 1, q = wIn + 2 * pw - s + 1, pq = p * q, crs = cIn * r * s;
        int wpad = paddedWidth(q, s), kn = i1 - i0;
        float[] xpad = paddedPlanes(cIn, hp, wpad, 0, ws);
        int[] rowBase = ws.ints(crs);
        ImageLayout.fillRowBase(rowBase, cIn, r, s, hp * wpad, wpad);
        float[] part = ws.scratch(2, kn * crs * VL);
        java.util.Arrays.fill(part, 0, kn * crs * VL, 0f);
        for (int n = 0; n < batch; n++) {
            copyImage(x, n * cIn * h * wIn, cIn, h, wIn, xpad, hp, wpad, ph, pw);
            for (int i = i0; i < i1; i++) {
                int dyOff = (n * k + plane(planes, i)) * pq;
                for (int t0 = 0; t0 < crs; t0 += TERMS)
                    terms9(crs, t0, xpad, rowBase, wpad, p, q, dy, dyOff, part, ((i - i0) * crs) * VL);
            }
        }
        for (int i = 0; i < kn; i++) {
            int row = plane(planes, i0 + i) * crs;
            for (int t = 0; t < crs; t++)
                dw[row + t] +=
                        FloatVector.fromArray(S, part, (i * crs + t) * VL).reduceLanes(VectorOperators.ADD);
        }
    }

    /**
     * Reduction terms per pass of {@link #terms9}: nine, so a one-channel 3×3 layer (C·R·S = 9) takes one pass. With
     * eight, its ninth term took a second pass of eight (seven repeats computed and dropped): VGG-small's conv1 weight
     * gradient ran at 11 GFLOP/s on two threads.
     */
    static final int TERMS = 9;

    /**
     * part[(t0 + i)·VL ..] += Σ_(p, columns) dy · x-row (t0 + i) for the nine terms t0..t0+8 of one filter of one
     * image (terms past crs repeat the last and are not stored). Masked dy lanes past Q are zero, so the x lanes
     * they meet (padding or the next row's columns) add nothing.
     */
    private static void terms9(
            int crs,
            int t0,
            float[] xpad,
            int[] rowBase,
            int wpad,
            int p,
            int q,
            float[] dy,
            int dyOff,
            float[] part,
            int partOff) {
        int last = crs - 1;
        int r0 = rowBase[Math.min(t0, last)], r1 = rowBase[Math.min(t0 + 1, last)];
        int r2 = rowBase[Math.min(t0 + 2, last)], r3 = rowBase[Math.min(t0 + 3, last)];
        int r4 = rowBase[Math.min(t0 + 4, last)], r5 = rowBase[Math.min(t0 + 5, last)];
        int r6 = rowBase[Math.min(t0 + 6, last)], r7 = rowBase[Math.min(t0 + 7, last)];
        int r8 = rowBase[Math.min(t0 + 8, last)];
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0;
        for (int row = 0; row < p; row++) {
            for (int qb = 0; qb < q; qb += VL) {
                int d = dyOff + row * q + qb, base = row * wpad + qb;
                FloatVector g = qb + VL <= q
                        ? FloatVector.fromArray(S, dy, d)
                        : FloatVector.fromArray(S, dy, d, S.indexInRange(qb, q));
                a0 = g.fma(FloatVector.fromArray(S, xpad, r0 + base), a0);
                a1 = g.fma(FloatVector.fromArray(S, xpad, r1 + base), a1);
                a2 = g.fma(FloatVector.fromArray(S, xpad, r2 + base), a2);
                a3 = g.fma(FloatVector.fromArray(S, xpad, r3 + base), a3);
                a4 = g.fma(FloatVector.fromArray(S, xpad, r4 + base), a4);
                a5 = g.fma(FloatVector.fromArray(S, xpad, r5 + base), a5);
                a6 = g.fma(FloatVector.fromArray(S, xpad, r6 + base), a6);
                a7 = g.fma(FloatVector.fromArray(S, xpad, r7 + base), a7);
                a8 = g.fma(FloatVector.fromArray(S, xpad, r8 + base), a8);
            }
        }
        int n = Math.min(TERMS, crs - t0), o = partOff + t0 * VL;
        FloatVector.fromArray(S, part, o).add(a0).intoArray(part, o);
        if (n > 1) FloatVector.fromArray(S, part, o + VL).add(a1).intoArray(part, o + VL);
        if (n > 2) FloatVector.fromArray(S, part, o + 2 * VL).add(a2).intoArray(part, o + 2 * VL);
        if (n > 3) FloatVector.fromArray(S, part, o + 3 * VL).add(a3).intoArray(part, o + 3 * VL);
        if (n > 4) FloatVector.fromArray(S, part, o + 4 * VL).add(a4).intoArray(part, o + 4 * VL);
        if (n > 5) FloatVector.fromArray(S, part, o + 5 * VL).add(a5).intoArray(part, o + 5 * VL);
        if (n > 6) FloatVector.fromArray(S, part, o + 6 * VL).add(a6).intoArray(part, o + 6 * VL);
        if (n > 7) FloatVector.fromArray(S, part, o + 7 * VL).add(a7).intoArray(part, o + 7 * VL);
        if (n > 8) FloatVector.fromArray(S, part, o + 8 * VL).add(a8).intoArray(part, o + 8 * VL);
    }
}
