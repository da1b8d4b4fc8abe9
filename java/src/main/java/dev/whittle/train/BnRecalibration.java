package dev.whittle.train;

import dev.whittle.data.BatchIterator;
import dev.whittle.data.Dataset;
import dev.whittle.graph.Executor;
import dev.whittle.graph.Graph;
import dev.whittle.nn.BatchNorm2d;
import dev.whittle.runtime.Parallel;
import java.util.Arrays;

/**
 * Re-estimates batch-norm running statistics after the network changed under them (filters removed): reset,
 * then training-mode forward passes over a few batches, weights untouched. With momentum 0.1, 100 batches
 * leave 0.9¹⁰⁰ ≈ 3e-5 of the reset values.
 */
public final class BnRecalibration {
    private BnRecalibration() {}

    public static void run(Graph g, Dataset data, int batch, int batches, long seed, Parallel parallel) {
        boolean any = false;
        for (var n : g.nodes()) {
            if (n.layer() instanceof BatchNorm2d bn) {
                Arrays.fill(bn.runningMean.value(), 0f);
                Arrays.fill(bn.runningVar.value(), 1f);
                any = true;
            }
        }
        if (!any) return;
        Executor exec = new Executor(g, batch, true, parallel);
        BatchIterator it = new BatchIterator(data, batch, true, seed);
        it.startEpoch(0);
        float[] x = new float[batch * data.imageSize()];
        int[] y = new int[batch];
        for (int b = 0, n; b < batches && (n = it.next(x, y)) > 0; b++) exec.forward(x, n, true);
    }
}
