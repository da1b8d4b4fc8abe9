package dev.whittle.nativebind.opencl;

/**
 * 2-D batch normalisation on device buffers, the twin of {@code dev.whittle.kernels.BatchNormScalar}, over
 * x (N,C,HW) for all channels; training kernels run one work-group per channel ({@code batchnorm.cl}).
 */
public final class ClBatchNorm {
    private final ClLauncher l;
    private final ClKernel train, eval, back;

    ClBatchNorm(ClLauncher launcher) {
        this.l = launcher;
        ClProgram p = l.program("batchnorm");
        train = p.kernel("batchnorm_forward_train");
        eval = p.kernel("batchnorm_forward_eval");
        back = p.kernel("batchnorm_backward");
    }

    /**
     * Training forward: y (N,C,HW) overwritten with batch statistics; mean, invStd (C) written for backward;
     * runMean, runVar (C) updated with {@code momentum} (unbiased variance).
     */
    public void forwardTrain(
            int batch,
            int channels,
            int hw,
            ClBuffer x,
            ClBuffer gamma,
            ClBuffer beta,
            ClBuffer y,
            ClBuffer mean,
            ClBuffer invStd,
            ClBuffer runMean,
            ClBuffer runVar,
            float momentum,
            float eps) {
        if (batch == 0) return;
        ClLauncher.checkSize((long) batch * channels * hw, "batch-norm input");
        train.arg(0, x)
                .arg(1, gamma)
                .arg(2, beta)
                .arg(3, y)
                .arg(4, mean)
                .arg(5, invStd)
                .arg(6, runMean)
                .arg(7, runVar)
                .arg(8, batch)
                .arg(9, channels)
                .arg(10, hw)
                .arg(11, momentum)
                .arg(12, eps);
        int wg = l.tuning.batchNormWg();
        l.run(train, new long[] {(long) channels * wg}, new long[] {wg});
    }

    /** Inference forward with running statistics; y (N,C,HW) overwritten. */
    public void forwardEval(
            int batch,
            int channels,
            int hw,
            ClBuffer x,
            ClBuffer gamma,
            ClBuffer beta,
            ClBuffer runMean,
            ClBuffer runVar,
            float eps,
            ClBuffer y) {
        if (batch == 0) return;
        ClLauncher.checkSize((long) batch * channels * hw, "batch-norm input");
        eval.arg(0, x)
                .arg(1, gamma)
                .arg(2, beta)
                .arg(3, runMean)
                .arg(4, runVar)
                .arg(5, eps)
                .arg(6, y)
                .arg(7, batch)
                .arg(8, channels)
                .arg(9, hw);
        l.run1d(eval, (long) batch * channels * hw);
    }

    /** Training backward: dx (N,C,HW), dGamma, dBeta (C) accumulated. */
    public void backward(
            int batch,
            int channels,
            int hw,
            ClBuffer x,
            ClBuffer dy,
            ClBuffer gamma,
            ClBuffer mean,
            ClBuffer invStd,
            ClBuffer dx,
            ClBuffer dGamma,
            ClBuffer dBeta) {
        if (batch == 0) return;
        back.arg(0, x)
                .arg(1, dy)
                .arg(2, gamma)
                .arg(3, mean)
                .arg(4, invStd)
                .arg(5, dx)
                .arg(6, dGamma)
                .arg(7, dBeta)
                .arg(8, batch)
                .arg(9, channels)
                .arg(10, hw);
        int wg = l.tuning.batchNormWg();
        l.run(back, new long[] {(long) channels * wg}, new long[] {wg});
    }
}
