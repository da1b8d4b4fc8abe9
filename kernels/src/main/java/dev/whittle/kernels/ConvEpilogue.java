package dev.whittle.kernels;

/**
 * What a convolution's output goes through before anyone reads it, at inference: a per-filter affine map (a batch
 * norm folded with its running statistics), optionally a residual input added, and optionally a ReLU:
 * y ← max(scale[f]·y + shift[f] + residual, 0). A kernel set may apply it while it writes each output row
 * ({@link ConvKernels#forwardThen}) instead of in further passes over the output.
 *
 * <p>The arrays are read at call time, so a holder is made once and its contents refreshed per call.
 *
 * @param scale (K)
 * @param shift (K)
 * @param residual (N,K,P,Q) like the output, or null: the other input of a residual add that follows the batch norm
 * @param pooled (N,K,⌊P/2⌋,⌊Q/2⌋), or null: the 2×2, stride-2 max pool that follows, written here; the output y is
 *     then scratch (a kernel that pools as it writes leaves it unwritten)
 */
public record ConvEpilogue(float[] scale, float[] shift, boolean relu, float[] residual, float[] pooled) {
    public ConvEpilogue(float[] scale, float[] shift, boolean relu) {
        this(scale, shift, relu, null, null);
    }

    public ConvEpilogue(float[] scale, float[] shift, boolean relu, float[] residual) {
        this(scale, shift, relu, residual, null);
    }

    /** This epilogue followed by a 2×2, stride-2 max pool into {@code target}. */
    public ConvEpilogue pooledInto(float[] target) {
        return new ConvEpilogue(scale, shift, relu, residual, target);
    }

    /** The epilogue as a separate pass over planes list[0..count) of y (N,K,HW), images [n0, n1). */
    public void applyInPlace(float[] y, int k, int hw, int[] list, int count, int n0, int n1) {
        if (residual == null) {
            BatchNormScalar.affineInPlace(k, hw, y, scale, shift, relu, list, count, n0, n1);
            return;
        }
        for (int n = n0; n < n1; n++) {
            for (int i = 0; i < count; i++) {
                int c = list[i], base = (n * k + c) * hw;
                float a = scale[c], b = shift[c];
                for (int j = base; j < base + hw; j++) {
                    float v = Math.fma(y[j], a, b) + residual[j];
                    y[j] = relu ? Math.max(v, 0f) : v;
                }
            }
        }
    }
}
