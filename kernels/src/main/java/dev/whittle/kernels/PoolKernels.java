package dev.whittle.kernels;

/**
 * One implementation of the pooling ops of {@link PoolScalar}: x (N,C,H,W) → y (N,C,P,Q), work split by plane
 * range [p0, p1) with plane = n·C + c; a call writes only those planes.
 */
public interface PoolKernels {
    /** Max pool for training: y and argmax (N,C,P,Q, flat input index of each maximum; NaN wins). */
    void maxForward(int h, int w, int kernel, int stride, int pad, float[] x, float[] y, int[] argmax, int p0, int p1);

    /** Max pool for inference: y only, no argmax written; a NaN anywhere in a window gives NaN. */
    void maxForwardInference(int h, int w, int kernel, int stride, int pad, float[] x, float[] y, int p0, int p1);

    /**
     * {@link #maxForward} (argmax given) or {@link #maxForwardInference} (argmax null) of the planes
     * {@code planes[i0..i1)} (each n·C + c, increasing): a masked layer's alive channels. Runs of consecutive planes
     * are one call each here; faster sets pool the whole list at once.
     */
    default void maxForwardPlanes(
            int h,
            int w,
            int kernel,
            int stride,
            int pad,
            float[] x,
            float[] y,
            int[] argmax,
            int[] planes,
            int i0,
            int i1) {
        for (int i = i0; i < i1; ) {
            int j = i + 1;
            while (j < i1 && planes[j] == planes[j - 1] + 1) j++;
            if (argmax != null) maxForward(h, w, kernel, stride, pad, x, y, argmax, planes[i], planes[j - 1] + 1);
            else maxForwardInference(h, w, kernel, stride, pad, x, y, planes[i], planes[j - 1] + 1);
            i = j;
        }
    }

    /** dx[argmax] += dy; dy, argmax (N,C,P,Q); dx (N,C,H,W) accumulated. */
    void maxBackward(int outPlaneSize, float[] dy, int[] argmax, float[] dx, int p0, int p1);

    /** Average pool (padding excluded from the divisor). */
    void avgForward(int h, int w, int kernel, int stride, int pad, float[] x, float[] y, int p0, int p1);

    /** Average pool backward; dx accumulated. */
    void avgBackward(int h, int w, int kernel, int stride, int pad, float[] dy, float[] dx, int p0, int p1);

    /** Global average pool (N,C,HW) → (N,C). */
    void globalAvgForward(int hw, float[] x, float[] y, int p0, int p1);

    /** Global average pool backward; dx (N,C,HW) accumulated. */
    void globalAvgBackward(int hw, float[] dy, float[] dx, int p0, int p1);

    /** The scalar references. */
    PoolKernels SCALAR = new PoolKernels() {
        public void maxForward(
                int h, int w, int kernel, int stride, int pad, float[] x, float[] y, int[] argmax, int p0, int p1) {
            PoolScalar.maxForward(h, w, kernel, stride, pad, x, y, argmax, p0, p1);
        }

        public void maxForwardInference(
                int h, int w, int kernel, int stride, int pad, float[] x, float[] y, int p0, int p1) {
            PoolScalar.maxForwardInference(h, w, kernel, stride, pad, x, y, p0, p1);
        }

        public void maxBackward(int outPlaneSize, float[] dy, int[] argmax, float[] dx, int p0, int p1) {
            PoolScalar.maxBackward(outPlaneSize, dy, argmax, dx, p0, p1);
        }

        public void avgForward(int h, int w, int kernel, int stride, int pad, float[] x, float[] y, int p0, int p1) {
            PoolScalar.avgForward(h, w, kernel, stride, pad, x, y, p0, p1);
        }

        public void avgBackward(int h, int w, int kernel, int stride, int pad, float[] dy, float[] dx, int p0, int p1) {
            PoolScalar.avgBackward(h, w, kernel, stride, pad, dy, dx, p0, p1);
        }

        public void globalAvgForward(int hw, float[] x, float[] y, int p0, int p1) {
            PoolScalar.globalAvgForward(hw, x, y, p0, p1);
        }

        public void globalAvgBackward(int hw, float[] dy, float[] dx, int p0, int p1) {
            PoolScalar.globalAvgBackward(hw, dy, dx, p0, p1);
        }
    };
}
