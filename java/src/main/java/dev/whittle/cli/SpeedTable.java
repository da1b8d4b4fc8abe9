package dev.whittle.cli;

import dev.whittle.measure.SpeedComparison;
import java.util.LinkedHashMap;
import java.util.Map;

/** A dense-versus-pruned {@link SpeedComparison} as Markdown rows and as JSON, for `prune` and `speedup`. */
final class SpeedTable {
    private SpeedTable() {}

    /** The measured table: latency p50/p99, inference and training throughput, speedups and efficiencies. */
    static String markdown(SpeedComparison s, double reduction, String reductionName) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(
                "| measured (%d threads, median, min–max) | dense | pruned | speedup | efficiency |%n|---|---:|---:|---:|---:|%n",
                s.threads()));
        md.append(String.format(
                "| latency b1 p50 (ms) | %.3f | %.3f | %.2fx | %.0f %% |%n",
                s.denseLatencyMs().median(),
                s.prunedLatencyMs().median(),
                s.latencySpeedup(),
                100 * s.latencySpeedup() / reduction));
        md.append(String.format(
                "| latency b1 p99 (ms) | %.3f | %.3f | | |%n",
                s.denseLatencyMs().p99(), s.prunedLatencyMs().p99()));
        md.append(String.format(
                "| inference b%d img/s | %,.0f (%,.0f–%,.0f) | %,.0f (%,.0f–%,.0f) | %.2fx | %.0f %% |%n",
                s.inferBatch(),
                s.denseInferIps().median(),
                s.denseInferIps().min(),
                s.denseInferIps().max(),
                s.prunedInferIps().median(),
                s.prunedInferIps().min(),
                s.prunedInferIps().max(),
                s.inferSpeedup(),
                100 * s.inferSpeedup() / reduction));
        md.append(String.format(
                "| training b%d img/s | %,.0f (%,.0f–%,.0f) | %,.0f (%,.0f–%,.0f) | %.2fx | %.0f %% |%n",
                s.trainBatch(),
                s.denseTrainIps().median(),
                s.denseTrainIps().min(),
                s.denseTrainIps().max(),
                s.prunedTrainIps().median(),
                s.prunedTrainIps().min(),
                s.prunedTrainIps().max(),
                s.trainSpeedup(),
                100 * s.trainSpeedup() / reduction));
        md.append(String.format(
                "%n%s %.2fx; efficiency = measured speedup / %s. Latency: the models alternate in blocks of %d timed"
                        + " calls, %d untimed before each; throughput: interleaved timed trials.%n",
                reductionName,
                reduction,
                reductionName,
                dev.whittle.measure.SpeedMeter.LATENCY_BLOCK,
                dev.whittle.measure.SpeedMeter.LATENCY_BLOCK_WARM));
        return md.toString();
    }

    static Map<String, Object> json(SpeedComparison s, double reduction, String reductionName) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("threads", s.threads());
        m.put("macsReduction", s.macsReduction());
        m.put("efficiencyDivisor", reductionName);
        m.put("latencyMs", Map.of("dense", s.denseLatencyMs(), "pruned", s.prunedLatencyMs()));
        m.put(
                "inferImagesPerSecond",
                Map.of("batch", s.inferBatch(), "dense", s.denseInferIps(), "pruned", s.prunedInferIps()));
        m.put(
                "trainImagesPerSecond",
                Map.of("batch", s.trainBatch(), "dense", s.denseTrainIps(), "pruned", s.prunedTrainIps()));
        m.put("latencySpeedup", s.latencySpeedup());
        m.put("inferSpeedup", s.inferSpeedup());
        m.put("trainSpeedup", s.trainSpeedup());
        m.put("latencyEfficiency", s.latencySpeedup() / reduction);
        m.put("inferEfficiency", s.inferSpeedup() / reduction);
        m.put("trainEfficiency", s.trainSpeedup() / reduction);
        return m;
    }
}
