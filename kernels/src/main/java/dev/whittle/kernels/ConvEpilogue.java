package dev.whittle.kernels;

/**
 * What a convolution's output goes through before anyone reads it, at inference: a per-filter affine map (a batch
 * norm folded with its running statistics) and optionally a ReLU, y ← max(scale[f]·y + shift[f], 0). A kernel
 * set may apply it while it writes each output row ({@link ConvKernels#forwardThen}) instead of in a second pass.
 *
 * <p>The arrays are read at call time, so a holder is made once and its contents refreshed per call.
 *
 * @param scale (K)
 * @param shift (K)
 */
public record ConvEpilogue(float[] scale, float[] shift, boolean relu) {
    /** The epilogue as a separate pass over planes list[0..count) of y (N,K,HW), images [n0, n1). */
    public void applyInPlace(float[] y, int k, int hw, int[] list, int count, int n0, int n1) {
        BatchNormScalar.affineInPlace(k, hw, y, scale, shift, relu, list, count, n0, n1);
    }
}
