package dev.whittle.measure;

import java.util.List;

/**
 * Times workloads the way benchmarking.md asks: warm up first (Vector API code is orders of magnitude
 * slower before C2 compiles it), then interleave the workloads being compared (A B A B …) so a noisy
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

    public void warmUp(List<? extends Timed> loads) {
        for (Timed w : loads) {
            long end = System.nanoTime() + (long) (warmupSeconds * 1e9);
            do sink += w.runOnce();
            while (System.nanoTime() < end);
        }
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

    /** Per-call latency in milliseconds of each workload, {@code runs} calls each, interleaved call by call. */
    public Stats[] latency(List<? extends Timed> loads, int runs) {
        double[][] ms = new double[loads.size()][runs];
        for (int r = 0; r < runs; r++) {
            for (int i = 0; i < loads.size(); i++) {
                long start = System.nanoTime();
                sink += loads.get(i).runOnce();
                ms[i][r] = (System.nanoTime() - start) / 1e6;
            }
        }
        Stats[] out = new Stats[loads.size()];
        for (int i = 0; i < out.length; i++) out[i] = Stats.of(ms[i]);
        return out;
    }
}
