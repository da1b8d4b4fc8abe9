package dev.whittle.kernels;

/**
 * Scalar reference convolution: the oracle that every faster convolution is tested against, and the
 * CPU path until vector kernels replace it.
 *
 * <p>Loops run "weight outer, output row inner" so the innermost loop walks contiguous memory (stride 1)
 * and C2 can auto-vectorise it; the valid output-column range per (r, s) is computed once, so the inner
 * loop carries no padding branch. Each call processes images [n0, n1) (or filters [k0, k1) for the weight
 * gradient) so callers can split work across threads over disjoint outputs, which keeps results identical
 * for any thread count.
 */
public final class Conv2dScalar {
    private Conv2dScalar() {}

    /**
     * y = conv(x, w) + b for images [n0, n1).
     *
     * @param x (N,C,H,W)
     * @param w (K,C/G,R,S)
     * @param b (K) or null
     * @param y (N,K,P,Q), overwritten
     */
    public static void forward(ConvGeometry g, float[] x, float[] w, float[] b, float[] y, int n0, int n1) {
        forward(g, x, w, b, y, Indices.all(g.k()), g.k(), Indices.all(g.cPerGroup()), g.cPerGroup(), n0, n1);
    }

    /**
     * Masked forward: only filters aliveOut[0..outCount) read only input channels aliveIn[0..inCount); every
     * other output plane is zero. Dead filters and dead input channels cost no arithmetic. Lists are
     * increasing; with groups &gt; 1 they must be complete (grouped convs are not prunable).
     */
    public static void forward(
            ConvGeometry g,
            float[] x,
            float[] w,
            float[] b,
            float[] y,
            int[] aliveOut,
            int outCount,
            int[] aliveIn,
            int inCount,
            int n0,
            int n1) {
        for (int n = n0; n < n1; n++) {
            if (outCount < g.k())
                java.util.Arrays.fill(y, n * g.k() * g.p() * g.q(), (n + 1) * g.k() * g.p() * g.q(), 0f);
            planes(g, x, w, b, y, n, aliveOut, 0, outCount, aliveIn, inCount);
        }
    }

    /**
     * y = conv(x, w) + b for images [n0, n1) and filters [k0, k1) only; other planes untouched.
     *
     * @param y (N,K,P,Q), planes of filters [k0, k1) of images [n0, n1) overwritten
     */
    public static void forwardFilters(
            ConvGeometry g, float[] x, float[] w, float[] b, float[] y, int n0, int n1, int k0, int k1) {
        int[] all = Indices.all(g.k());
        for (int n = n0; n < n1; n++) {
            planes(g, x, w, b, y, n, all, k0, k1, Indices.all(g.cPerGroup()), g.cPerGroup());
        }
    }

