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
