package dev.whittle.cli;

import dev.whittle.graph.Graph;
import dev.whittle.measure.FmaPeak;
import dev.whittle.measure.ModelSpeed;
import dev.whittle.measure.SpeedMeter;
import dev.whittle.measure.Stats;
import dev.whittle.measure.Workload;
import dev.whittle.model.Models;
import dev.whittle.runtime.MachineInfo;
import dev.whittle.runtime.Parallel;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Measure inference latency (batch 1, p50/p99), inference throughput and training throughput of reference models; writes JSON and Markdown.")
final class BenchCommand implements Callable<Integer> {
    @Option(
            names = "--models",
            split = ",",
            defaultValue = "lenet5,vgg_small,resnet20",
            description = "Models (default: ${DEFAULT-VALUE}).")
    List<String> models;

    @Option(
            names = "--threads",
            split = ",",
            defaultValue = "1,2",
            description = "Thread counts (default: ${DEFAULT-VALUE}).")
    List<Integer> threads;

    @Option(
            names = "--infer-batch",
            defaultValue = "64",
            description = "Inference throughput batch (default: ${DEFAULT-VALUE}).")
    int inferBatch;

    @Option(
            names = "--train-batch",
            defaultValue = "128",
            description = "Training throughput batch (default: ${DEFAULT-VALUE}).")
    int trainBatch;

    @Option(
            names = "--out",
            defaultValue = "bench/results/speed",
            description = "Output path prefix; .json and .md are appended (default: ${DEFAULT-VALUE}).")
    String out;

    @Mixin
    TimingOptions timing;

    @Override
    public Integer call() {
        for (String m : models) Models.byName(m); // fail fast on a bad name
        dev.whittle.runtime.BackendInfo.current();
        SpeedMeter meter = timing.meter();
        List<ModelSpeed> results = new ArrayList<>();
        System.out.println(header());
        Map<Integer, Double> peaks = new LinkedHashMap<>();
        for (int t : threads) {
            if (t < 1) throw new IllegalArgumentException("--threads values must be >= 1, found " + t);
            try (Parallel parallel = new Parallel(t)) {
                peaks.put(t, FmaPeak.measure(parallel, 0.5, 3));
                System.out.printf("threads %d: FP32 FMA peak %.1f GFLOP/s%n", t, peaks.get(t));
                for (String m : models) {
                    results.add(measure(m, parallel, meter));
                    System.out.println(row(results.getLast(), peaks.get(t)));
                }
            }
        }
        write(results, peaks);
        return 0;
    }

    private ModelSpeed measure(String model, Parallel parallel, SpeedMeter meter) {
        Graph g = Models.byName(model);
        g.initialize(1);
        Workload lat = new Workload(g, Workload.Kind.INFERENCE, 1, parallel, 2);
        Workload inf = new Workload(g, Workload.Kind.INFERENCE, inferBatch, parallel, 3);
        meter.warmUp(List.of(lat, inf));
        Stats latency = meter.latency(List.of(lat), timing.latencyRuns)[0];
        Stats infer = meter.throughput(List.of(inf))[0];
        Graph tg = Models.byName(model); // training changes weights: give it its own copy
        tg.initialize(1);
        Workload train = new Workload(tg, Workload.Kind.TRAINING, trainBatch, parallel, 4);
        meter.warmUp(List.of(train));
        Stats trainIps = meter.throughput(List.of(train))[0];
        return new ModelSpeed(
                model,
                g.inputShape().toString(),
                g.parameterCount(),
                g.macs(),
                parallel.threads(),
                latency,
                inferBatch,
                infer,
                trainBatch,
                trainIps);
    }

    private String header() {
        return "| model | threads | latency b1 p50 (ms) | p99 (ms) | infer img/s b" + inferBatch
                + " (min–max) | GFLOP/s | of peak | train img/s b" + trainBatch + " (min–max) |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|";
    }

    private static String row(ModelSpeed s, double peak) {
        return String.format(
                "| %s | %d | %.3f | %.3f | %,.0f (%,.0f–%,.0f) | %.1f | %.0f%% | %,.0f (%,.0f–%,.0f) |",
                s.model(),
                s.threads(),
                s.latencyMs().median(),
                s.latencyMs().p99(),
                s.inferImagesPerSecond().median(),
                s.inferImagesPerSecond().min(),
                s.inferImagesPerSecond().max(),
                s.inferGflops(),
                100 * s.inferGflops() / peak,
                s.trainImagesPerSecond().median(),
                s.trainImagesPerSecond().min(),
                s.trainImagesPerSecond().max());
    }

    private void write(List<ModelSpeed> results, Map<Integer, Double> peaks) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put(
                "command",
                "whittle bench --models " + String.join(",", models) + " --threads "
                        + threads.stream()
                                .map(String::valueOf)
                                .reduce((a, b) -> a + "," + b)
                                .orElse("")
                        + timing.nonDefaultArgs());
        report.put("date", Instant.now().toString());
        report.put("machine", MachineInfo.describe(Runtime.getRuntime().availableProcessors()));
        // This VM is noisy: say how busy it was (the 1-minute figure includes this run's own 1-2 threads).
        report.put("loadAverageAtEnd", ResultFiles.loadAverage());
        report.put("fmaPeakGflops", peaks);
        report.put("results", results);
        StringBuilder md = new StringBuilder();
        md.append("# Speed: ").append(LocalDate.now()).append("\n\n");
        md.append("Machine: ")
                .append(MachineInfo.describe(Runtime.getRuntime().availableProcessors()))
                .append("\n\n");
        md.append("Command: `").append(report.get("command")).append("`\n\n");
        md.append("FP32 FMA peak (GFLOP/s, measured): ").append(peaks).append("\n\n");
        md.append(header()).append('\n');
        for (ModelSpeed s : results) md.append(row(s, peaks.get(s.threads()))).append('\n');
        ResultFiles.write(out, report, md);
    }
}
