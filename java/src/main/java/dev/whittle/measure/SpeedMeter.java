package dev.whittle.measure;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Times workloads the way benchmarking.md asks: warm up first (Vector API code is orders of magnitude
 * slower before C2 compiles it, and C2 compiling takes a core), then interleave the workloads being compared (A B A B …) so a noisy
 * neighbour hits all of them alike, and report medians with their spread.
 */
public final class SpeedMeter {
    private final double warmupSeconds;
    private final int trials;
    private final double trialSeconds;
    private volatile float sink;

    public SpeedMeter(double warmupSeconds, int trials, double trialSeconds) {
        if (trials < 1) throw new IllegalArgumentException("trials must be >= 1, found " + trials);
        this.warmupSeconds = warmupSeconds;
        this.trials = trials;
        this.trialSeconds = trialSeconds;
    }

    /**
     * Runs each workload for at least {@code warmupSeconds}, then on until the JIT has compiled nothing for
     * {@link #quietNanos} (at most 4 × warmupSeconds in all). A fixed 2 s had left C2 compiling Vector API code into
     * the timed runs on two threads, where the compiler takes a core from the workload: VGG-small on two threads
     * measured 1,454 and 1,967 img/s at batch 64 with a batch-1 p99 of 16 and 10 ms after 2 s, 3,094 and 3,311 img/s
     * and 4.8 and 3.2 ms after 8 s (bench/README.md, stop 18).
     */
    public void warmUp(List<? extends Timed> loads) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean watchJit = jit != null && jit.isCompilationTimeMonitoringSupported();
        for (Timed w : loads) {
            long start = System.nanoTime(), quietSince = start, compiled = watchJit ? jit.getTotalCompilationTime() : 0;
            long now;
            do {
                sink += w.runOnce();
                now = System.nanoTime();
                long c = watchJit ? jit.getTotalCompilationTime() : compiled;
                if (c != compiled) {
                    compiled = c;
                    quietSince = now;
                }
            } while (!warm(now - start, now - quietSince, warmupSeconds));
        }
    }

    /** How long the JIT must have been idle to end a warm-up: half the warm-up, at most a second. */
    static long quietNanos(double warmupSeconds) {
        return (long) (Math.min(1.0, warmupSeconds / 2) * 1e9);
    }

    /**
     * Whether a warm-up that has run {@code elapsed} ns, the JIT idle for the last {@code quiet} ns, is done: past
     * the minimum and quiet long enough, or past four times the minimum whatever the JIT does.
     */
    static boolean warm(long elapsed, long quiet, double warmupSeconds) {
        long min = (long) (warmupSeconds * 1e9);
        if (elapsed < min) return false;
        return quiet >= quietNanos(warmupSeconds) || elapsed >= 4 * min;
    }

    /** Images per second of each workload: {@code trials} interleaved trials of ~trialSeconds each. */
    public Stats[] throughput(List<? extends Timed> loads) {
        double[][] ips = new double[loads.size()][trials];
        for (int t = 0; t < trials; t++) {
            for (int i = 0; i < loads.size(); i++) {
                Timed w = loads.get(i);
                long start = System.nanoTime(), end = start + (long) (trialSeconds * 1e9);
                int images = 0;
                long now;
                do {
                    sink += w.runOnce();
                    images += w.batch();
                } while ((now = System.nanoTime()) < end);
                ips[i][t] = images / ((now - start) / 1e9);
            }
        }
        Stats[] out = new Stats[loads.size()];
        for (int i = 0; i < out.length; i++) out[i] = Stats.of(ips[i]);
        return out;
    }

    /** Timed calls per block of {@link #latency}, and the untimed calls before each block when workloads alternate. */
    public static final int LATENCY_BLOCK = 25, LATENCY_BLOCK_WARM = 3;

    /**
     * Per-call latency in milliseconds of each workload, {@code runs} calls each. Workloads alternate in blocks of
     * {@link #LATENCY_BLOCK} timed calls, each block after {@link #LATENCY_BLOCK_WARM} untimed ones, so every call
     * is timed in the state a service calling that model alone would see (its weights and activations in cache,
     * its pool's workers awake), while the blocks still share the machine's drift. Alternating call by call timed
     * each model right after the other had evicted it: a pruned VGG-small whose weights fit in L2 measured 145
     * instead of 137 µs on one thread after the dense model's 2.3 MB, while the dense model's time was unchanged.
     */
    public Stats[] latency(List<? extends Timed> loads, int runs) {
        double[][] ms = new double[loads.size()][runs];
        for (int r0 = 0; r0 < runs; r0 += LATENCY_BLOCK) {
            int r1 = Math.min(runs, r0 + LATENCY_BLOCK);
            for (int i = 0; i < loads.size(); i++) {
                Timed load = loads.get(i);
                if (loads.size() > 1) for (int w = 0; w < LATENCY_BLOCK_WARM; w++) sink += load.runOnce();
                for (int r = r0; r < r1; r++) {
                    long start = System.nanoTime();
                    sink += load.runOnce();
                    ms[i][r] = (System.nanoTime() - start) / 1e6;
                }
            }
        }
        Stats[] out = new Stats[loads.size()];
        for (int i = 0; i < out.length; i++) out[i] = Stats.of(ms[i]);
        return out;
    }
}
