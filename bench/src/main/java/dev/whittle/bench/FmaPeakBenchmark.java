package dev.whittle.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The machine's measured FP32 FMA peak: a register-resident loop of {@value #ACC} independent FloatVector
 * accumulator chains ({@code c_i = a·b + c_i}), enough to cover FMA latency × FMA ports (4 cycles × 2 ports = 8
 * chains on current x86), with no memory traffic inside the loop.
 *
 * <p>Flops per invocation = {@value #ITER} iterations × {@value #ACC} accumulators × VL lanes × 2 (an FMA is a
 * multiply and an add), with VL = {@code FloatVector.SPECIES_PREFERRED.length()} (16 with AVX-512). They are
 * reported through {@link FlopCounter} as the secondary result {@code :flop} in flop/s. {@link #oneThread} runs on
 * one thread, {@link #twoThreads} on two (the counter is summed over threads, so it is the machine total).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class FmaPeakBenchmark {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    static final int ITER = 1 << 14;
    static final int ACC = 12;
    static final long FLOP_PER_CALL = 2L * ITER * ACC * VL;

    /** Start values; small so that 16384 accumulation steps stay far from overflow and denormals. */
    final float[] init = new float[Math.max(64, VL * (ACC + 2))];

    public FmaPeakBenchmark() {
        for (int i = 0; i < init.length; i++) init[i] = 1e-3f * ((i % 7) + 1);
    }

    @Benchmark
    @Threads(1)
    public float oneThread(FlopCounter counter) {
        counter.flop += FLOP_PER_CALL;
        return fmaLoop(init);
    }

    @Benchmark
    @Threads(2)
    public float twoThreads(FlopCounter counter) {
        counter.flop += FLOP_PER_CALL;
        return fmaLoop(init);
    }

    /** ITER × ACC FMAs on VL lanes; the result depends on every accumulator so nothing is dead code. */
    static float fmaLoop(float[] s) {
        FloatVector a = FloatVector.fromArray(S, s, 0);
        FloatVector b = FloatVector.fromArray(S, s, VL);
        FloatVector c0 = FloatVector.fromArray(S, s, 2 * VL), c1 = c0.add(1e-4f), c2 = c0.add(2e-4f);
        FloatVector c3 = c0.add(3e-4f), c4 = c0.add(4e-4f), c5 = c0.add(5e-4f), c6 = c0.add(6e-4f);
        FloatVector c7 = c0.add(7e-4f), c8 = c0.add(8e-4f), c9 = c0.add(9e-4f), c10 = c0.add(1e-3f);
        FloatVector c11 = c0.add(1.1e-3f);
        for (int i = 0; i < ITER; i++) {
            c0 = a.fma(b, c0);
            c1 = a.fma(b, c1);
            c2 = a.fma(b, c2);
            c3 = a.fma(b, c3);
            c4 = a.fma(b, c4);
            c5 = a.fma(b, c5);
            c6 = a.fma(b, c6);
            c7 = a.fma(b, c7);
            c8 = a.fma(b, c8);
            c9 = a.fma(b, c9);
            c10 = a.fma(b, c10);
            c11 = a.fma(b, c11);
        }
        FloatVector sum = c0.add(c1)
                .add(c2)
                .add(c3)
                .add(c4)
                .add(c5)
                .add(c6)
                .add(c7)
                .add(c8)
                .add(c9)
                .add(c10)
                .add(c11);
        return sum.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
