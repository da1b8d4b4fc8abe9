package dev.whittle.cli;

import dev.whittle.graph.Graph;
import dev.whittle.io.ModelFile;
import dev.whittle.io.SavedModel;
import dev.whittle.measure.SpeedComparison;
import dev.whittle.measure.SpeedMeter;
import dev.whittle.prune.Compactor;
import dev.whittle.prune.PrunePipeline;
import dev.whittle.runtime.MachineInfo;
import dev.whittle.runtime.Parallel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Dense versus pruned model files, measured interleaved in one process at each thread count: the speedup and
 * efficiency table a `prune` run prints, re-measured on its own. A prune run times its models at the end of a
 * long job on whatever else the machine was doing; this command lets the claim be checked again on a quiet
 * machine, or on another one, from the two files.
 */
@Command(
        name = "speedup",
        mixinStandardHelpOptions = true,
        description = "Measure a pruned model against its dense model (batch-1 latency, batch-64 inference, batch-128"
                + " training), interleaved in one process; writes JSON and Markdown.")
final class SpeedupCommand implements Callable<Integer> {
    @Option(names = "--dense", required = true, description = "The dense .whittle model file.")
    Path dense;

    @Option(
            names = "--pruned",
            required = true,
            description = "The pruned .whittle model file: compacted, or with channel masks (measured compacted).")
    Path pruned;

    @Option(
            names = "--threads",
            split = ",",
            defaultValue = "1,2",
            description = "Thread counts (default: ${DEFAULT-VALUE}).")
    List<Integer> threads;

    @Option(
            names = "--out",
            defaultValue = "bench/results/speedup",
            description = "Output path prefix; .json and .md are appended (default: ${DEFAULT-VALUE}).")
    String out;

    @Mixin
    TimingOptions timing;

    @Override
    public Integer call() {
        SpeedMeter meter = timing.meter();
        for (int t : threads) if (t < 1) throw new IllegalArgumentException("--threads must be >= 1, found " + t);
        SavedModel d = ModelFile.load(dense), p = ModelFile.load(pruned);
        // A file with channel masks is measured as the model its masks describe: compacted, the form a pruned model
        // is deployed in (its full-size graph would be timed as a dense model with a 1.0x MACs reduction).
        Graph dg = Compactor.compactIfMasked(d, dense), pg = Compactor.compactIfMasked(p, pruned);
        check(d, p, dg, pg);
        dev.whittle.runtime.BackendInfo.current();
        double reduction = (double) dg.macs() / pg.macs();
        List<Map<String, Object>> runs = new ArrayList<>();
        StringBuilder md = new StringBuilder();
        md.append("# Speedup: ")
                .append(pruned)
                .append(" vs ")
                .append(dense)
                .append("\n\n")
                .append(String.format(
                        "%s, %s; load average %s at the start%n%n",
                        MachineInfo.describe(Runtime.getRuntime().availableProcessors()),
                        Instant.now(),
                        ResultFiles.loadAverage()))
                .append(String.format(
                        "| | dense | pruned | |%n|---|---:|---:|---:|%n| params | %,d | %,d | %.2fx fewer |%n"
                                + "| MACs/image | %,d | %,d | %.2fx fewer |%n%n",
                        dg.parameterCount(),
                        pg.parameterCount(),
                        (double) dg.parameterCount() / pg.parameterCount(),
                        dg.macs(),
                        pg.macs(),
                        reduction));
        for (int t : threads) {
            try (Parallel parallel = new Parallel(t)) {
                SpeedComparison s = SpeedComparison.measure(
                        dg, pg, PrunePipeline::copy, parallel, meter, timing.latencyRuns, 64, 128);
                runs.add(SpeedTable.json(s, reduction, "MACs reduction"));
                md.append(SpeedTable.markdown(s, reduction, "MACs reduction")).append("\n");
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put(
                "command",
                "whittle speedup --dense " + dense + " --pruned " + pruned + " --threads " + threads
                        + timing.nonDefaultArgs());
        report.put("date", Instant.now().toString());
        report.put("machine", MachineInfo.describe(Runtime.getRuntime().availableProcessors()));
        report.put("dense", Map.of("file", dense.toString(), "params", dg.parameterCount(), "macs", dg.macs()));
        report.put("pruned", Map.of("file", pruned.toString(), "params", pg.parameterCount(), "macs", pg.macs()));
        report.put("macsReduction", reduction);
        report.put("runs", runs);
        System.out.print(md);
        ResultFiles.write(out, report, md);
        return 0;
    }

    /** Same input and classes, structured pruning only: otherwise the comparison would mean nothing. */
    private void check(SavedModel d, SavedModel p, Graph dg, Graph pg) {
        if (!dg.inputShape().equals(pg.inputShape()) || dg.classes() != pg.classes())
            throw new IllegalArgumentException(String.format(
                    "%s takes %s and predicts %d classes but %s takes %s and predicts %d: not the same task",
                    dense, dg.inputShape(), dg.classes(), pruned, pg.inputShape(), pg.classes()));
        if (!p.weightMasks().isEmpty() || !d.weightMasks().isEmpty())
            throw new IllegalArgumentException((p.weightMasks().isEmpty() ? dense : pruned)
                    + " carries weight-level masks; `speedup` compares structured (filter-pruned) models, whose MACs"
                    + " reduction is what the kernels skip. A weight-level prune run reports its sparse-kernel"
                    + " timing itself.");
        if (pg.macs() > dg.macs())
            throw new IllegalArgumentException(String.format(
                    "%s has more MACs per image (%,d) than %s (%,d): --dense and --pruned look swapped",
                    pruned, pg.macs(), dense, dg.macs()));
    }
}
