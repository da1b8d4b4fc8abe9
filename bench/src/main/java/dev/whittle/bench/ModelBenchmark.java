package dev.whittle.bench;

import dev.whittle.graph.Executor;
import dev.whittle.graph.Graph;
import dev.whittle.kernels.SoftmaxCrossEntropyScalar;
import dev.whittle.model.Models;
import dev.whittle.runtime.Parallel;
import dev.whittle.train.Sgd;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One whole model step: an inference forward, or a training step (forward, loss, backward, SGD), on buffers
 * prepared once, with the library's own pool of {@code threads} threads (JMH itself drives one thread).
 *
 * <p>Primary score: steps per second; secondary {@code :images} (via {@link ImageCounter}) = images per second.
 * Run with {@code -prof gc} to see allocation per step: {@code gc.alloc.rate.norm} ≈ 0 B/op shows the steady-state
 * inference forward allocates nothing. Parameters: {@code model} lenet5 | vgg_small | resnet20, {@code mode}
 * inference | training, {@code batch}, {@code threads}, {@code backend} scalar | vector | vector-gemm-only.
 *
 * <p>Why the long warm-up: Vector API code allocates a box per vector until C2 compiles it (toolchain.md §2), and
 * a small op run once per step (VGG-small's ReLU after fc1, 64×256 floats) reaches C2 only after about 100 steps
 * (measured with per-thread allocation counters: ~200 KB per batch-64 step before, 0 after). A shorter warm-up
 * shows that interpreter/C1 allocation in {@code -prof gc}, not the steady state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Warmup(iterations = 8, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ModelBenchmark {
    @Param({"lenet5", "vgg_small", "resnet20"})
    public String model;

    @Param({"inference", "training"})
    public String mode;

    @Param({"64"})
    public int batch;

    @Param({"1"})
    public int threads;

    @Param({"vector"})
    public String backend;

    /** Conv widths for vgg_small or resnet20 (e.g. a compact model's 16x16x31x31x63x63: JMH splits parameter values at commas), or "" for the reference. */
    @Param({""})
    public String widths;

    /** Below 1: every prunable group masked to this fraction of its channels, evenly spaced (bench-alive's masks). */
    @Param({"1"})
    public double alive;

    Parallel parallel;
    Executor exec;
    Sgd sgd;
    float[] x, losses, dLogits;
    int[] labels;
    int classes;
    boolean training;

    @Setup(Level.Trial)
    public void setup() {
        training = switch (mode) {
            case "inference" -> false;
            case "training" -> true;
            default -> throw new IllegalArgumentException("mode expected inference or training but found " + mode);
        };
        Graph g = widths.isEmpty() ? Models.byName(model) : LayerProfile.withWidths(model, widths);
        g.initialize(42);
        if (alive < 1) {
            var groups = dev.whittle.prune.ChannelGroups.derive(g);
            dev.whittle.prune.MaskBinding.apply(g, dev.whittle.prune.PruneTarget.evenlySpaced(g, groups, alive));
        }
        classes = g.classes();
        parallel = new Parallel(threads);
        exec = new Executor(g, batch, training, parallel, LayerProfile.kernels(backend));
        // A tiny learning rate keeps the weights, and so the arithmetic, steady across steps.
        sgd = training ? new Sgd(g.trainableParams(), 0.9f, 5e-4f, false, parallel) : null;
        SplittableRandom r = new SplittableRandom(7);
        x = new float[batch * g.inputShape().size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = r.nextInt(classes);
        losses = new float[batch];
        dLogits = new float[batch * classes];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        parallel.close();
    }

    @Benchmark
    public float step(ImageCounter counter) {
        counter.images += batch;
        if (!training) return exec.forward(x, batch, false)[0];
        sgd.zeroGrad();
        float[] logits = exec.forward(x, batch, true);
        SoftmaxCrossEntropyScalar.forwardBackward(classes, logits, labels, losses, dLogits, batch, 0, batch);
        exec.backward(dLogits);
        sgd.step(1e-6f);
        return losses[0];
    }
}
