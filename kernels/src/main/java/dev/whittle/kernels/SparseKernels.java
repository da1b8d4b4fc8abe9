package dev.whittle.kernels;

/**
 * Inference kernels whose weights are {@link SparseRows}: work is proportional to the stored (nonzero) weights,
 * not to the dense weight count. Every implementation computes what the dense {@link Conv2dScalar} and
 * {@link LinearScalar} forward passes compute on {@code w.toDense()}, to float rounding, with the same range
 * semantics (images [n0, n1), outputs overwritten). Forward only: training keeps dense weights and masks.
 */
public interface SparseKernels {
    /** Name for reports ("scalar", "vector"). */
    String name();

    /**
     * y = conv(x, w) + b for images [n0, n1).
     *
     * @param x (N,C,H,W)
     * @param w K rows of C/G·R·S columns (flattened (c, r, s))
     * @param b (K) or null
     * @param y (N,K,P,Q), images [n0, n1) overwritten
     */
    void convForward(ConvGeometry g, float[] x, SparseRows w, float[] b, float[] y, int n0, int n1);

    /**
     * y[n0..n1) = x·wᵀ + b.
     *
     * @param x (N,IN)
     * @param w OUT rows of IN columns
     * @param b (OUT) or null
     * @param y (N,OUT), rows [n0, n1) overwritten
     */
    void linearForward(int in, int out, float[] x, SparseRows w, float[] b, float[] y, int n0, int n1);

    /** The scalar references, the oracle for every faster sparse set. */
    static SparseKernels scalar() {
        return new SparseKernels() {
            @Override
            public String name() {
                return "scalar";
            }

            @Override
            public void convForward(ConvGeometry g, float[] x, SparseRows w, float[] b, float[] y, int n0, int n1) {
                SparseConvScalar.forward(g, x, w, b, y, n0, n1);
            }

            @Override
            public void linearForward(int in, int out, float[] x, SparseRows w, float[] b, float[] y, int n0, int n1) {
                SparseLinearScalar.forward(in, out, x, w, b, y, n0, n1);
            }
        };
    }
}
