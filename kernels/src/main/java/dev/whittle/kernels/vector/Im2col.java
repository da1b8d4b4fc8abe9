package dev.whittle.kernels.vector;

import dev.whittle.kernels.ConvGeometry;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The column matrix of a convolution that is not on the direct path (strided, grouped or 1×1 with padding) and its
 * adjoint: {@link #im2col} lays out one image's C/G·R·S × P·Q patches for a GEMM, {@link #col2imAdd} adds a column
 * matrix's gradient back into the image. Rows copy the valid span of each input row and zero the padding around it.
 */
final class Im2col {
    private Im2col() {}

    /** First output column q whose input column q·stride − pad + s is ≥ 0. */
    static int firstValid(int s, int pad, int stride) {
        int need = pad - s;
        return need <= 0 ? 0 : (need + stride - 1) / stride;
    }

    /** One past the last output column q whose input column q·stride − pad + s is < width. */
    static int lastValidExclusive(int s, int pad, int stride, int width, int outWidth) {
        int lim = width - 1 + pad - s;
        if (lim < 0) return 0;
        return Math.min(outWidth, lim / stride + 1);
    }

    /**
     * One image's columns at [colOff, colOff + P·Q) of a matrix with leading dimension {@code ld}: {@link #im2col},
     * or for a pointwise convolution (1×1, stride 1, no padding) its cg planes themselves.
     */
    static void imageColumns(
            ConvGeometry g, boolean pointwise, float[] x, int xOff, int cg, float[] cols, int colOff, int ld) {
        if (!pointwise) {
            im2col(g, x, xOff, cg, cols, colOff, ld);
            return;
        }
        int hw = g.h() * g.w();
        for (int c = 0; c < cg; c++) System.arraycopy(x, xOff + c * hw, cols, c * ld + colOff, hw);
    }

    /**
     * Writes the cols (cg·R·S × P·Q) of the cg channels of one image starting at x[xOff] (each H×W) into columns
     * [colOff, colOff + P·Q) of a row-major matrix with leading dimension {@code ld}; padding reads as 0.
     */
    static void im2col(ConvGeometry g, float[] x, int xOff, int cg, float[] cols, int colOff, int ld) {
        int H = g.h(), W = g.w(), R = g.r(), S = g.s(), P = g.p(), Q = g.q();
        int sh = g.strideH(), sw = g.strideW(), ph = g.padH(), pw = g.padW();
        int row = 0;
        for (int ci = 0; ci < cg; ci++) {
            int xc = xOff + ci * H * W;
            for (int r = 0; r < R; r++) {
                for (int s = 0; s < S; s++, row++) {
                    int q0 = Math.min(firstValid(s, pw, sw), Q), q1 = Math.max(q0, lastValidExclusive(s, pw, sw, W, Q));
                    int dst = row * ld + colOff;
                    for (int p = 0; p < P; p++, dst += Q) {
                        int ih = p * sh - ph + r;
                        if (ih < 0 || ih >= H) {
                            Arrays.fill(cols, dst, dst + Q, 0f);
                            continue;
                        }
                        for (int q = 0; q < q0; q++) cols[dst + q] = 0f;
                        int src = xc + ih * W - pw + s;
                        if (sw == 1) {
                            System.arraycopy(x, src + q0, cols, dst + q0, q1 - q0);
                        } else if (sw == 2) {
                            gatherEven(x, src, cols, dst, q0, q1);
                        } else {
                            for (int q = q0; q < q1; q++) cols[dst + q] = x[src + q * sw];
                        }
                        for (int q = q1; q < Q; q++) cols[dst + q] = 0f;
                    }
                }
            }
        }
    }

    /**
     * cols[dst + q] = x[src + 2q] for q in [q0, q1): the even lanes of two-vector loads, stored under a mask (the
     * stride-2 rows of ResNet's shortcuts and stride-2 data gradients, element by element a third of the 1×1
     * shortcut's time).
     */
    static void gatherEven(float[] x, int src, float[] cols, int dst, int q0, int q1) {
        FloatVector even = FloatVector.fromArray(S, Permutes.EVEN, 0);
        int q = q0;
        for (; q < q1 && src + 2 * q + 2 * VL <= x.length; q += VL) {
            FloatVector v0 = FloatVector.fromArray(S, x, src + 2 * q),
                    v1 = FloatVector.fromArray(S, x, src + 2 * q + VL);
            even.selectFrom(v0, v1).intoArray(cols, dst + q, S.indexInRange(q, q1));
        }
        for (; q < q1; q++) cols[dst + q] = x[src + 2 * q];
    }

    /**
     * dx[dst + 2q] += d[src + q] for q in [q0, q1): d's vector zipped with zeros into the even lanes of two and
     * added to two vectors of dx; the odd elements get + 0 and are stored back unchanged. Only one thread writes an
     * image's dx, so rewriting its odd elements races with nothing.
     */
    static void scatterAddEven(float[] d, int src, float[] dx, int dst, int q0, int q1) {
        FloatVector lo = FloatVector.fromArray(S, Permutes.ZIP_LO, 0),
                hi = FloatVector.fromArray(S, Permutes.ZIP_HI, 0);
        FloatVector zero = FloatVector.zero(S);
        int q = q0;
        for (; q < q1 && dst + 2 * q + 2 * VL <= dx.length; q += VL) {
            VectorMask<Float> m = S.indexInRange(q, q1);
            FloatVector v = FloatVector.fromArray(S, d, src + q, m);
            int o = dst + 2 * q;
            // Lanes past q1 read 0 from d (masked), so their dx elements are rewritten unchanged too.
            FloatVector.fromArray(S, dx, o).add(lo.selectFrom(v, zero)).intoArray(dx, o);
            FloatVector.fromArray(S, dx, o + VL).add(hi.selectFrom(v, zero)).intoArray(dx, o + VL);
        }
        for (; q < q1; q++) dx[dst + 2 * q] += d[src + q];
    }

    /**
     * {@link #col2imAdd} for three taps a row, stride 2, column padding 1 (ResNet's stride-2 3×3 layers): the taps
     * of one kernel row land on dx row ih at columns 2q − 1, 2q and 2q + 1, so one pass per dx row segment adds
     * all three, even columns from tap 1 and odd ones from taps 2 and 0, zipped by two-vector permutes: one load
     * and store of dx where the tap-by-tap scatter had three (that scatter was 43 % of the stride-2 data gradient).
     */
    private static void threeTapsStride2(
            ConvGeometry g, float[] dcols, int colOff, int ld, int cg, float[] dx, int xOff) {
        int H = g.h(), W = g.w(), R = g.r(), P = g.p(), Q = g.q(), sh = g.strideH(), ph = g.padH();
        // Valid output columns per tap (tap 0 starts at q = 1: its column 2q − 1 is the padding at q = 0).
        int end0 = lastValidExclusive(0, 1, 2, W, Q), end1 = lastValidExclusive(1, 1, 2, W, Q);
        int end2 = lastValidExclusive(2, 1, 2, W, Q);
        FloatVector lo = FloatVector.fromArray(S, Permutes.ZIP_LO, 0),
                hi = FloatVector.fromArray(S, Permutes.ZIP_HI, 0);
        for (int ci = 0; ci < cg; ci++) {
            int xc = xOff + ci * H * W;
            for (int r = 0; r < R; r++) {
                int t0 = ((ci * R + r) * 3) * ld + colOff, t1 = t0 + ld, t2 = t1 + ld;
                for (int p = 0; p < P; p++) {
                    int ih = p * sh - ph + r;
                    if (ih < 0 || ih >= H) continue;
                    int dst = xc + ih * W, off = p * Q, q = 0;
                    for (; q < Q && dst + 2 * q + 2 * VL <= dx.length; q += VL) {
                        FloatVector even = FloatVector.fromArray(S, dcols, t1 + off + q, S.indexInRange(q, end1));
                        FloatVector odd = FloatVector.fromArray(S, dcols, t2 + off + q, S.indexInRange(q, end2))
                                .add(FloatVector.fromArray(S, dcols, t0 + off + q + 1, S.indexInRange(q + 1, end0)));
                        int o = dst + 2 * q;
                        // Lanes past the row's end add 0: those dx elements (the next row's) are rewritten unchanged.
                        FloatVector.fromArray(S, dx, o)
                                .add(lo.selectFrom(even, odd))
                                .intoArray(dx, o);
                        FloatVector.fromArray(S, dx, o + VL)
                                .add(hi.selectFrom(even, odd))
                                .intoArray(dx, o + VL);
                    }
                    // Tap 0 at q writes column 2q − 1: the last vector block already added it for its first q.
                    int from0 = q == 0 ? 1 : q + 1;
                    for (; q < Q; q++) {
                        if (q < end1) dx[dst + 2 * q] += dcols[t1 + off + q];
                        if (q < end2) dx[dst + 2 * q + 1] += dcols[t2 + off + q];
                        if (q >= from0 && q < end0) dx[dst + 2 * q - 1] += dcols[t0 + off + q];
                    }
                }
            }
        }
    }

    private static final VectorSpecies<Float> S = Sgemm.S;
    private static final int VL = Sgemm.VL;

    /**
     * dx[cg channels of one image from xOff] += col2im(dcols), the adjoint of {@link #im2col}: dcols holds that
     * image's (cg·R·S × P·Q) matrix in columns [colOff, colOff + P·Q) of a matrix with leading dimension {@code ld}.
     */
    static void col2imAdd(ConvGeometry g, float[] dcols, int colOff, int ld, int cg, float[] dx, int xOff) {
        int H = g.h(), W = g.w(), R = g.r(), S = g.s(), P = g.p(), Q = g.q();
        int sh = g.strideH(), sw = g.strideW(), ph = g.padH(), pw = g.padW();
        if (S == 3 && sw == 2 && pw == 1) {
            threeTapsStride2(g, dcols, colOff, ld, cg, dx, xOff);
            return;
        }
        int row = 0;
        for (int ci = 0; ci < cg; ci++) {
            int xc = xOff + ci * H * W;
            for (int r = 0; r < R; r++) {
                for (int s = 0; s < S; s++, row++) {
                    int q0 = firstValid(s, pw, sw), q1 = lastValidExclusive(s, pw, sw, W, Q);
                    int src = row * ld + colOff;
                    for (int p = 0; p < P; p++, src += Q) {
                        int ih = p * sh - ph + r;
                        if (ih < 0 || ih >= H) continue;
                        int dst = xc + ih * W - pw + s;
                        if (sw == 1) {
                            for (int q = q0; q < q1; q++) dx[dst + q] += dcols[src + q];
                        } else if (sw == 2) {
                            scatterAddEven(dcols, src, dx, dst, q0, q1);
                        } else {
                            for (int q = q0; q < q1; q++) dx[dst + q * sw] += dcols[src + q];
                        }
                    }
                }
            }
        }
    }

    /**
     * y = conv(x, w) + b for images [n0, n1) by im2col + GEMM, for the convolutions off the direct paths (strided,
     * grouped, 1×1). Small maps are batched: nb images give one GEMM Y (kg × nb·PQ) = W_g (kg × CRS) · cols
     * (CRS × nb·PQ), staged and then scattered into y with the bias.
     */
    static void forward(ConvGeometry g, float[] x, float[] w, float[] b, float[] y, int n0, int n1) {
        int G = g.groups(), cg = g.cPerGroup(), kg = g.k() / G, pq = g.p() * g.q(), hw = g.h() * g.w();
        int crs = cg * g.r() * g.s();
        boolean pw = Conv2dVector.pointwise(g);
        int nb = Conv2dVector.imagesPerChunk(pq, Conv2dVector.TARGET_COLS, n1 - n0);
        Sgemm.Workspace ws = Sgemm.Workspace.get();
        float[] cols = pw && nb == 1 ? null : ws.scratch(0, crs * nb * pq);
        float[] stage = nb == 1 ? null : ws.scratch(1, kg * nb * pq);
        for (int gi = 0; gi < G; gi++) {
            int wOff = gi * kg * crs;
            for (int n = n0; n < n1; n += nb) {
                int nbl = Math.min(nb, n1 - n), nc = nbl * pq;
                if (nb == 1) {
                    int yOff = (n * g.k() + gi * kg) * pq;
                    boolean ow = b == null;
                    if (!ow) {
                        for (int k = 0; k < kg; k++) Arrays.fill(y, yOff + k * pq, yOff + (k + 1) * pq, b[gi * kg + k]);
                    }
                    int xOff = (n * g.c() + gi * cg) * hw;
                    if (pw) {
                        Sgemm.gemm(false, false, kg, pq, crs, w, wOff, crs, x, xOff, hw, y, yOff, pq, ow);
                    } else {
                        Im2col.im2col(g, x, xOff, cg, cols, 0, pq);
                        Sgemm.gemm(false, false, kg, pq, crs, w, wOff, crs, cols, 0, pq, y, yOff, pq, ow);
                    }
                    continue;
                }
                for (int i = 0; i < nbl; i++) {
                    int xOff = ((n + i) * g.c() + gi * cg) * hw;
                    imageColumns(g, pw, x, xOff, cg, cols, i * pq, nc);
                }
                Sgemm.gemm(false, false, kg, nc, crs, w, wOff, crs, cols, 0, nc, stage, 0, nc, true);
                for (int i = 0; i < nbl; i++) {
                    for (int k = 0; k < kg; k++) {
                        int yOff = ((n + i) * g.k() + gi * kg + k) * pq, sOff = k * nc + i * pq;
                        float bias = b == null ? 0f : b[gi * kg + k];
                        for (int j = 0; j < pq; j++) y[yOff + j] = stage[sOff + j] + bias;
                    }
                }
            }
        }
    }

    /**
     * dx += conv_transpose(dy, w) for images [n0, n1) lowered to GEMM: dcols (CRS × nb·PQ) = W_gᵀ · dY (kg × nb·PQ)
     * for nb images at a time (dY gathered into a staging matrix when nb > 1), then col2im adds dcols into dx.
     *
     * @param dy (N,K,P,Q)
     * @param w (K,C/G,R,S)
     * @param dx (N,C,H,W), images [n0, n1) accumulated
     */
    static void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, int n0, int n1) {
        int G = g.groups(), cg = g.cPerGroup(), kg = g.k() / G, pq = g.p() * g.q(), hw = g.h() * g.w();
        int crs = cg * g.r() * g.s();
        boolean pw = Conv2dVector.pointwise(g);
        int nb = pw ? 1 : Conv2dVector.imagesPerChunk(pq, Conv2dVector.TARGET_COLS_DATA, n1 - n0);
        Sgemm.Workspace ws = Sgemm.Workspace.get();
        float[] dcols = pw ? null : ws.scratch(0, crs * nb * pq);
        float[] stage = nb == 1 ? null : ws.scratch(1, kg * nb * pq);
        for (int gi = 0; gi < G; gi++) {
            int wOff = gi * kg * crs;
            for (int n = n0; n < n1; n += nb) {
                int nbl = Math.min(nb, n1 - n), nc = nbl * pq;
                if (pw) {
                    int dyOff = (n * g.k() + gi * kg) * pq, xOff = (n * g.c() + gi * cg) * hw;
                    Sgemm.gemm(true, false, crs, pq, kg, w, wOff, crs, dy, dyOff, pq, dx, xOff, hw, false);
                    continue;
                }
                if (nb == 1) {
                    int dyOff = (n * g.k() + gi * kg) * pq;
                    Sgemm.gemm(true, false, crs, pq, kg, w, wOff, crs, dy, dyOff, pq, dcols, 0, pq, true);
                } else {
                    for (int i = 0; i < nbl; i++) {
                        for (int k = 0; k < kg; k++) {
                            System.arraycopy(dy, ((n + i) * g.k() + gi * kg + k) * pq, stage, k * nc + i * pq, pq);
                        }
                    }
                    Sgemm.gemm(true, false, crs, nc, kg, w, wOff, crs, stage, 0, nc, dcols, 0, nc, true);
                }
                for (int i = 0; i < nbl; i++) {
                    Im2col.col2imAdd(g, dcols, i * pq, nc, cg, dx, ((n + i) * g.c() + gi * cg) * hw);
                }
            }
        }
    }

    /**
     * dw += Σ_n dy ⋆ x for filters [k0, k1) lowered to GEMM, computed transposed so that the column matrix is the
     * cheaply packed A operand: dWᵀ (CRS × k') = Σ_chunks cols (CRS × nb·PQ) · dYᵀ (nb·PQ × k'), staged per thread
     * and added into dw at the end. The bias gradient is the caller's.
     *
     * @param x (N,C,H,W)
     * @param dy (N,K,P,Q)
     * @param dw (K,C/G,R,S), filters [k0, k1) accumulated
     */
    static void backwardWeights(ConvGeometry g, float[] x, float[] dy, float[] dw, int k0, int k1) {
        int G = g.groups(), cg = g.cPerGroup(), kg = g.k() / G, pq = g.p() * g.q(), hw = g.h() * g.w();
        int crs = cg * g.r() * g.s();
        boolean pw = Conv2dVector.pointwise(g);
        int nb = Conv2dVector.imagesPerChunk(pq, Conv2dVector.TARGET_COLS, g.n());
        Sgemm.Workspace ws = Sgemm.Workspace.get();
        float[] cols = pw && nb == 1 ? null : ws.scratch(0, crs * nb * pq);
        float[] stage = nb == 1 ? null : ws.scratch(1, kg * nb * pq);
        float[] dwt = ws.scratch(2, crs * kg);
        for (int gi = k0 / kg; gi <= (k1 - 1) / kg; gi++) {
            int kk0 = Math.max(k0, gi * kg), kk1 = Math.min(k1, (gi + 1) * kg), kn = kk1 - kk0;
            for (int n = 0; n < g.n(); n += nb) {
                int nbl = Math.min(nb, g.n() - n), nc = nbl * pq;
                boolean first = n == 0;
                if (nb == 1) {
                    int xOff = (n * g.c() + gi * cg) * hw, dyOff = (n * g.k() + kk0) * pq;
                    if (pw) {
                        Sgemm.gemm(false, true, crs, kn, pq, x, xOff, hw, dy, dyOff, pq, dwt, 0, kn, first);
                    } else {
                        Im2col.im2col(g, x, xOff, cg, cols, 0, pq);
                        Sgemm.gemm(false, true, crs, kn, pq, cols, 0, pq, dy, dyOff, pq, dwt, 0, kn, first);
                    }
                    continue;
                }
                for (int i = 0; i < nbl; i++) {
                    int xOff = ((n + i) * g.c() + gi * cg) * hw;
                    Im2col.imageColumns(g, pw, x, xOff, cg, cols, i * pq, nc);
                    for (int k = 0; k < kn; k++) {
                        System.arraycopy(dy, ((n + i) * g.k() + kk0 + k) * pq, stage, k * nc + i * pq, pq);
                    }
                }
                Sgemm.gemm(false, true, crs, kn, nc, cols, 0, nc, stage, 0, nc, dwt, 0, kn, first);
            }
            for (int k = 0; k < kn; k++) {
                int o = (kk0 + k) * crs;
                for (int j = 0; j < crs; j++) dw[o + j] += dwt[j * kn + k];
            }
        }
    }
}
