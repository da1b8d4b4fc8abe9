package dev.whittle.bench;

import dev.whittle.graph.Graph;
import dev.whittle.infer.Predictor;
import dev.whittle.model.Models;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The embedding API as a service uses it: JMH's {@code -t N} threads call {@link Predictor#predict} on one
 * shared model, one image per call. Primary score: predictions per second over all threads (throughput), or
 * {@code -bm sample} for the latency distribution (p50/p99); {@code -prof gc}: {@code gc.alloc.rate.norm} per
 * call. Warm-up as long as {@link ModelBenchmark}'s, for the same reason (Vector API boxing until C2).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 8, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class PredictorBenchmark {

    /** One model and predictor for all calling threads. */
    @State(Scope.Benchmark)
    public static class Shared {
        @Param({"lenet5", "vgg_small", "resnet20"})
        public String model;

        Predictor predictor;

        @Setup(Level.Trial)
        public void setUp() {
            Graph g = Models.byName(model);
            g.initialize(42);
            predictor = new Predictor(g);
        }
    }

    /** Each calling thread's own image and logits. */
    @State(Scope.Thread)
    public static class Caller {
        float[] image, logits;

        @Setup(Level.Trial)
        public void setUp(Shared s) {
            SplittableRandom r = new SplittableRandom(Thread.currentThread().threadId());
            image = new float[s.predictor.inputSize()];
            for (int i = 0; i < image.length; i++) image[i] = (float) r.nextGaussian();
            logits = new float[s.predictor.classes()];
        }
    }

    @Benchmark
    public float[] predict(Shared s, Caller c) {
        s.predictor.predict(c.image, c.logits);
        return c.logits;
    }
}
