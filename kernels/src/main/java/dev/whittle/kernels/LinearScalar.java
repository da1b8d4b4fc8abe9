package dev.whittle.kernels;

/**
 * Scalar reference fully-connected layer: y = x·wᵀ + b with x (N,IN), w (OUT,IN), b (OUT), y (N,OUT).
 * Row ranges let callers split work over disjoint outputs across threads.
 */
public final class LinearScalar {
    private LinearScalar() {}

    /** y[n0..n1) = x·wᵀ + b. x (N,IN), w (OUT,IN), b (OUT) or null, y (N,OUT) overwritten. */
    public static void forward(int in, int out, float[] x, float[] w, float[] b, float[] y, int n0, int n1) {
        forwardOutputs(in, out, x, w, b, y, n0, n1, 0, out);
    }

    /** y[n0..n1) columns [o0, o1) = x·w[o0..o1)ᵀ + b[o0..o1); other columns untouched. */
    public static void forwardOutputs(
            int in, int out, float[] x, float[] w, float[] b, float[] y, int n0, int n1, int o0, int o1) {
        for (int n = n0; n < n1; n++) {
            int xo = n * in;
            for (int o = o0; o < o1; o++) {
                int wo = o * in;
                float acc = 0f;
                for (int i = 0; i < in; i++) acc += x[xo + i] * w[wo + i];
                y[n * out + o] = acc + (b == null ? 0f : b[o]);
            }
        }
    }

    /** dx[n0..n1) += dy·w. dy (N,OUT), w (OUT,IN), dx (N,IN) accumulated. */
    public static void backwardData(int in, int out, float[] dy, float[] w, float[] dx, int n0, int n1) {
        for (int n = n0; n < n1; n++) {
            int xo = n * in;
            for (int o = 0; o < out; o++) {
                float d = dy[n * out + o];
                if (d == 0f) continue;
                int wo = o * in;
                for (int i = 0; i < in; i++) dx[xo + i] += d * w[wo + i];
            }
        }
    }

    /** dw[o0..o1) += dyᵀ·x, db[o0..o1) += Σ_n dy, over all N rows. dw (OUT,IN), db (OUT) or null. */
    public static void backwardWeights(
            int batch, int in, int out, float[] x, float[] dy, float[] dw, float[] db, int o0, int o1) {
        for (int o = o0; o < o1; o++) {
            int wo = o * in;
            float bsum = 0f;
            for (int n = 0; n < batch; n++) {
                float d = dy[n * out + o];
                bsum += d;
                if (d == 0f) continue;
                int xo = n * in;
                for (int i = 0; i < in; i++) dw[wo + i] += d * x[xo + i];
            }
            if (db != null) db[o] += bsum;
        }
    }

    /**
     * Masked forward: rows aliveOut[0..outCount) read columns aliveIn[0..inCount); dead rows of y are 0.
     * x (N,IN), w (OUT,IN), b (OUT) or null, y (N,OUT) overwritten, for rows n0..n1 of the batch.
     */
    public static void forward(
            int in,
            int out,
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
            int xo = n * in;
            if (outCount < out) java.util.Arrays.fill(y, n * out, (n + 1) * out, 0f);
            for (int oi = 0; oi < outCount; oi++) {
                int o = aliveOut[oi], wo = o * in;
                float acc = 0f;
                for (int ii = 0; ii < inCount; ii++) {
                    int i = aliveIn[ii];
                    acc += x[xo + i] * w[wo + i];
                }
                y[n * out + o] = acc + (b == null ? 0f : b[o]);
            }
        }
    }

    /** Masked backwardData: dx[n, alive columns] += Σ_{alive rows} dy·w; dead columns untouched. */
    public static void backwardData(
            int in,
            int out,
            float[] dy,
            float[] w,
            float[] dx,
            int[] aliveOut,
            int outCount,
            int[] aliveIn,
            int inCount,
            int n0,
            int n1) {
        for (int n = n0; n < n1; n++) {
            int xo = n * in;
            for (int oi = 0; oi < outCount; oi++) {
                int o = aliveOut[oi];
                float d = dy[n * out + o];
                if (d == 0f) continue;
                int wo = o * in;
                for (int ii = 0; ii < inCount; ii++) {
                    int i = aliveIn[ii];
                    dx[xo + i] += d * w[wo + i];
                }
            }
        }
    }

    /** Masked backwardWeights for alive rows at positions [o0, o1) of aliveOut, alive columns only. */
    public static void backwardWeights(
            int batch,
            int in,
            int out,
            float[] x,
            float[] dy,
            float[] dw,
            float[] db,
            int[] aliveOut,
            int[] aliveIn,
            int inCount,
            int o0,
            int o1) {
        for (int oi = o0; oi < o1; oi++) {
            int o = aliveOut[oi], wo = o * in;
            float bsum = 0f;
            for (int n = 0; n < batch; n++) {
                float d = dy[n * out + o];
                bsum += d;
                if (d == 0f) continue;
                int xo = n * in;
                for (int ii = 0; ii < inCount; ii++) {
                    int i = aliveIn[ii];
                    dw[wo + i] += d * x[xo + i];
                }
            }
            if (db != null) db[o] += bsum;
        }
    }
}
