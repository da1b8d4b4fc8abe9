package dev.whittle.train;

import dev.whittle.graph.Executor;
import dev.whittle.graph.Graph;
import dev.whittle.kernels.SoftmaxCrossEntropyScalar;
import dev.whittle.runtime.BackendInfo;
import dev.whittle.runtime.Parallel;

/** The CPU step: the graph's {@link Executor} and host {@link Sgd}; parameters are the graph's own arrays. */
public final class CpuStepEngine implements StepEngine {
    private final Executor exec;
    private final Sgd sgd;
    private final int classes;
    private final float[] losses, dLogits;

    public CpuStepEngine(Graph graph, TrainConfig config, Parallel parallel) {
        exec = new Executor(graph, config.batch(), true, parallel);
        sgd = new Sgd(graph.trainableParams(), config.momentum(), config.weightDecay(), config.nesterov(), parallel);
        classes = graph.classes();
        losses = new float[config.batch()];
        dLogits = new float[config.batch() * classes];
    }

    /** The factory that builds a CPU engine for each fit on {@code parallel}. */
    public static StepEngine.Factory factory(Parallel parallel) {
        return (g, c) -> new CpuStepEngine(g, c, parallel);
    }

    @Override
    public int capacity() {
        return exec.capacity();
    }

    @Override
    public StepResult step(float[] x, int[] y, int n, float lr, long iteration, Trainer.Hooks hooks) {
        sgd.zeroGrad();
        hooks.beforeForward(iteration);
        float[] logits = exec.forward(x, n, true);
        SoftmaxCrossEntropyScalar.forwardBackward(classes, logits, y, losses, dLogits, n, 0, n);
        double lossSum = 0;
        int correct = 0;
        for (int i = 0; i < n; i++) {
            lossSum += losses[i];
            if (SoftmaxCrossEntropyScalar.argmax(classes, logits, i) == y[i]) correct++;
        }
        // A diverged loss stops before the update, so the model keeps its last finite parameters.
        if (!Double.isFinite(lossSum)) return new StepResult(lossSum, correct);
        exec.backward(dLogits);
        hooks.afterBackward(iteration);
        sgd.step(lr);
        hooks.afterStep(iteration);
        return new StepResult(lossSum, correct);
    }

    @Override
    public float[] infer(float[] x, int n) {
        return exec.forward(x, n, false);
    }

    @Override
    public void syncToHost() {}

    @Override
    public String describe() {
        return "cpu (" + BackendInfo.current().name() + ")";
    }

    @Override
    public void close() {}
}
