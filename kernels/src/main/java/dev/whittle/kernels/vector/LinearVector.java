package dev.whittle.kernels.vector;

import dev.whittle.kernels.LinearKernels;
import dev.whittle.kernels.LinearScalar;

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
        boolean ow = b == null;
        if (!ow) {
            for (int n = n0; n < n1; n++) System.arraycopy(b, 0, y, n * out, out);
        }
        Sgemm.gemm(false, true, n1 - n0, out, in, x, n0 * in, in, w, 0, in, y, n0 * out, out, ow);
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
