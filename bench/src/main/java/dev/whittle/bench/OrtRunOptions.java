package dev.whittle.bench;

import dev.whittle.cli.TimingOptions;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options {@link OrtSpeed} and {@link VersusOrt} share: thread counts, the throughput batch, output, timing. */
final class OrtRunOptions {
    @Option(
            names = "--threads",
            split = ",",
            defaultValue = "1,2",
            description = "Thread counts: ORT's intra-op threads, and Whittle's pool where it runs too"
                    + " (default: ${DEFAULT-VALUE}).")
    List<Integer> threads;

    @Option(
            names = "--infer-batch",
            defaultValue = "64",
            description = "Inference throughput batch (default: ${DEFAULT-VALUE}).")
    int inferBatch;

    @Option(names = "--out", required = true, description = "Output path prefix; .json and .md are appended.")
    String out;

    @Mixin
    TimingOptions timing;

    /** Fails with one line naming the option when a count is below 1. */
    void check() {
        for (int t : threads) if (t < 1) throw new IllegalArgumentException("--threads must be >= 1, found " + t);
        if (inferBatch < 1) throw new IllegalArgumentException("--infer-batch must be >= 1, found " + inferBatch);
    }
}
