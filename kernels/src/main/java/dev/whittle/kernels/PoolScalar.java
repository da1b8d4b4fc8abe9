package dev.whittle.kernels;

/**
 * Scalar reference pooling over x (N,C,H,W) → y (N,C,P,Q) with a k×k window, stride and padding
 * (padding never wins a max and is excluded from an average's divisor, as PyTorch's count_include_pad=false).
 * Planes are independent, so work is split by plane range [p0, p1) with plane = n·C + c.
 */
public final class PoolScalar {
    private PoolScalar() {}

    public static int outSize(int in, int kernel, int stride, int pad) {
        return (in + 2 * pad - kernel) / stride + 1;
    }

    /**
     * Max pool; argmax (N,C,P,Q) receives the flat input index of each maximum, for backward. A NaN anywhere in
     * a window makes that output NaN (argmax at the first NaN), as PyTorch does.
     */
    public static void maxForward(
            int h, int w, int kernel, int stride, int pad, float[] x, float[] y, int[] argmax, int p0, int p1) {
        int P = outSize(h, kernel, stride, pad), Q = outSize(w, kernel, stride, pad);
        for (int plane = p0; plane < p1; plane++) {
            int xb = plane * h * w, yb = plane * P * Q;
            for (int p = 0; p < P; p++) {
                for (int q = 0; q < Q; q++) {
                    float best = Float.NEGATIVE_INFINITY;
                    int bi = -1;
                    for (int i = 0; i < kernel; i++) {
                        int ih = p * stride - pad + i;
                        if (ih < 0 || ih >= h) continue;
                        for (int j = 0; j < kernel; j++) {
                            int iw = q * stride - pad + j;
                            if (iw < 0 || iw >= w) continue;
                            float v = x[xb + ih * w + iw];
                            // A NaN wins and stays (the first one's index), so bad activations are not hidden.
                            if (v > best || bi < 0 || (v != v && best == best)) {
                                best = v;
                                bi = xb + ih * w + iw;
                            }
                        }
                    }
                    y[yb + p * Q + q] = best;
                    argmax[yb + p * Q + q] = bi;
                }
            }
        }
    }

    /**
     * Max pool for inference: y (N,C,P,Q) only, no argmax written. Same values as {@link #maxForward}, NaN
     * propagating.
     */
    public static void maxForwardInference(
            int h, int w, int kernel, int stride, int pad, float[] x, float[] y, int p0, int p1) {
        int P = outSize(h, kernel, stride, pad), Q = outSize(w, kernel, stride, pad);
        for (int plane = p0; plane < p1; plane++) {
            int xb = plane * h * w, yb = plane * P * Q;
            for (int p = 0; p < P; p++) {
                int h0 = Math.max(0, p * stride - pad), h1 = Math.min(h, p * stride - pad + kernel);
                for (int q = 0; q < Q; q++) {
                    int w0 = Math.max(0, q * stride - pad), w1 = Math.min(w, q * stride - pad + kernel);
                    float best = Float.NEGATIVE_INFINITY;
                    for (int ih = h0; ih < h1; ih++) {
                        for (int iw = w0; iw < w1; iw++) best = Math.max(best, x[xb + ih * w + iw]);
                    }
                    y[yb + p * Q + q] = best;
                }
            }
        }
    }

    /** dx[argmax] += dy for planes [p0, p1); dy, argmax (N,C,P,Q); dx (N,C,H,W) accumulated. */
    public static void maxBackward(int outPlaneSize, float[] dy, int[] argmax, float[] dx, int p0, int p1) {
        for (int i = p0 * outPlaneSize; i < p1 * outPlaneSize; i++) dx[argmax[i]] += dy[i];
    }

    /** Average pool for planes [p0, p1). */
    public static void avgForward(int h, int w, int kernel, int stride, int pad, float[] x, float[] y, int p0, int p1) {
        int P = outSize(h, kernel, stride, pad), Q = outSize(w, kernel, stride, pad);
        for (int plane = p0; plane < p1; plane++) {
            int xb = plane * h * w, yb = plane * P * Q;
            for (int p = 0; p < P; p++) {
                int h0 = Math.max(0, p * stride - pad), h1 = Math.min(h, p * stride - pad + kernel);
                for (int q = 0; q < Q; q++) {
                    int w0 = Math.max(0, q * stride - pad), w1 = Math.min(w, q * stride - pad + kernel);
                    float sum = 0f;
                    for (int ih = h0; ih < h1; ih++) {
                        for (int iw = w0; iw < w1; iw++) sum += x[xb + ih * w + iw];
                    }
                    y[yb + p * Q + q] = sum / ((h1 - h0) * (w1 - w0));
                }
            }
        }
    }

    /** Average pool backward for planes [p0, p1); dx accumulated. */
    public static void avgBackward(
            int h, int w, int kernel, int stride, int pad, float[] dy, float[] dx, int p0, int p1) {
        int P = outSize(h, kernel, stride, pad), Q = outSize(w, kernel, stride, pad);
        for (int plane = p0; plane < p1; plane++) {
            int xb = plane * h * w, yb = plane * P * Q;
            for (int p = 0; p < P; p++) {
                int h0 = Math.max(0, p * stride - pad), h1 = Math.min(h, p * stride - pad + kernel);
                for (int q = 0; q < Q; q++) {
                    int w0 = Math.max(0, q * stride - pad), w1 = Math.min(w, q * stride - pad + kernel);
                    float g = dy[yb + p * Q + q] / ((h1 - h0) * (w1 - w0));
                    for (int ih = h0; ih < h1; ih++) {
                        for (int iw = w0; iw < w1; iw++) dx[xb + ih * w + iw] += g;
                    }
                }
            }
        }
    }

    /** Global average pool (N,C,HW) → (N,C) for planes [p0, p1). */
    public static void globalAvgForward(int hw, float[] x, float[] y, int p0, int p1) {
        for (int plane = p0; plane < p1; plane++) {
            float sum = 0f;
            int b = plane * hw;
            for (int i = 0; i < hw; i++) sum += x[b + i];
            y[plane] = sum / hw;
        }
    }

    /** Global average pool backward for planes [p0, p1); dx (N,C,HW) accumulated. */
    public static void globalAvgBackward(int hw, float[] dy, float[] dx, int p0, int p1) {
        for (int plane = p0; plane < p1; plane++) {
            float g = dy[plane] / hw;
            int b = plane * hw;
            for (int i = 0; i < hw; i++) dx[b + i] += g;
        }
    }
}
