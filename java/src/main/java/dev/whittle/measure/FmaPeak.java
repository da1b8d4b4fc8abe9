package dev.whittle.measure;

import dev.whittle.runtime.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's FP32 FMA peak, measured: 12 independent vector accumulators (enough to cover FMA latency ×
 * 2 ports) updated in a register-resident loop. flops = 2 × lanes × 12 × iterations per thread.
 * Kernel efficiency is reported against this number, not a datasheet.
 */
public final class FmaPeak {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int ACC = 12;
    private static volatile float sink;

    private FmaPeak() {}

    /** GFLOP/s over all threads of {@code parallel}, best of {@code trials} runs of ~seconds each. */
    public static double measure(Parallel parallel, double seconds, int trials) {
        int threads = parallel.threads();
        long iters = 2_000_000;
        kernel(iters / 10); // let C2 compile the loop before timing
        double best = 0;
        for (int t = 0; t < trials; t++) {
            long start = System.nanoTime();
            long deadline = start + (long) (seconds * 1e9);
            long total = 0;
            while (System.nanoTime() < deadline) {
                parallel.forRange(threads, (lo, hi) -> {
                    for (int i = lo; i < hi; i++) sink += kernel(iters);
                });
                total += iters * threads;
            }
            double secs = (System.nanoTime() - start) / 1e9;
            best = Math.max(best, 2.0 * S.length() * ACC * total / secs / 1e9);
        }
        return best;
    }

    /** Twelve independent FMA chains; all vector values stay inside this one method (no boxing). */
    static float kernel(long iterations) {
        FloatVector a = FloatVector.broadcast(S, 0.999f), b = FloatVector.broadcast(S, 1e-7f);
        FloatVector c0 = FloatVector.broadcast(S, 1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (long i = 0; i < iterations; i++) {
            c0 = c0.fma(a, b);
            c1 = c1.fma(a, b);
            c2 = c2.fma(a, b);
            c3 = c3.fma(a, b);
            c4 = c4.fma(a, b);
            c5 = c5.fma(a, b);
            c6 = c6.fma(a, b);
            c7 = c7.fma(a, b);
            c8 = c8.fma(a, b);
            c9 = c9.fma(a, b);
            c10 = c10.fma(a, b);
            c11 = c11.fma(a, b);
        }
        return c0.add(c1)
                .add(c2)
                .add(c3)
                .add(c4)
                .add(c5)
                .add(c6)
                .add(c7)
                .add(c8)
                .add(c9)
                .add(c10)
                .add(c11)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
