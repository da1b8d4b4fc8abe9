package dev.whittle.kernels;

/**
 * Softmax cross-entropy over logits (N,K) and integer labels (N): the mean loss, and its gradient
 * dlogits = (softmax − onehot)/N. Uses the max-shifted log-sum-exp so large logits cannot overflow.
 */
public final class SoftmaxCrossEntropyScalar {
    private SoftmaxCrossEntropyScalar() {}

    /**
     * Computes per-sample losses for rows [n0, n1) into {@code lossOut} (N) and writes dLogits (N,K) for
     * those rows, scaled by 1/{@code batch} so the returned gradient is that of the mean loss.
     */
    public static void forwardBackward(
            int classes, float[] logits, int[] labels, float[] lossOut, float[] dLogits, int batch, int n0, int n1) {
        for (int n = n0; n < n1; n++) {
            int o = n * classes;
            float max = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) max = Math.max(max, logits[o + k]);
            double sum = 0;
            for (int k = 0; k < classes; k++) sum += Math.exp(logits[o + k] - max);
            double logSum = Math.log(sum) + max;
            int label = labels[n];
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException(
                        "label[" + n + "] expected 0.." + (classes - 1) + " but found " + label);
            }
            lossOut[n] = (float) (logSum - logits[o + label]);
            if (dLogits != null) {
                for (int k = 0; k < classes; k++) {
                    double p = Math.exp(logits[o + k] - logSum);
                    dLogits[o + k] = (float) ((p - (k == label ? 1 : 0)) / batch);
                }
            }
        }
    }

    /** Index of the largest logit of row n (ties go to the lowest index). */
    public static int argmax(int classes, float[] logits, int n) {
        int o = n * classes, best = 0;
        for (int k = 1; k < classes; k++) if (logits[o + k] > logits[o + best]) best = k;
        return best;
    }
}
