package dev.whittle.nativebind.opencl;

/**
 * Softmax cross-entropy on device buffers, the twin of {@code dev.whittle.kernels.SoftmaxCrossEntropyScalar}:
 * logits (rows,K), labels (rows) ints → per-sample loss (rows) and dLogits (rows,K) = (softmax − onehot)/batch.
 * One work-group per row ({@code softmax_xent.cl}). An out-of-range label yields loss NaN (and a zero dLogits
 * row) instead of an exception, since the labels live on the device; read the losses to detect it.
 */
public final class ClSoftmaxCrossEntropy {
    private final ClLauncher l;
    private final ClKernel kernel;

    ClSoftmaxCrossEntropy(ClLauncher launcher) {
        this.l = launcher;
        kernel = l.program("softmax_xent").kernel("softmax_xent");
    }

    /** Rows [0, rows); {@code dLogits} may be null (evaluation); gradients are scaled by 1/{@code batch}. */
    public void forwardBackward(
            int classes, int rows, int batch, ClBuffer logits, ClBuffer labels, ClBuffer loss, ClBuffer dLogits) {
        if (rows == 0) return;
        kernel.arg(0, logits)
                .arg(1, labels)
                .arg(2, loss)
                .arg(3, dLogits == null ? l.placeholder() : dLogits)
                .arg(4, dLogits == null ? 0 : 1)
                .arg(5, classes)
                .arg(6, batch);
        int wg = l.tuning.softmaxWg();
        l.run(kernel, new long[] {(long) rows * wg}, new long[] {wg});
    }
}
