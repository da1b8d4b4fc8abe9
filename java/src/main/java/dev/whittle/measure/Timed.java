package dev.whittle.measure;

/**
 * One thing {@link SpeedMeter} can time: a call that processes {@link #batch()} images. Whittle's own
 * {@link Workload}s implement it, and so do the peers the benchmarks compare against (ONNX Runtime sessions),
 * so every runtime is timed by the same loops and statistics.
 */
public interface Timed {
    /** Images one call processes. */
    int batch();

    /** One call; returns a value derived from its output so the call cannot be treated as dead. */
    float runOnce();
}
