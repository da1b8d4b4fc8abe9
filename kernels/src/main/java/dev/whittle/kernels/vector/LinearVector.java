package dev.whittle.kernels.vector;

import dev.whittle.kernels.LinearKernels;
import dev.whittle.kernels.LinearScalar;
import jdk.incubator.vector.FloatVector;

/**
 * Fully connected layer on {@link Sgemm}, computing what {@link LinearScalar} computes (to float rounding) with the
 * same row ranges: x (N,IN), w (OUT,IN), b (OUT), y (N,OUT). Each call is single-threaded and allocation-free in
 * steady state; callers split [n0, n1) or [o0, o1) across threads.
 */
public final class LinearVector implements LinearKernels {

    /**
     * y[n0..n1) = x[n0..n1)·wᵀ + b: a GEMM with M = n1 − n0, N = OUT, K = IN, B = wᵀ (transposed packing).
     *
     * @param x (N,IN)
     * @param w (OUT,IN)
     * @param b (OUT) or null
     * @param y (N,OUT), rows [n0, n1) overwritten
     */
    @Override
    public void forward(int in, int out, float[] x, float[] w, float[] b, float[] y, int n0, int n1) {
        if (n1 <= n0) return;
        if (n1 - n0 <= SMALL_ROWS) {
            dotRows(in, out, x, w, b, y, n0, n1, 0, out);
            return;
        }
        boolean ow = b == null;
        if (!ow) {
            for (int n = n0; n < n1; n++) System.arraycopy(b, 0, y, n * out, out);
        }
        Sgemm.gemm(false, true, n1 - n0, out, in, x, n0 * in, in, w, 0, in, y, n0 * out, out, ow);
    }

    /**
     * Output columns [o0, o1) of rows [n0, n1): dot products at batch ≤ {@value #SMALL_ROWS}, else a GEMM over those
     * weight rows (B = w[o0..o1)ᵀ) staged per row block into y's columns.
     */
    @Override
    public void forwardOutputs(
            int in, int out, float[] x, float[] w, float[] b, float[] y, int n0, int n1, int o0, int o1) {
        if (n1 <= n0 || o1 <= o0) return;
        if (n1 - n0 <= SMALL_ROWS) {
            dotRows(in, out, x, w, b, y, n0, n1, o0, o1);
            return;
        }
        boolean ow = b == null;
        if (!ow) {
            for (int n = n0; n < n1; n++) System.arraycopy(b, o0, y, n * out + o0, o1 - o0);
        }
        Sgemm.gemm(false, true, n1 - n0, o1 - o0, in, x, n0 * in, in, w, o0 * in, in, y, n0 * out + o0, out, ow);
    }

    /**
     * Rows per call up to which the forward takes dot products instead of a GEMM. The GEMM packs all of w (OUT×IN,
     * 1.2 MB for VGG-small's fc1) on every call, which at batch 1 costs far more than the arithmetic; dot products
     * read w once, straight from the layer's array.
     */
    static final int SMALL_ROWS = 2;

    /**
     * y[n][o0..o1) = x[n]·w[o0..o1)ᵀ + b for rows [n0, n1), four output rows at a time so each x vector load feeds
     * four FMAs.
     */
    static void dotRows(int in, int out, float[] x, float[] w, float[] b, float[] y, int n0, int n1, int o0, int o1) {
        int VL = Sgemm.VL, iEnd = in - in % VL;
        for (int n = n0; n < n1; n++) {
            int xo = n * in, yo = n * out;
            int o = o0;
            for (; o + 4 <= o1; o += 4) {
                int w0 = o * in, w1 = w0 + in, w2 = w1 + in, w3 = w2 + in;
                FloatVector a0 = FloatVector.zero(Sgemm.S), a1 = a0, a2 = a0, a3 = a0;
                int i = 0;
                for (; i < iEnd; i += VL) {
                    FloatVector xv = FloatVector.fromArray(Sgemm.S, x, xo + i);
                    a0 = FloatVector.fromArray(Sgemm.S, w, w0 + i).fma(xv, a0);
                    a1 = FloatVector.fromArray(Sgemm.S, w, w1 + i).fma(xv, a1);
                    a2 = FloatVector.fromArray(Sgemm.S, w, w2 + i).fma(xv, a2);
                    a3 = FloatVector.fromArray(Sgemm.S, w, w3 + i).fma(xv, a3);
                }
                float s0 = Lanes.sum(a0), s1 = Lanes.sum(a1), s2 = Lanes.sum(a2), s3 = Lanes.sum(a3);
                for (; i < in; i++) {
                    float xi = x[xo + i];
                    s0 += w[w0 + i] * xi;
                    s1 += w[w1 + i] * xi;
                    s2 += w[w2 + i] * xi;
                    s3 += w[w3 + i] * xi;
                }
                y[yo + o] = s0 + (b == null ? 0f : b[o]);
                y[yo + o + 1] = s1 + (b == null ? 0f : b[o + 1]);
                y[yo + o + 2] = s2 + (b == null ? 0f : b[o + 2]);
                y[yo + o + 3] = s3 + (b == null ? 0f : b[o + 3]);
            }
            for (; o < o1; o++) {
                int wo = o * in;
                FloatVector a0 = FloatVector.zero(Sgemm.S);
                int i = 0;
                for (; i < iEnd; i += VL) {
                    a0 = FloatVector.fromArray(Sgemm.S, w, wo + i).fma(FloatVector.fromArray(Sgemm.S, x, xo + i), a0);
                }
                float s0 = Lanes.sum(a0);
                for (; i < in; i++) s0 += w[wo + i] * x[xo + i];
                y[yo + o] = s0 + (b == null ? 0f : b[o]);
            }
        }
    }

    /**
     * dx[n0..n1) += dy[n0..n1)·w: M = n1 − n0, N = IN, K = OUT.
     *
     * @param dy (N,OUT)
     * @param w (OUT,IN)
     * @param dx (N,IN), rows [n0, n1) accumulated
     */
    @Override
    public void backwardData(int in, int out, float[] dy, float[] w, float[] dx, int n0, int n1) {
        if (n1 <= n0) return;
        Sgemm.gemm(false, false, n1 - n0, in, out, dy, n0 * out, out, w, 0, in, dx, n0 * in, in, false);
    }

    /**
     * dw[o0..o1) += dy[:, o0..o1)ᵀ·x (M = o1 − o0, N = IN, K = batch, A = dyᵀ by transposed packing) and
     * db[o0..o1) += Σ_n dy, over all {@code batch} rows.
     *
     * @param x (N,IN)
     * @param dy (N,OUT)
     * @param dw (OUT,IN), rows [o0, o1) accumulated
     * @param db (OUT) or null, [o0, o1) accumulated
     */
    @Override
    public void backwardWeights(
            int batch, int in, int out, float[] x, float[] dy, float[] dw, float[] db, int o0, int o1) {
        if (o1 <= o0) return;
        if (db != null) {
            for (int o = o0; o < o1; o++) {
                float s = 0f;
                for (int n = 0; n < batch; n++) s += dy[n * out + o];
                db[o] += s;
            }
        }
        Sgemm.gemm(true, false, o1 - o0, in, batch, dy, o0, out, x, 0, in, dw, o0 * in, in, false);
    }
}
