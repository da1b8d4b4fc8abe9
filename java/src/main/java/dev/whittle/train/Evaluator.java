package dev.whittle.train;

import dev.whittle.data.BatchIterator;
import dev.whittle.data.Dataset;
import dev.whittle.graph.Executor;
import dev.whittle.kernels.SoftmaxCrossEntropyScalar;

/** Mean loss and accuracy of a graph on a data set, in inference mode (BN running statistics). */
public final class Evaluator {
    private Evaluator() {}

    public record Result(double loss, double accuracy, int samples) {}

    /** Inference-mode logits (n × classes) of n images x (n × image size), valid until the next call. */
    @FunctionalInterface
    public interface Forward {
        float[] logits(float[] x, int n);
    }

    public static Result evaluate(Executor exec, Dataset data) {
        return evaluate(
                (x, n) -> exec.forward(x, n, false),
                exec.capacity(),
                exec.graph().classes(),
                data);
    }

    /** With any forward function (a CPU executor, an OpenCL device) taking batches of up to {@code cap}. */
    public static Result evaluate(Forward forward, int cap, int classes, Dataset data) {
        BatchIterator it = new BatchIterator(data, cap, false, 0);
        it.startEpoch(0);
        float[] x = new float[cap * data.imageSize()];
        int[] y = new int[cap];
        float[] losses = new float[cap];
        double lossSum = 0;
        long correct = 0;
        int seen = 0;
        for (int n; (n = it.next(x, y)) > 0; ) {
            int bad = Trainer.firstBadLabel(y, n, classes);
            if (bad >= 0)
                throw new IllegalArgumentException(data.name() + ": label expected 0.." + (classes - 1) + " but found "
                        + y[bad] + " (evaluation row " + (seen + bad) + ")");
            float[] logits = forward.logits(x, n);
            SoftmaxCrossEntropyScalar.forwardBackward(classes, logits, y, losses, null, n, 0, n);
            for (int i = 0; i < n; i++) {
                lossSum += losses[i];
                if (SoftmaxCrossEntropyScalar.argmax(classes, logits, i) == y[i]) correct++;
            }
            seen += n;
        }
        return new Result(lossSum / Math.max(1, seen), (double) correct / Math.max(1, seen), seen);
    }
}
