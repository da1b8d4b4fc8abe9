package dev.whittle.kernels;

import java.util.Arrays;

/**
 * Scalar reference for the sparse-weight convolution: for each stored weight (k, c, r, s) it adds w · (the input
 * plane c shifted by (r, s)) into output plane k, so zero weights cost nothing at all. Same loop order and
 * padding handling as {@link Conv2dScalar} (valid column range per s computed once, no branch in the inner loop).
 */
public final class SparseConvScalar {
    private SparseConvScalar() {}

    /**
     * y = conv(x, w) + b for images [n0, n1).
     *
     * @param x (N,C,H,W)
     * @param w K rows of C/G·R·S columns; column (c·R + r)·S + s
     * @param b (K) or null
     * @param y (N,K,P,Q), images [n0, n1) overwritten
     */
    public static void forward(ConvGeometry g, float[] x, SparseRows w, float[] b, float[] y, int n0, int n1) {
        int P = g.p(), Q = g.q(), H = g.h(), W = g.w(), R = g.r(), S = g.s();
        int cg = g.cPerGroup(), kg = g.k() / g.groups(), rs = R * S;
        w.check(g.k(), cg * rs, "sparse conv2d");
        int sh = g.strideH(), sw = g.strideW(), ph = g.padH(), pw = g.padW();
        for (int n = n0; n < n1; n++) {
            for (int k = 0; k < g.k(); k++) {
                int yBase = (n * g.k() + k) * P * Q;
                Arrays.fill(y, yBase, yBase + P * Q, b == null ? 0f : b[k]);
                int cStart = (k / kg) * cg;
                for (int j = w.rowStart[k]; j < w.rowStart[k + 1]; j++) {
                    int colIdx = w.col[j];
                    int ci = colIdx / rs, r = (colIdx / S) % R, s = colIdx % S;
                    float wv = w.val[j];
                    int xBase = (n * g.c() + cStart + ci) * H * W;
                    int q0 = Conv2dScalar.firstValid(s, pw, sw);
                    int q1 = Conv2dScalar.lastValidExclusive(s, pw, sw, W, Q);
                    for (int p = 0; p < P; p++) {
                        int ih = p * sh - ph + r;
                        if (ih < 0 || ih >= H) continue;
                        int xRow = xBase + ih * W - pw + s;
                        int yRow = yBase + p * Q;
                        if (sw == 1) {
                            for (int q = q0; q < q1; q++) y[yRow + q] += wv * x[xRow + q];
                        } else {
                            for (int q = q0; q < q1; q++) y[yRow + q] += wv * x[xRow + q * sw];
                        }
                    }
                }
            }
        }
    }
}
