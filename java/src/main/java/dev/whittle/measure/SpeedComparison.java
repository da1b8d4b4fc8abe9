package dev.whittle.measure;

import dev.whittle.graph.Graph;
import dev.whittle.runtime.Parallel;
import java.util.List;

/**
 * Dense versus pruned, measured in one process with the workloads interleaved (benchmarking.md): batch-1
 * latency, batch-N inference throughput and training-step throughput, each speedup a ratio of medians, and
 * speedup efficiency = speedup ÷ MACs reduction.
 */
public record SpeedComparison(
        int threads,
        long denseMacs,
        long prunedMacs,
        Stats denseLatencyMs,
        Stats prunedLatencyMs,
        int inferBatch,
        Stats denseInferIps,
        Stats prunedInferIps,
        int trainBatch,
        Stats denseTrainIps,
        Stats prunedTrainIps) {

    public double macsReduction() {
        return (double) denseMacs / prunedMacs;
    }

    public double latencySpeedup() {
        return denseLatencyMs.median() / prunedLatencyMs.median();
    }

    public double inferSpeedup() {
        return prunedInferIps.median() / denseInferIps.median();
    }

    public double trainSpeedup() {
        return prunedTrainIps.median() / denseTrainIps.median();
    }

    public double latencyEfficiency() {
        return latencySpeedup() / macsReduction();
    }

    public double inferEfficiency() {
        return inferSpeedup() / macsReduction();
    }

    public double trainEfficiency() {
        return trainSpeedup() / macsReduction();
    }

    /**
     * Measures both graphs. Training workloads run on copies made by {@code copier} because a training step
     * changes weights.
     */
    public static SpeedComparison measure(
            Graph dense,
            Graph pruned,
            java.util.function.UnaryOperator<Graph> copier,
            Parallel parallel,
            SpeedMeter meter,
            int latencyRuns,
            int inferBatch,
            int trainBatch) {
        return measure(dense, pruned, pruned, copier, parallel, meter, latencyRuns, inferBatch, trainBatch);
    }

    /**
     * As above, with the pruned model's batch-1 latency taken on {@code prunedForLatency}: the same weights set up
     * for one image (e.g. sparse kernels chosen by the batch-1 break-even), while throughput and training use
     * {@code pruned}.
     */
    public static SpeedComparison measure(
            Graph dense,
            Graph prunedForLatency,
            Graph pruned,
            java.util.function.UnaryOperator<Graph> copier,
            Parallel parallel,
            SpeedMeter meter,
            int latencyRuns,
            int inferBatch,
            int trainBatch) {
        Workload dLat = new Workload(dense, Workload.Kind.INFERENCE, 1, parallel, 1);
        Workload pLat = new Workload(prunedForLatency, Workload.Kind.INFERENCE, 1, parallel, 1);
        Workload dInf = new Workload(dense, Workload.Kind.INFERENCE, inferBatch, parallel, 2);
        Workload pInf = new Workload(pruned, Workload.Kind.INFERENCE, inferBatch, parallel, 2);
        meter.warmUp(List.of(dLat, pLat, dInf, pInf));
        Stats[] lat = meter.latency(List.of(dLat, pLat), latencyRuns);
        Stats[] inf = meter.throughput(List.of(dInf, pInf));
        Workload dTrain = new Workload(copier.apply(dense), Workload.Kind.TRAINING, trainBatch, parallel, 3);
        Workload pTrain = new Workload(copier.apply(pruned), Workload.Kind.TRAINING, trainBatch, parallel, 3);
        meter.warmUp(List.of(dTrain, pTrain));
        Stats[] train = meter.throughput(List.of(dTrain, pTrain));
        return new SpeedComparison(
                parallel.threads(),
                dense.macs(),
                pruned.macs(),
                lat[0],
                lat[1],
                inferBatch,
                inf[0],
                inf[1],
                trainBatch,
                train[0],
                train[1]);
    }
}
