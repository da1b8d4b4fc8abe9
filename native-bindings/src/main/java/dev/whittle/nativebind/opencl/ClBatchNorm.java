package dev.whittle.nativebind.opencl;

/**
 * 2-D batch normalisation on device buffers, the twin of {@code dev.whittle.kernels.BatchNormScalar}, over
 * x (N,C,HW); training kernels run one work-group per channel ({@code batchnorm.cl}).
 *
 * <p>Alive lists: {@code alive} (channel indices), null meaning all. Only listed channels are computed. As in the
 * host's masked batch-norm: forward writes ZERO to the y planes of unlisted channels (one buffer fill when the
 * list is partial) and leaves their mean, invStd and running statistics untouched; backward leaves their dx
 * planes and dGamma, dBeta entries UNTOUCHED.
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
        forwardTrain(batch, channels, hw, x, gamma, beta, y, mean, invStd, runMean, runVar, momentum, eps, null);
    }

    /** {@link #forwardTrain} over the {@code alive} channels only (null = all); unlisted y planes become 0. */
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
            float eps,
            ClAlive alive) {
        int ac = ClLauncher.count(alive, channels);
        if (batch == 0) return;
        ClLauncher.checkSize((long) batch * channels * hw, "batch-norm input");
        if (ac < channels) y.fillZero(0, (long) batch * channels * hw);
        if (ac == 0) return;
        train.arg(0, x)
                .arg(1, gamma)
                .arg(2, beta)
                .arg(3, y)
                .arg(4, mean)
                .arg(5, invStd)
                .arg(6, runMean)
                .arg(7, runVar)
                .arg(8, l.indices(alive, channels, "alive channel"))
                .arg(9, batch)
                .arg(10, channels)
                .arg(11, hw)
                .arg(12, momentum)
                .arg(13, eps);
        int wg = l.tuning.batchNormWg();
        l.run(train, new long[] {(long) ac * wg}, new long[] {wg});
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
        forwardEval(batch, channels, hw, x, gamma, beta, runMean, runVar, eps, y, null);
    }

    /** {@link #forwardEval} over the {@code alive} channels only (null = all); unlisted y planes become 0. */
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
            ClBuffer y,
            ClAlive alive) {
        int ac = ClLauncher.count(alive, channels);
        if (batch == 0) return;
        ClLauncher.checkSize((long) batch * channels * hw, "batch-norm input");
        if (ac < channels) y.fillZero(0, (long) batch * channels * hw);
        if (ac == 0) return;
        eval.arg(0, x)
                .arg(1, gamma)
                .arg(2, beta)
                .arg(3, runMean)
                .arg(4, runVar)
                .arg(5, eps)
                .arg(6, y)
                .arg(7, l.indices(alive, channels, "alive channel"))
                .arg(8, ac)
                .arg(9, batch)
                .arg(10, channels)
                .arg(11, hw);
        l.run1d(eval, (long) batch * ac * hw);
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
        backward(batch, channels, hw, x, dy, gamma, mean, invStd, dx, dGamma, dBeta, null);
    }

    /** {@link #backward} over the {@code alive} channels only (null = all); unlisted gradients untouched. */
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
            ClBuffer dBeta,
            ClAlive alive) {
        int ac = ClLauncher.count(alive, channels);
        if (batch == 0 || ac == 0) return;
        back.arg(0, x)
                .arg(1, dy)
                .arg(2, gamma)
                .arg(3, mean)
                .arg(4, invStd)
                .arg(5, dx)
                .arg(6, dGamma)
                .arg(7, dBeta)
                .arg(8, l.indices(alive, channels, "alive channel"))
                .arg(9, batch)
                .arg(10, channels)
                .arg(11, hw);
        int wg = l.tuning.batchNormWg();
        l.run(back, new long[] {(long) ac * wg}, new long[] {wg});
    }
}
