package dev.whittle.train;

import dev.whittle.data.BatchIterator;
import dev.whittle.data.Dataset;
import dev.whittle.graph.Graph;
import dev.whittle.nn.Shape;
import dev.whittle.runtime.Parallel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Supervised training with SGD: per batch, forward in training mode, softmax cross-entropy, backward, one
 * optimizer step with the scheduled learning rate; after each epoch, test accuracy. Deterministic for a
 * seed (shuffling and initialisation are seeded; kernels write disjoint outputs per thread).
 */
public final class Trainer {

    /** Receives progress; the CLI turns it into a progress bar or plain lines. */
    public interface Listener {
        default void epochStarted(int epoch, int batches) {}

        default void batchDone(int epoch, int batch, double loss, double imagesPerSecond) {}

        default void epochDone(EpochMetrics m) {}
    }

    /**
     * Points where a pruning method acts (pruning-methods.md §6a): zero grads → beforeForward → forward →
     * backward → afterBackward (penalty gradients) → optimizer step → afterStep (schedules, re-zero masks).
     * Training stops early, at the end of the iteration, once {@link #isDone} says so.
     */
    public interface Hooks {
        Hooks NONE = new Hooks() {};

        default void beforeForward(long iteration) {}

        default void afterBackward(long iteration) {}

        default void afterStep(long iteration) {}

        default boolean isDone(long iteration) {
            return false;
        }
    }

    private final Graph graph;
    private final TrainConfig config;
    private final Supplier<StepEngine> engines;

    /** Trains on the CPU executor with {@code parallel}. */
    public Trainer(Graph graph, TrainConfig config, Parallel parallel) {
        this(graph, config, () -> new CpuStepEngine(graph, config, parallel));
    }

    /** Trains on the engine {@code engines} builds for each {@link #fit} (closed when the fit returns). */
    public Trainer(Graph graph, TrainConfig config, Supplier<StepEngine> engines) {
        this.graph = graph;
        this.config = config;
        this.engines = engines;
    }

    /** Trains on the engine {@code factory} builds for this graph and configuration. */
    public Trainer(Graph graph, TrainConfig config, StepEngine.Factory factory) {
        this(graph, config, () -> factory.create(graph, config));
    }

    private boolean fits(Dataset d) {
        Shape s = graph.inputShape();
        return d.channels() == s.c() && d.height() == s.h() && d.width() == s.w();
    }

    public List<EpochMetrics> fit(Dataset train, Dataset test, Listener listener) {
        return fit(train, test, listener, Hooks.NONE);
    }

    public List<EpochMetrics> fit(Dataset train, Dataset test, Listener listener, Hooks hooks) {
        if (!fits(train) || (test != null && !fits(test))) {
            throw new IllegalArgumentException("data images are " + train.channels() + "x" + train.height() + "x"
                    + train.width() + " but model '" + graph.name() + "' expects " + graph.inputShape());
        }
        if (train.classes() > graph.classes()) {
            throw new IllegalArgumentException("data has " + train.classes() + " classes but model '" + graph.name()
                    + "' outputs " + graph.classes());
        }
        int bs = config.batch(), classes = graph.classes();
        try (StepEngine engine = engines.get()) {
            if (engine.capacity() < bs) {
                throw new IllegalStateException(
                        "step engine holds batches of " + engine.capacity() + " but the batch is " + bs);
            }
            try {
                return fit(engine, train, test, listener, hooks, bs, classes);
            } finally {
                engine.syncToHost(); // the graph's arrays hold the trained model, also after an exception
            }
        }
    }

    private List<EpochMetrics> fit(
            StepEngine engine, Dataset train, Dataset test, Listener listener, Hooks hooks, int bs, int classes) {
        BatchIterator it = new BatchIterator(train, bs, true, config.seed());
        long perEpoch = it.batchesPerEpoch(), total = perEpoch * config.epochs();
        LrSchedule schedule = LrSchedule.parse(config.schedule(), config.lr(), perEpoch);
        float[] x = new float[bs * train.imageSize()];
        int[] y = new int[bs];
        List<EpochMetrics> history = new ArrayList<>();
        long iteration = 0;
        boolean done = false;
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            listener.epochStarted(epoch, (int) perEpoch);
            it.startEpoch(epoch);
            long start = System.nanoTime();
            double lossSum = 0;
            long correct = 0, seen = 0;
            float lr = 0;
            int b = 0;
            for (int n; (n = it.next(x, y)) > 0; iteration++, b++) {
                lr = schedule.at(iteration, total);
                checkLabels(train, y, n, classes, epoch, b + 1);
                StepEngine.StepResult r = engine.step(x, y, n, lr, iteration, hooks);
                double batchLoss = r.lossSum() / n;
                if (!Double.isFinite(batchLoss)) {
                    throw new TrainingDivergedException("loss became " + batchLoss + " at epoch " + epoch + ", batch "
                            + (b + 1) + " (iteration " + iteration + ", lr " + lr + "); try a lower --lr");
                }
                correct += r.correct();
                lossSum += r.lossSum();
                seen += n;
                double secs = (System.nanoTime() - start) / 1e9;
                listener.batchDone(epoch, b + 1, batchLoss, seen / Math.max(secs, 1e-9));
                if (hooks.isDone(iteration)) {
                    done = true;
                    iteration++;
                    break;
                }
            }
            double secs = (System.nanoTime() - start) / 1e9;
            Evaluator.Result t = test == null
                    ? new Evaluator.Result(Double.NaN, Double.NaN, 0)
                    : Evaluator.evaluate(engine::infer, engine.capacity(), classes, test);
            EpochMetrics m = new EpochMetrics(
                    epoch, lossSum / seen, (double) correct / seen, t.loss(), t.accuracy(), lr, secs, seen / secs);
            history.add(m);
            listener.epochDone(m);
            if (done) break;
        }
        return history;
    }

    /**
     * Labels are checked on the host for every backend: a device kernel can only turn a bad label into NaN, and
     * an index out of range must name the data, not surface as a diverged loss.
     */
    static void checkLabels(Dataset data, int[] y, int n, int classes, int epoch, int batch) {
        int i = firstBadLabel(y, n, classes);
        if (i >= 0)
            throw new IllegalArgumentException(data.name() + ": label expected 0.." + (classes - 1) + " but found "
                    + y[i] + " (epoch " + epoch + ", batch " + batch + ", row " + i + ")");
    }

    /** Index of the first of y[0, n) outside 0..classes-1, or -1 when all are valid. */
    static int firstBadLabel(int[] y, int n, int classes) {
        for (int i = 0; i < n; i++) if (y[i] < 0 || y[i] >= classes) return i;
        return -1;
    }
}
