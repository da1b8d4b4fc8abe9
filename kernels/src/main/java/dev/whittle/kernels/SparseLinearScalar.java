package dev.whittle.kernels;

/** Scalar reference for the sparse-weight fully connected layer: each output sums only its stored weights. */
public final class SparseLinearScalar {
    private SparseLinearScalar() {}

    /**
     * y[n0..n1) = x·wᵀ + b.
     *
     * @param x (N,IN)
     * @param w OUT rows of IN columns
     * @param b (OUT) or null
     * @param y (N,OUT), rows [n0, n1) overwritten
     */
    public static void forward(int in, int out, float[] x, SparseRows w, float[] b, float[] y, int n0, int n1) {
        w.check(out, in, "sparse linear");
        for (int n = n0; n < n1; n++) {
            int xo = n * in;
            for (int o = 0; o < out; o++) {
                float acc = 0f;
                for (int j = w.rowStart[o]; j < w.rowStart[o + 1]; j++) acc += w.val[j] * x[xo + w.col[j]];
                y[n * out + o] = acc + (b == null ? 0f : b[o]);
            }
        }
    }
}
