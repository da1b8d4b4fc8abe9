package dev.whittle.train;

import dev.whittle.graph.Graph;

/**
 * Where one training step runs: the CPU executor with host SGD ({@link CpuStepEngine}) or an OpenCL device
 * ({@code dev.whittle.opencl.DeviceStepEngine}). The {@link Trainer} owns batching, schedules, labels checks and
 * reporting; an engine owns the tensors. Parameters may live elsewhere than the graph's {@code float[]}s while
 * an engine is open: {@link #syncToHost()} makes the graph's arrays current (the trainer calls it before it
 * returns), and an engine runs the pruning hooks so that what they read and write is current too.
 */
public interface StepEngine extends AutoCloseable {

    /** Builds an engine for one {@link Trainer#fit} on a graph with a configuration (batch = capacity). */
    @FunctionalInterface
    interface Factory {
        StepEngine create(Graph graph, TrainConfig config);
    }

    /** Sum of the per-sample losses and the number of correct predictions of one batch. */
    record StepResult(double lossSum, int correct) {}

    /** Largest batch a step or an inference call accepts. */
    int capacity();

    /**
     * One SGD step on {@code n} images x (n × image size) with labels y (already checked to be in range):
     * zero gradients → hooks.beforeForward → forward (training mode) → softmax cross-entropy → backward →
     * hooks.afterBackward → SGD update with {@code lr} → hooks.afterStep.
     */
    StepResult step(float[] x, int[] y, int n, float lr, long iteration, Trainer.Hooks hooks);

    /** Inference-mode logits (n × classes) for n images on the current parameters; valid until the next call. */
    float[] infer(float[] x, int n);

    /** Copies parameters and buffers (BN running statistics) held elsewhere back into the graph's arrays. */
    void syncToHost();

    /** A short description of where steps run, e.g. "cpu (vector)" or the OpenCL device string. */
    String describe();

    @Override
    void close();
}
