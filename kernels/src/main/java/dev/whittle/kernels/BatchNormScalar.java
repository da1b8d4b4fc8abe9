package dev.whittle.kernels;

/**
 * Scalar reference 2-D batch normalisation over x (N,C,H·W), per channel. Work is split by channel range
 * [c0, c1), which keeps every reduction inside one thread.
 *
 * <p>Training mode normalises with the batch statistics (biased variance, as in the forward pass of
 * PyTorch) and updates running statistics with the unbiased variance: running = (1−m)·running + m·batch.
 */
public final class BatchNormScalar {
    private BatchNormScalar() {}

    /**
     * Training forward for channels [c0, c1).
     *
     * @param x (N,C,HW)
     * @param gamma (C), beta (C)
     * @param y (N,C,HW) overwritten
     * @param mean (C) out: batch mean, kept for backward
     * @param invStd (C) out: 1/sqrt(var + eps), kept for backward
     * @param runMean (C), runVar (C) updated in place with {@code momentum}
     */
    public static void forwardTrain(
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
            int c0,
            int c1) {
        forwardTrain(
                batch, channels, hw, x, gamma, beta, y, mean, invStd, runMean, runVar, momentum, eps, false, c0, c1);
    }

    /**
     * {@link #forwardTrain} followed by the ReLU that reads it when {@code relu}: y = max(x·scale + shift, 0), one
     * pass instead of the ReLU's own read and write of the activation (training chains bn → relu).
     */
    public static void forwardTrain(
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
        int count = batch * hw;
        for (int c = c0; c < c1; c++) {
            double sum = 0;
            for (int n = 0; n < batch; n++) {
                int base = (n * channels + c) * hw;
                for (int i = 0; i < hw; i++) sum += x[base + i];
            }
            double mu = sum / count;
            double sq = 0;
            for (int n = 0; n < batch; n++) {
                int base = (n * channels + c) * hw;
                for (int i = 0; i < hw; i++) {
                    double d = x[base + i] - mu;
                    sq += d * d;
                }
            }
            double var = sq / count;
            float is = (float) (1.0 / Math.sqrt(var + eps));
            mean[c] = (float) mu;
            invStd[c] = is;
            float scale = gamma[c] * is, shift = beta[c] - (float) mu * scale;
            for (int n = 0; n < batch; n++) {
                int base = (n * channels + c) * hw;
                for (int i = 0; i < hw; i++) {
                    float v = x[base + i] * scale + shift;
                    y[base + i] = relu ? Math.max(v, 0f) : v;
                }
            }
            double unbiased = count > 1 ? sq / (count - 1) : var;
            runMean[c] = (float) ((1 - momentum) * runMean[c] + momentum * mu);
            runVar[c] = (float) ((1 - momentum) * runVar[c] + momentum * unbiased);
        }
    }

    /** Inference forward with running statistics for channels [c0, c1); y (N,C,HW) overwritten. */
    public static void forwardEval(
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
        for (int c = c0; c < c1; c++) {
            float is = (float) (1.0 / Math.sqrt(runVar[c] + eps));
            float scale = gamma[c] * is, shift = beta[c] - runMean[c] * scale;
            for (int n = 0; n < batch; n++) {
                int base = (n * channels + c) * hw;
                for (int i = 0; i < hw; i++) y[base + i] = x[base + i] * scale + shift;
            }
        }
    }

    /**
     * In-place per-channel affine map and optional ReLU, the inference batch norm folded onto a conv output:
     * y[n, c, :] = y·scale[c] + shift[c] (then max(·, 0) when {@code relu}) for images [n0, n1) and channels
     * list[0..count); other channels are untouched.
     *
     * @param y (N,C,HW)
     * @param scale (C), shift (C)
     * @param list channel indices, increasing
     */
    public static void affineInPlace(
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
        for (int n = n0; n < n1; n++) {
            for (int i = 0; i < count; i++) {
                int c = list[i], base = (n * channels + c) * hw;
                float a = scale[c], b = shift[c];
                if (relu) for (int j = 0; j < hw; j++) y[base + j] = Math.max(y[base + j] * a + b, 0f);
                else for (int j = 0; j < hw; j++) y[base + j] = y[base + j] * a + b;
            }
        }
    }

    /**
     * Training backward for channels [c0, c1), with x̂ = (x − mean)·invStd:
     * dβ = Σ dy, dγ = Σ dy·x̂, dx += γ·invStd/M · (M·dy − dβ − x̂·dγ).
     *
     * @param x (N,C,HW) the forward input
     * @param dy (N,C,HW)
     * @param dx (N,C,HW) accumulated
     * @param dGamma (C), dBeta (C) accumulated
     */
    public static void backward(
            int batch,
            int channels,
            int hw,
            float[] x,
            float[] dy,
            float[] gamma,
            float[] mean,
            float[] invStd,
            float[] dx,
            float[] dGamma,
            float[] dBeta,
            int c0,
            int c1) {
        backward(batch, channels, hw, x, dy, null, gamma, mean, invStd, dx, dGamma, dBeta, true, c0, c1);
    }

    /**
     * {@link #backward} through the fused ReLU of {@code forwardTrain(…, relu = true, …)} when y is not null: dy
     * counts only where the forward's output y is positive (the ReLU's own backward rule), so the ReLU's pass over
     * dy, y and its gradient buffer disappears. When {@code accumulate} is false dx's channels [c0, c1) are
     * overwritten instead of added to: a batch norm that is the only writer of its input's gradient saves the
     * executor zeroing that buffer and itself one read of it.
     *
     * @param y (N,C,HW) the fused forward's output max(bn(x), 0), or null for a plain batch norm
     */
    public static void backward(
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
        int count = batch * hw;
        for (int c = c0; c < c1; c++) {
            float mu = mean[c], is = invStd[c];
            double sdy = 0, sdyx = 0;
            for (int n = 0; n < batch; n++) {
                int base = (n * channels + c) * hw;
                for (int i = 0; i < hw; i++) {
                    float d = y == null || y[base + i] > 0 ? dy[base + i] : 0f;
                    sdy += d;
                    sdyx += d * (x[base + i] - mu) * is;
                }
            }
            dBeta[c] += (float) sdy;
            dGamma[c] += (float) sdyx;
            float k = gamma[c] * is / count;
            float a = (float) sdy, bb = (float) sdyx;
            for (int n = 0; n < batch; n++) {
                int base = (n * channels + c) * hw;
                for (int i = 0; i < hw; i++) {
                    float xh = (x[base + i] - mu) * is;
                    float d = y == null || y[base + i] > 0 ? dy[base + i] : 0f;
                    float g = k * (count * d - a - xh * bb);
                    dx[base + i] = accumulate ? dx[base + i] + g : g;
                }
            }
        }
    }
}
