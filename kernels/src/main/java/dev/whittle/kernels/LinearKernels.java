package dev.whittle.kernels;

/** One implementation of the fully connected layer, computing what {@link LinearScalar} computes. */
public interface LinearKernels {
    /** y[n0..n1) = x·wᵀ + b. x (N,IN), w (OUT,IN), b (OUT) or null, y (N,OUT) overwritten. */
    void forward(int in, int out, float[] x, float[] w, float[] b, float[] y, int n0, int n1);

    /**
     * y[n0..n1) columns [o0, o1) only = x·w[o0..o1)ᵀ + b[o0..o1); other columns untouched, so threads can split a
     * batch-1 layer by outputs. Shapes as {@link #forward}.
     */
    void forwardOutputs(int in, int out, float[] x, float[] w, float[] b, float[] y, int n0, int n1, int o0, int o1);

    /** dx[n0..n1) += dy·w. dy (N,OUT), w (OUT,IN), dx (N,IN) accumulated. */
    void backwardData(int in, int out, float[] dy, float[] w, float[] dx, int n0, int n1);

    /** dw[o0..o1) += dyᵀ·x, db[o0..o1) += Σ_n dy over all rows. dw (OUT,IN), db (OUT) or null. */
    void backwardWeights(int batch, int in, int out, float[] x, float[] dy, float[] dw, float[] db, int o0, int o1);
}
