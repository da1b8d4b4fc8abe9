package dev.whittle.cli;

import dev.whittle.graph.Graph;
import dev.whittle.graph.Node;
import dev.whittle.kernels.ConvGeometry;
import dev.whittle.kernels.KernelSet;
import dev.whittle.kernels.SparseKernels;
import dev.whittle.measure.SpeedMeter;
import dev.whittle.measure.Stats;
import dev.whittle.measure.Workload;
import dev.whittle.model.Models;
import dev.whittle.nn.Conv2d;
import dev.whittle.nn.Linear;
import dev.whittle.prune.PrunePipeline;
import dev.whittle.prune.SparseBreakEven;
import dev.whittle.prune.SparseInference;
import dev.whittle.runtime.BackendInfo;
import dev.whittle.runtime.MachineInfo;
import dev.whittle.runtime.Parallel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * When does skipping zero weights pay? Per layer shape of a model: the dense kernel's time against the sparse
 * kernel's time over weight densities, and the break-even density, at the per-thread batch of batch-1 latency and
 * of batch-64 throughput. Then the whole model at a weight sparsity: dense, sparse where it beats dense (the
 * runtime's choice), and sparse everywhere, interleaved in one process.
 */
@Command(
        name = "bench-sparse",
        mixinStandardHelpOptions = true,
        description = "Dense vs sparse-weight kernels per layer over densities (break-even) and whole-model speedup.")
final class SparseBenchCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "vgg_small", description = "Model (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(
            names = "--densities",
            split = ",",
            defaultValue = "0.01,0.02,0.05,0.1,0.2,0.3,0.5,0.75,1.0",
            description = "Weight densities to time, increasing (default: ${DEFAULT-VALUE}).")
    List<Double> densities;

    @Option(
            names = "--sparsity",
            defaultValue = "0.9",
            description = "Weight sparsity of the whole-model comparison (default: ${DEFAULT-VALUE}).")
    double sparsity;

    @Option(names = "--trials", defaultValue = "5", description = "Interleaved trials (default: ${DEFAULT-VALUE}).")
    int trials;

    @Option(
            names = "--trial-seconds",
            defaultValue = "0.2",
            description =
                    "Minimum seconds per layer trial; whole-model trials take 5x this (default: ${DEFAULT-VALUE}).")
    double trialSeconds;

    @Option(
            names = "--warmup",
            defaultValue = "0.5",
            description =
                    "Warm-up seconds per kernel and density before timing; C2 must have compiled the Vector API code (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(
            names = "--latency-runs",
            defaultValue = "300",
            description = "Batch-1 calls timed per variant (default: ${DEFAULT-VALUE}).")
    int latencyRuns;

    @Option(
            names = "--out",
            defaultValue = "bench/results/sparse",
            description = "Output prefix (default: ${DEFAULT-VALUE}).")
    String out;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        for (int i = 0; i < densities.size(); i++) {
            double d = densities.get(i);
            if (!(d > 0 && d <= 1) || (i > 0 && d <= densities.get(i - 1)))
                throw new IllegalArgumentException(
                        "--densities must be increasing values in (0, 1], found " + densities);
        }
        if (!(sparsity > 0 && sparsity < 1))
            throw new IllegalArgumentException("--sparsity must be in (0, 1), found " + sparsity);
        if (trials < 1 || !(trialSeconds > 0) || latencyRuns < 1 || !(warmup >= 0))
            throw new IllegalArgumentException(
                    "--trials, --trial-seconds and --latency-runs must be positive and --warmup >= 0");
        Parallel parallel = common.parallel();
        KernelSet dense = BackendInfo.current().kernels();
        SparseKernels sparse = SparseInference.kernelsFor(dense);
        double[] grid = densities.stream().mapToDouble(Double::doubleValue).toArray();
        var timing = new SparseBreakEven.Timing(warmup, trials, trialSeconds);
        int threads = parallel.threads();
        int[] perThread = {1, (64 + threads - 1) / threads};
        String command = "whittle bench-sparse --model " + model + " --sparsity " + sparsity + " --trials " + trials
                + " --trial-seconds " + trialSeconds + " --warmup " + warmup;

        String load = ResultFiles.loadAverage();
        StringBuilder md = new StringBuilder();
        md.append("# Dense vs sparse-weight kernels: ")
                .append(model)
                .append(", ")
                .append(threads)
                .append(" threads, dense backend ")
                .append(dense.name())
                .append(", sparse kernels ")
                .append(sparse.name())
                .append("\n\n`")
                .append(command)
                .append("`, ")
                .append(Instant.now())
                .append(", ")
                .append(MachineInfo.cpuModel())
                .append(", load average at start ")
                .append(load)
                .append(" (above the thread count means other work shared the cores: treat times as contended)")
                .append("\n\nPer layer, one thread, ms per call (median of ")
                .append(trials)
                .append(
                        " interleaved trials); the per-thread batch of batch-1 latency and of batch-64 throughput.\n\n| layer | dense ms | dense GFLOP/s |");
        for (double d : grid) md.append(String.format(" sparse d=%.2f |", d));
        md.append(" break-even density |\n|---|---:|---:|");
        for (int i = 0; i < grid.length; i++) md.append("---:|");
        md.append("---:|\n");
        List<Map<String, Object>> layers = new ArrayList<>();
        Map<String, Double> breakEvens = new LinkedHashMap<>();
        Graph shapes = Models.byName(model);
        for (int batch : perThread) {
            LinkedHashSet<String> seen = new LinkedHashSet<>();
            for (Node n : shapes.nodes()) {
                SparseBreakEven.Probe p;
                if (n.layer() instanceof Conv2d c) {
                    ConvGeometry g = c.geometry(n.inShapes()[0], batch);
                    p = SparseBreakEven.conv(g, dense, sparse);
                } else if (n.layer() instanceof Linear l) {
                    p = SparseBreakEven.linear(l.in, l.out, batch, dense, sparse);
                } else continue;
                if (!seen.add(p.describe())) continue;
                SparseBreakEven.Curve c = SparseBreakEven.measure(p, grid, timing);
                breakEvens.put(c.layer(), c.breakEven());
                md.append(String.format(
                        "| %s | %.4f | %.1f |", c.layer(), c.denseMs(), 2e-6 * p.denseMacs() / c.denseMs()));
                for (double t : c.sparseMs()) md.append(String.format(" %.4f |", t));
                md.append(String.format(" %.3f |%n", c.breakEven()));
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("layer", c.layer());
                row.put("node", n.name());
                row.put("batchPerThread", batch);
                row.put("denseMs", c.denseMs());
                row.put("densities", c.densities());
                row.put("sparseMs", c.sparseMs());
                row.put("breakEvenDensity", c.breakEven());
                layers.add(row);
                System.out.printf("%s: break-even density %.3f%n", c.layer(), c.breakEven());
            }
        }

        // Whole model: random weights with `sparsity` of every conv/linear weight zeroed (unstructured).
        Graph base = Models.byName(model);
        base.initialize(1);
        SplittableRandom r = new SplittableRandom(2);
        for (Graph.NamedParam np : base.namedParams()) {
            if (!np.name().endsWith(".weight") || np.param().shape().length < 2) continue;
            float[] v = np.param().value();
            for (int i = 0; i < v.length; i++) if (r.nextDouble() < sparsity) v[i] = 0f;
        }
        md.append(String.format(
                "%nWhole model at %.0f %% weight sparsity (random unstructured zeros), %d threads: dense kernels,"
                        + " sparse where the table above says it beats dense (per-layer choice below), and sparse"
                        + " everywhere.%n",
                100 * sparsity, threads));
        List<Map<String, Object>> whole = new ArrayList<>();
        // The per-layer choice uses the break-evens measured above, so the table and the choice agree.
        var thresholds = SparseInference.table(breakEvens);
        String[] names = {"dense", "sparse where faster", "sparse everywhere"};
        for (int bi = 0; bi < 2; bi++) {
            int batch = bi == 0 ? 1 : 64;
            Graph[] g = {PrunePipeline.copy(base), PrunePipeline.copy(base), PrunePipeline.copy(base)};
            List<SparseInference.Decision> chosen = SparseInference.apply(g[1], perThread[bi], thresholds, sparse);
            SparseInference.apply(g[2], perThread[bi], SparseInference.fixed(1, 1), sparse);
            List<Workload> loads = new ArrayList<>();
            for (Graph x : g) loads.add(new Workload(x, Workload.Kind.INFERENCE, batch, parallel, 3));
            SpeedMeter meter = new SpeedMeter(Math.max(warmup, 5 * trialSeconds), trials, 5 * trialSeconds);
            meter.warmUp(loads);
            Stats[] s = batch == 1 ? meter.latency(loads, latencyRuns) : meter.throughput(loads);
            md.append(String.format(
                    "%n| batch %d | %s | speedup vs dense |%n|---|---:|---:|%n",
                    batch, batch == 1 ? "latency p50 ms (min–max)" : "img/s median (min–max)"));
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("batch", batch);
            for (int i = 0; i < 3; i++) {
                double speedup = batch == 1 ? s[0].median() / s[i].median() : s[i].median() / s[0].median();
                md.append(String.format(
                        "| %s | %.3f (%.3f–%.3f) | %.2fx |%n",
                        names[i], s[i].median(), s[i].min(), s[i].max(), speedup));
                w.put(names[i], Map.of(batch == 1 ? "latencyMs" : "imagesPerSecond", s[i], "speedup", speedup));
            }
            md.append("\nper-layer choice: ");
            List<String> parts = new ArrayList<>();
            for (var d : chosen)
                parts.add(String.format(
                        "%s %s (density %.2f, break-even %.2f)",
                        d.node(), d.sparse() ? "sparse" : "dense", d.density(), d.threshold()));
            md.append(String.join("; ", parts)).append("\n");
            w.put("decisions", chosen);
            whole.add(w);
        }
        System.out.print(md);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("command", command);
        report.put("date", Instant.now().toString());
        report.put("machine", MachineInfo.describe(threads));
        report.put("loadAverageAtStart", load);
        report.put("denseBackend", dense.name());
        report.put("sparseKernels", sparse.name());
        report.put("layers", layers);
        report.put("sparsity", sparsity);
        report.put("wholeModel", whole);
        ResultFiles.write(out, report, md);
        return 0;
    }
}
