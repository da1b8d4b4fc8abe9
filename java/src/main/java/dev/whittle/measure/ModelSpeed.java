package dev.whittle.measure;

/**
 * Measured speed of one model at one thread count: batch-1 latency, batch-N inference throughput and
 * batch-M training throughput, each a median with its spread, plus what those imply in GFLOP/s.
 */
public record ModelSpeed(
        String model,
        String input,
        long params,
        long macsPerImage,
        int threads,
        Stats latencyMs,
        int inferBatch,
        Stats inferImagesPerSecond,
        int trainBatch,
        Stats trainImagesPerSecond) {

    /** Achieved inference GFLOP/s: 2 × MACs × images/s. */
    public double inferGflops() {
        return 2.0 * macsPerImage * inferImagesPerSecond.median() / 1e9;
    }
}