    /** Output planes of filters aliveOut[from..to) of image n, reading input channels aliveIn[0..inCount). */
    private static void planes(
            ConvGeometry g,
            float[] x,
            float[] w,
            float[] b,
            float[] y,
            int n,
            int[] aliveOut,
            int from,
            int to,
            int[] aliveIn,
            int inCount) {
        int P = g.p(), Q = g.q(), H = g.h(), W = g.w(), R = g.r(), S = g.s();
        int cg = g.cPerGroup(), kg = g.k() / g.groups();
        for (int ki = from; ki < to; ki++) {
            int k = aliveOut[ki];
            int yBase = (n * g.k() + k) * P * Q;
            float bias = b == null ? 0f : b[k];
            java.util.Arrays.fill(y, yBase, yBase + P * Q, bias);
            int cStart = (k / kg) * cg;
            for (int cii = 0; cii < inCount; cii++) {
                int ci = aliveIn[cii];
                int xBase = (n * g.c() + cStart + ci) * H * W;
                int wBase = ((k * cg + ci) * R) * S;
                for (int r = 0; r < R; r++) {
                    for (int s = 0; s < S; s++) {
                        float wv = w[wBase + r * S + s];
                        int q0 = firstValid(s, g.padW(), g.strideW());
                        int q1 = lastValidExclusive(s, g.padW(), g.strideW(), W, Q);
                        for (int p = 0; p < P; p++) {
                            int ih = p * g.strideH() - g.padH() + r;
                            if (ih < 0 || ih >= H) continue;
                            int xRow = xBase + ih * W - g.padW() + s;
                            int yRow = yBase + p * Q;
                            if (g.strideW() == 1) {
                                for (int q = q0; q < q1; q++) y[yRow + q] += wv * x[xRow + q];
                            } else {
                                int sw = g.strideW();
                                for (int q = q0; q < q1; q++) y[yRow + q] += wv * x[xRow + q * sw];
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * dx += conv_transpose(dy, w) for images [n0, n1). Accumulates, so a tensor that feeds several
     * consumers can gather all their gradients; the caller zeroes dx once per backward pass.
     *
     * @param dy (N,K,P,Q)
     * @param w (K,C/G,R,S)
     * @param dx (N,C,H,W), accumulated
     */
    public static void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, int n0, int n1) {
        backwardData(g, dy, w, dx, Indices.all(g.k()), g.k(), Indices.all(g.cPerGroup()), g.cPerGroup(), n0, n1);
    }

    /** Masked backwardData: only alive filters contribute, only alive input channels receive (dead ones untouched). */
    public static void backwardData(
            ConvGeometry g,
            float[] dy,
            float[] w,
            float[] dx,
            int[] aliveOut,
            int outCount,
            int[] aliveIn,
            int inCount,
            int n0,
            int n1) {
        int P = g.p(), Q = g.q(), H = g.h(), W = g.w(), R = g.r(), S = g.s();
        int cg = g.cPerGroup(), kg = g.k() / g.groups();
        for (int n = n0; n < n1; n++) {
            for (int ki = 0; ki < outCount; ki++) {
                int k = aliveOut[ki];
                int yBase = (n * g.k() + k) * P * Q;
                int cStart = (k / kg) * cg;
                for (int cii = 0; cii < inCount; cii++) {
                    int ci = aliveIn[cii];
                    int xBase = (n * g.c() + cStart + ci) * H * W;
                    int wBase = ((k * cg + ci) * R) * S;
                    for (int r = 0; r < R; r++) {
                        for (int s = 0; s < S; s++) {
                            float wv = w[wBase + r * S + s];
                            int q0 = firstValid(s, g.padW(), g.strideW());
                            int q1 = lastValidExclusive(s, g.padW(), g.strideW(), W, Q);
                            for (int p = 0; p < P; p++) {
                                int ih = p * g.strideH() - g.padH() + r;
                                if (ih < 0 || ih >= H) continue;
                                int xRow = xBase + ih * W - g.padW() + s;
                                int yRow = yBase + p * Q;
                                if (g.strideW() == 1) {
                                    for (int q = q0; q < q1; q++) dx[xRow + q] += wv * dy[yRow + q];
                                } else {
                                    int sw = g.strideW();
                                    for (int q = q0; q < q1; q++) dx[xRow + q * sw] += wv * dy[yRow + q];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * dw += Σ_n dy ⋆ x and db += Σ_n Σ_pq dy, over all N images, for filters [k0, k1).
     *
     * @param x (N,C,H,W)
     * @param dy (N,K,P,Q)
     * @param dw (K,C/G,R,S), accumulated
     * @param db (K) or null, accumulated
     */
    public static void backwardWeights(ConvGeometry g, float[] x, float[] dy, float[] dw, float[] db, int k0, int k1) {
        backwardWeights(g, x, dy, dw, db, Indices.all(g.k()), Indices.all(g.cPerGroup()), g.cPerGroup(), k0, k1);
    }

    /**
     * Masked backwardWeights for the alive filters at positions [k0, k1) of aliveOut, over alive input
     * channels only; gradients of dead weights are left untouched.
     */
    public static void backwardWeights(
            ConvGeometry g,
            float[] x,
            float[] dy,
            float[] dw,
            float[] db,
            int[] aliveOut,
            int[] aliveIn,
            int inCount,
            int k0,
            int k1) {
        int P = g.p(), Q = g.q(), H = g.h(), W = g.w(), R = g.r(), S = g.s();
        int cg = g.cPerGroup(), kg = g.k() / g.groups();
        for (int ki = k0; ki < k1; ki++) {
            int k = aliveOut[ki];
            int cStart = (k / kg) * cg;
            for (int n = 0; n < g.n(); n++) {
                int yBase = (n * g.k() + k) * P * Q;
                if (db != null) {
                    float sum = 0f;
                    for (int i = 0; i < P * Q; i++) sum += dy[yBase + i];
                    db[k] += sum;
                }
                for (int cii = 0; cii < inCount; cii++) {
                    int ci = aliveIn[cii];
                    int xBase = (n * g.c() + cStart + ci) * H * W;
                    int wBase = ((k * cg + ci) * R) * S;
                    for (int r = 0; r < R; r++) {
                        for (int s = 0; s < S; s++) {
                            int q0 = firstValid(s, g.padW(), g.strideW());
                            int q1 = lastValidExclusive(s, g.padW(), g.strideW(), W, Q);
                            float acc = 0f;
                            for (int p = 0; p < P; p++) {
                                int ih = p * g.strideH() - g.padH() + r;
                                if (ih < 0 || ih >= H) continue;
                                int xRow = xBase + ih * W - g.padW() + s;
                                int yRow = yBase + p * Q;
                                int sw = g.strideW();
                                for (int q = q0; q < q1; q++) acc += dy[yRow + q] * x[xRow + q * sw];
                            }
                            dw[wBase + r * S + s] += acc;
                        }
                    }
                }
            }
        }
    }

    /** First output column q whose input column q*stride - pad + s is >= 0. */
    static int firstValid(int s, int pad, int stride) {
        int need = pad - s; // q*stride >= need
        return need <= 0 ? 0 : (need + stride - 1) / stride;
    }

    /** One past the last output column q whose input column q*stride - pad + s is < width. */
    static int lastValidExclusive(int s, int pad, int stride, int width, int outWidth) {
        // q*stride - pad + s <= width - 1  →  q <= (width - 1 + pad - s) / stride
        int lim = width - 1 + pad - s;
        if (lim < 0) return 0;
        return Math.min(outWidth, lim / stride + 1);
    }
}
