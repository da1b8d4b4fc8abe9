package dev.whittle.cli;

import dev.whittle.measure.SpeedMeter;
import picocli.CommandLine.Option;

/**
 * How long a speed command times each workload (`bench`, `speedup`, and the bench module's peer runners): one
 * set of options and checks, a picocli mixin.
 */
public final class TimingOptions {
    @Option(
            names = "--latency-runs",
            defaultValue = "300",
            description = "Batch-1 calls timed per model (default: ${DEFAULT-VALUE}).")
    int latencyRuns;

    @Option(
            names = "--trials",
            defaultValue = "5",
            description = "Throughput trials per workload (default: ${DEFAULT-VALUE}).")
    int trials;

    @Option(
            names = "--trial-seconds",
            defaultValue = "1.0",
            description = "Length of one throughput trial (default: ${DEFAULT-VALUE}).")
    double trialSeconds;

    @Option(
            names = "--warmup-seconds",
            defaultValue = "2.0",
            description = "Warm-up per workload before timing (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    /**
     * The options that differ from their defaults, as command-line text with a leading space (empty when all are
     * defaults), so a result file's command says when a run was shortened.
     */
    public String nonDefaultArgs() {
        StringBuilder b = new StringBuilder();
        if (latencyRuns != 300) b.append(" --latency-runs ").append(latencyRuns);
        if (trials != 5) b.append(" --trials ").append(trials);
        if (trialSeconds != 1.0) b.append(" --trial-seconds ").append(trialSeconds);
        if (warmupSeconds != 2.0) b.append(" --warmup-seconds ").append(warmupSeconds);
        return b.toString();
    }

    /** The meter these options describe, after checking them (≥ 200 latency runs for a meaningful p99). */
    public SpeedMeter meter() {
        if (latencyRuns < 200)
            throw new IllegalArgumentException(
                    "--latency-runs must be >= 200 for a meaningful p99, found " + latencyRuns);
        if (trials < 1 || trialSeconds <= 0 || warmupSeconds < 0)
            throw new IllegalArgumentException(String.format(
                    "need --trials >= 1, --trial-seconds > 0 and --warmup-seconds >= 0, found %d, %s, %s",
                    trials, trialSeconds, warmupSeconds));
        return new SpeedMeter(warmupSeconds, trials, trialSeconds);
    }

    /** Batch-1 calls timed per model. */
    public int latencyRuns() {
        return latencyRuns;
    }

    /** "Latency: N batch-1 calls; throughput: median of T trials × S s after W s warm-up per workload." */
    public String describe() {
        return String.format(
                java.util.Locale.ROOT,
                "Latency: %d batch-1 calls; throughput: median of %d trials × %s s after %s s warm-up per workload.",
                latencyRuns,
                trials,
                trialSeconds,
                warmupSeconds);
    }

    /** The options as a JSON-ready map. */
    public java.util.Map<String, Object> asMap() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("latencyRuns", latencyRuns);
        m.put("trials", trials);
        m.put("trialSeconds", trialSeconds);
        m.put("warmupSecondsPerWorkload", warmupSeconds);
        return m;
    }
}
