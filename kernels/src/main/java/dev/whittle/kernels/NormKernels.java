package dev.whittle.kernels;

/**
 * One implementation of 2-D batch normalisation over x (N,C,HW), computing what {@link BatchNormScalar} computes
 * (to float rounding) with the same channel-range semantics: a call touches channels [c0, c1) only.
 */
public interface NormKernels {
    /**
     * Training forward (then max(·, 0) when {@code relu}); see {@link BatchNormScalar#forwardTrain}. x, y (N,C,HW);
     * gamma, beta, mean, invStd, run* (C).
     */
    void forwardTrain(
            int batch,
            int channels,
            int hw,
            float[] x,
            float[] gamma,
            float[] beta,
            float[] y,
            float[] mean,
            float[] invStd,
            float[] runMean,
            float[] runVar,
            float momentum,
            float eps,
            boolean relu,
            int c0,
            int c1);

    /** Inference forward with running statistics; see {@link BatchNormScalar#forwardEval}. y (N,C,HW) overwritten. */
    void forwardEval(
            int batch,
            int channels,
            int hw,
            float[] x,
            float[] gamma,
            float[] beta,
            float[] runMean,
            float[] runVar,
            float eps,
            float[] y,
            int c0,
            int c1);

    /**
     * Training backward; see {@link BatchNormScalar#backward}. dx (N,C,HW) accumulated (overwritten when not
     * {@code accumulate}), dGamma, dBeta (C) accumulated; y the fused forward's ReLU output (dy counts where y > 0),
     * or null without a fused ReLU.
     */
    void backward(
            int batch,
            int channels,
            int hw,
            float[] x,
            float[] dy,
            float[] y,
            float[] gamma,
            float[] mean,
            float[] invStd,
            float[] dx,
            float[] dGamma,
            float[] dBeta,
            boolean accumulate,
            int c0,
            int c1);

    /** In-place y·scale + shift (and ReLU) per channel; see {@link BatchNormScalar#affineInPlace}. */
    void affineInPlace(
            int channels,
            int hw,
            float[] y,
            float[] scale,
            float[] shift,
            boolean relu,
            int[] list,
            int count,
            int n0,
            int n1);

    /** The scalar references. */
    NormKernels SCALAR = new NormKernels() {
        public void forwardTrain(
                int batch,
                int channels,
                int hw,
                float[] x,
                float[] gamma,
                float[] beta,
                float[] y,
                float[] mean,
                float[] invStd,
                float[] runMean,
                float[] runVar,
                float momentum,
                float eps,
                boolean relu,
                int c0,
                int c1) {
            BatchNormScalar.forwardTrain(
                    batch, channels, hw, x, gamma, beta, y, mean, invStd, runMean, runVar, momentum, eps, relu, c0, c1);
        }

        public void forwardEval(
                int batch,
                int channels,
                int hw,
                float[] x,
                float[] gamma,
                float[] beta,
                float[] runMean,
                float[] runVar,
                float eps,
                float[] y,
                int c0,
                int c1) {
            BatchNormScalar.forwardEval(batch, channels, hw, x, gamma, beta, runMean, runVar, eps, y, c0, c1);
        }

        public void affineInPlace(
                int channels,
                int hw,
                float[] y,
                float[] scale,
                float[] shift,
                boolean relu,
                int[] list,
                int count,
                int n0,
                int n1) {
            BatchNormScalar.affineInPlace(channels, hw, y, scale, shift, relu, list, count, n0, n1);
        }

        public void backward(
                int batch,
                int channels,
                int hw,
                float[] x,
                float[] dy,
                float[] y,
                float[] gamma,
                float[] mean,
                float[] invStd,
                float[] dx,
                float[] dGamma,
                float[] dBeta,
                boolean accumulate,
                int c0,
                int c1) {
            BatchNormScalar.backward(
                    batch, channels, hw, x, dy, y, gamma, mean, invStd, dx, dGamma, dBeta, accumulate, c0, c1);
        }
    };
}
