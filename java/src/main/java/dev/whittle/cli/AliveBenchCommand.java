package dev.whittle.cli;

import dev.whittle.graph.Graph;
import dev.whittle.measure.SpeedMeter;
import dev.whittle.measure.Stats;
import dev.whittle.measure.Workload;
import dev.whittle.model.Models;
import dev.whittle.prune.ChannelGroup;
import dev.whittle.prune.ChannelGroups;
import dev.whittle.prune.ChannelMasks;
import dev.whittle.prune.Compactor;
import dev.whittle.prune.MaskBinding;
import dev.whittle.prune.PruneTarget;
import dev.whittle.runtime.BackendInfo;
import dev.whittle.runtime.MachineInfo;
import dev.whittle.runtime.Parallel;
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
 * Does training get faster as filters die? Training-step throughput of a masked model (dead filters skipped by
 * the kernels, as during regularization) and of the compacted model, at several alive fractions of every conv
 * group, all workloads interleaved in one process.
 */
@Command(
        name = "bench-alive",
        mixinStandardHelpOptions = true,
        description = "Training step throughput versus alive filter fraction: masked (skipping) and compact models.")
final class AliveBenchCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "vgg_small", description = "Model (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(
            names = "--alive",
            split = ",",
            defaultValue = "1.0,0.75,0.5,0.25",
            description = "Alive fractions (default: ${DEFAULT-VALUE}).")
    List<Double> alive;

    @Option(names = "--batch", defaultValue = "128", description = "Training batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--trials", defaultValue = "5", description = "Interleaved trials (default: ${DEFAULT-VALUE}).")
    int trials;

    @Option(
            names = "--out",
            defaultValue = "bench/results/alive",
            description = "Output prefix (default: ${DEFAULT-VALUE}).")
    String out;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        for (double f : alive) {
            if (!(f > 0 && f <= 1))
                throw new IllegalArgumentException("--alive fractions must be in (0, 1], found " + f);
        }
        Parallel parallel = common.parallel();
        List<Workload> loads = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<Long> macs = new ArrayList<>();
        for (double f : alive) {
            Graph g = Models.byName(model);
            g.initialize(1);
            List<ChannelGroup> groups = ChannelGroups.derive(g);
            ChannelMasks masks = PruneTarget.evenlySpaced(g, groups, f);
            Graph compact = Compactor.compact(g, masks);
            MaskBinding.apply(g, masks);
            loads.add(new Workload(g, Workload.Kind.TRAINING, batch, parallel, 1));
            labels.add("masked " + f);
            macs.add(compact.macs());
            loads.add(new Workload(compact, Workload.Kind.TRAINING, batch, parallel, 1));
            labels.add("compact " + f);
            macs.add(compact.macs());
        }
        SpeedMeter meter = new SpeedMeter(2.0, trials, 1.0);
        meter.warmUp(loads);
        Stats[] s = meter.throughput(loads);
        double base = s[0].median();
        long baseMacs = macs.getFirst();
        StringBuilder md = new StringBuilder();
        md.append("# Training step throughput versus alive filters: ")
                .append(model)
                .append(", batch ")
                .append(batch)
                .append(", ")
                .append(parallel.threads())
                .append(" threads, backend ")
                .append(BackendInfo.current().name())
                .append("\n\n`whittle bench-alive --model ")
                .append(model)
                .append("`, ")
                .append(Instant.now())
                .append(", ")
                .append(MachineInfo.cpuModel())
                .append("\n\n")
                .append(
                        "| model | MACs/image | img/s median (min–max) | speedup vs dense | MACs reduction | efficiency |\n")
                .append("|---|---:|---:|---:|---:|---:|\n");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < loads.size(); i++) {
            double speedup = s[i].median() / base, reduction = (double) baseMacs / macs.get(i);
            md.append(String.format(
                    "| %s | %,d | %,.0f (%,.0f–%,.0f) | %.2fx | %.2fx | %.0f %% |%n",
                    labels.get(i),
                    macs.get(i),
                    s[i].median(),
                    s[i].min(),
                    s[i].max(),
                    speedup,
                    reduction,
                    100 * speedup / reduction));
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("variant", labels.get(i));
            r.put("macsPerImage", macs.get(i));
            r.put("trainImagesPerSecond", s[i]);
            r.put("speedup", speedup);
            r.put("macsReduction", reduction);
            rows.add(r);
        }
        System.out.print(md);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("command", "whittle bench-alive --model " + model);
        report.put("date", Instant.now().toString());
        report.put("machine", MachineInfo.describe(parallel.threads()));
        report.put("batch", batch);
        report.put("results", rows);
        ResultFiles.write(out, report, md);
        return 0;
    }
}
