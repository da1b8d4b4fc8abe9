package dev.whittle.measure;

import dev.whittle.graph.Executor;
import dev.whittle.graph.Graph;
import dev.whittle.kernels.SoftmaxCrossEntropyScalar;
import dev.whittle.runtime.Parallel;
import dev.whittle.train.Sgd;
import java.util.SplittableRandom;

/**
 * One timed unit of work on one graph, prepared once (buffers, random inputs) so a timed call allocates
 * nothing: an inference forward at a batch size, or a full training step (forward, loss, backward, SGD).
 */
public final class Workload implements Timed {
    public enum Kind {
        INFERENCE,
        TRAINING
    }

    private final Kind kind;
    private final int batch;
    private final Executor exec;
    private final Sgd sgd;
    private final float[] x, losses, dLogits;
    private final int[] labels;
    private final int classes;

    public Workload(Graph graph, Kind kind, int batch, Parallel parallel, long seed) {
        this.kind = kind;
        this.batch = batch;
        this.classes = graph.classes();
        this.exec = new Executor(graph, batch, kind == Kind.TRAINING, parallel);
        // A tiny learning rate keeps the weights (and so the arithmetic) steady across timed steps.
        this.sgd = kind == Kind.TRAINING ? new Sgd(graph.trainableParams(), 0.9f, 5e-4f, false, parallel) : null;
        SplittableRandom r = new SplittableRandom(seed);
        x = new float[batch * graph.inputShape().size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = r.nextInt(classes);
        losses = new float[batch];
        dLogits = new float[batch * classes];
    }

    /** The executor this workload runs (for per-layer profiling). */
    public Executor executor() {
        return exec;
    }

    public Kind kind() {
        return kind;
    }

    public int batch() {
        return batch;
    }

    /** Runs the unit once; returns a value derived from the output so the JIT cannot drop the work. */
    public float runOnce() {
        if (kind == Kind.INFERENCE) return exec.forward(x, batch, false)[0];
        sgd.zeroGrad();
        float[] logits = exec.forward(x, batch, true);
        SoftmaxCrossEntropyScalar.forwardBackward(classes, logits, labels, losses, dLogits, batch, 0, batch);
        exec.backward(dLogits);
        sgd.step(1e-6f);
        return losses[0];
    }
}
