package dev.whittle.infer;

import dev.whittle.graph.Executor;
import dev.whittle.graph.Graph;
import dev.whittle.io.ModelFile;
import dev.whittle.io.SavedModel;
import dev.whittle.nn.Shape;
import dev.whittle.prune.ChannelGroups;
import dev.whittle.prune.ChannelMasks;
import dev.whittle.prune.MaskBinding;
import dev.whittle.runtime.Parallel;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * The embedding API: load a model file once, then predict one image at a time from any number of threads.
 *
 * <p>Each call borrows an inference executor (buffers sized for one image, conv → BN → ReLU fused) from a
 * pool, runs it on the calling thread, copies the logits out and returns the executor; the model's weights are
 * shared read-only. After warm-up a call allocates nothing: the pool is an {@link ArrayBlockingQueue} (no node
 * per offer), executors are created only while more threads call at once than ever before (up to four per core
 * are kept; callers beyond that build and drop one per call), and the caller owns the output array. One call runs on one core, so concurrent callers scale across cores and one caller's latency
 * does not depend on the others' load (the usual choice for a service; {@code whittle bench} reports two-thread
 * batch-1 latency for a single caller).
 *
 * <p>A model file with channel masks (a masked pruning result) is bound so the kernels skip its dead filters; a
 * compact model needs nothing. Do not train the graph while predicting: the weights are read without locks.
 */
public final class Predictor {
    private static final int POOL = Math.max(4, 4 * Runtime.getRuntime().availableProcessors());
    private final Graph graph;
    private final Shape input;
    private final int inputSize, classes;
    private final ArrayBlockingQueue<Slot> pool = new ArrayBlockingQueue<>(POOL);

    /** An executor with its own one-thread pool: the call runs on the caller's thread. */
    private record Slot(Executor executor, Parallel parallel) {}

    public Predictor(Graph graph) {
        this.graph = graph;
        this.input = graph.inputShape();
        this.inputSize = input.size();
        this.classes = graph.classes();
        pool.offer(newSlot()); // the first executor is built now, so a bad graph fails here and not in a call
    }

    /**
     * Loads a {@code .whittle} file (a bad file fails with a {@link dev.whittle.io.ModelFileException} naming it)
     * and binds its channel masks, if any.
     */
    public static Predictor load(Path file) {
        SavedModel m = ModelFile.load(file);
        Graph g = m.graph();
        if (!m.masks().isEmpty()) MaskBinding.apply(g, ChannelMasks.fromNamed(ChannelGroups.derive(g), m.masks()));
        return new Predictor(g);
    }

    private Slot newSlot() {
        Parallel p = new Parallel(1);
        return new Slot(new Executor(graph, 1, false, p), p);
    }

    public Graph graph() {
        return graph;
    }

    /** Shape of one input image (C, H, W); {@link #inputSize()} floats in NCHW order. */
    public Shape inputShape() {
        return input;
    }

    public int inputSize() {
        return inputSize;
    }

    public int classes() {
        return classes;
    }

    /**
     * logits[0, classes) = the model's output for one image. Thread-safe; allocates nothing in steady state.
     *
     * @param image {@link #inputSize()} floats, (C, H, W)
     * @param logits at least {@link #classes()} floats; overwritten
     */
    public void predict(float[] image, float[] logits) {
        if (image.length != inputSize)
            throw new IllegalArgumentException(
                    "image expected " + input + " = " + inputSize + " floats but found " + image.length);
        if (logits.length < classes)
            throw new IllegalArgumentException(
                    "logits expected at least " + classes + " floats but found " + logits.length);
        Slot s = pool.poll();
        if (s == null) s = newSlot();
        try {
            System.arraycopy(s.executor().forward(image, 1, false), 0, logits, 0, classes);
        } finally {
            if (!pool.offer(s)) s.parallel().close();
        }
    }

    /** The index of the largest logit (the predicted class) for one image; {@code scratch} holds the logits. */
    public int classify(float[] image, float[] scratch) {
        predict(image, scratch);
        int best = 0;
        for (int c = 1; c < classes; c++) if (scratch[c] > scratch[best]) best = c;
        return best;
    }
}
