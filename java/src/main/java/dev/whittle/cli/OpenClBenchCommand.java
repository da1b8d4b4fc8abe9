package dev.whittle.cli;

import dev.whittle.graph.Graph;
import dev.whittle.measure.Stats;
import dev.whittle.model.Models;
import dev.whittle.nativebind.opencl.ClKernelTime;
import dev.whittle.opencl.DeviceStepEngine;
import dev.whittle.opencl.OpenClSession;
import dev.whittle.prune.ChannelGroup;
import dev.whittle.prune.ChannelGroups;
import dev.whittle.prune.ChannelMasks;
import dev.whittle.prune.Compactor;
import dev.whittle.prune.PruneTarget;
import dev.whittle.runtime.MachineInfo;
import dev.whittle.train.StepEngine;
import dev.whittle.train.TrainConfig;
import dev.whittle.train.Trainer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Dense versus compact (a uniform fraction of every prunable group's filters removed) on the OpenCL device: device
 * time per kernel from profiling events, then end-to-end training-step and inference times, measured
 * interleaved (dense, compact, dense, …) after a warm-up that excludes program builds and first enqueues. Reports
 * speedup (dense time / compact time) beside the MACs reduction and their ratio, the speedup efficiency.
 */
@Command(
        name = "bench-opencl",
        mixinStandardHelpOptions = true,
        description = "OpenCL dense vs compact: per-kernel device time and end-to-end step/inference time, speedup,"
                + " efficiency; writes <out>.md and <out>.json.")
final class OpenClBenchCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "lenet5", description = "Model (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(
            names = "--keep",
            defaultValue = "0.5",
            description = "Fraction of filters kept in every prunable group (default: ${DEFAULT-VALUE}).")
    double keep;

    @Option(names = "--batch", defaultValue = "128", description = "Training batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--infer-batch", defaultValue = "64", description = "Inference batch (default: ${DEFAULT-VALUE}).")
    int inferBatch;

    @Option(names = "--trials", defaultValue = "3", description = "Interleaved trials (default: ${DEFAULT-VALUE}).")
    int trials;

    @Option(names = "--steps", defaultValue = "3", description = "Steps per trial (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(
            names = "--out",
            defaultValue = "bench/results/opencl",
            description = "Output prefix (default: ${DEFAULT-VALUE}).")
    String out;

    private record Variant(String name, Graph graph, StepEngine engine) {}

    @Override
    public Integer call() {
        if (!(keep > 0 && keep < 1)) throw new IllegalArgumentException("--keep must be in (0, 1), found " + keep);
        if (trials < 1 || steps < 1) throw new IllegalArgumentException("--trials and --steps must be >= 1");
        if (inferBatch < 1 || inferBatch > batch)
            throw new IllegalArgumentException(
                    "--infer-batch must be in 1..--batch (" + batch + "), found " + inferBatch);
        Graph dense = Models.byName(model);
        dense.initialize(1);
        Graph compact = compact(dense, keep);
        String[] why = {""};
        OpenClSession session = OpenClSession.tryOpen(r -> why[0] = r)
                .orElseThrow(() -> new IllegalArgumentException("bench-opencl needs an OpenCL device: " + why[0]));
        try (session) {
            TrainConfig cfg = new TrainConfig(1, batch, 1e-3f, "constant", 0.9f, 5e-4f, false, 1);
            List<Variant> vs = new ArrayList<>();
            try {
                vs.add(new Variant("dense", dense, new DeviceStepEngine(session, dense, cfg)));
                vs.add(new Variant("compact", compact, new DeviceStepEngine(session, compact, cfg)));
                return measure(session, vs);
            } finally {
                for (Variant v : vs) v.engine.close();
            }
        }
    }

    /** The model with the first ⌈keep·C⌉-spread filters of every eligible group kept, physically removed. */
    static Graph compact(Graph g, double keep) {
        List<ChannelGroup> groups = ChannelGroups.derive(g);
        int[] k = PruneTarget.uniform(g, groups, 1 - keep, 1, false);
        ChannelMasks masks = new ChannelMasks(groups);
        for (ChannelGroup grp : groups) {
            if (k[grp.id()] == grp.channels()) continue;
            boolean[] a = new boolean[grp.channels()];
            for (int i = 0; i < k[grp.id()]; i++) a[i * grp.channels() / k[grp.id()]] = true;
            masks.set(grp.id(), a);
        }
        return Compactor.compact(g, masks);
    }

    private int measure(OpenClSession session, List<Variant> vs) {
        int imageSize = vs.getFirst().graph.inputShape().size(),
                classes = vs.getFirst().graph.classes();
        SplittableRandom r = new SplittableRandom(7);
        float[] x = new float[batch * imageSize];
        int[] y = new int[batch];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        for (int i = 0; i < batch; i++) y[i] = r.nextInt(classes);
        // Warm-up: program builds happened when the session opened; first enqueues compile work-group functions.
        for (Variant v : vs) {
            for (int i = 0; i < 2; i++) {
                v.engine.step(x, y, batch, 1e-3f, i, Trainer.Hooks.NONE);
                v.engine.infer(x, inferBatch);
            }
        }
        // Per-kernel device time: profiling waits for every kernel, so it runs apart from the wall-clock trials.
        List<Map<String, ClKernelTime>> kernelTimes = new ArrayList<>(), inferTimes = new ArrayList<>();
        session.kernels().setProfiling(true);
        for (Variant v : vs) {
            session.kernels().resetKernelTimes();
            for (int i = 0; i < steps; i++) v.engine.step(x, y, batch, 1e-3f, i, Trainer.Hooks.NONE);
            kernelTimes.add(new LinkedHashMap<>(session.kernels().kernelTimes()));
            session.kernels().resetKernelTimes();
            for (int i = 0; i < steps; i++) v.engine.infer(x, inferBatch);
            inferTimes.add(new LinkedHashMap<>(session.kernels().kernelTimes()));
        }
        session.kernels().setProfiling(false);
        session.kernels().resetKernelTimes();
        // End to end, interleaved: dense, compact, dense, … so drift on a shared machine hits both alike.
        double[][] train = new double[vs.size()][trials], infer = new double[vs.size()][trials];
        for (int t = 0; t < trials; t++) {
            for (int i = 0; i < vs.size(); i++) {
                StepEngine e = vs.get(i).engine;
                long t0 = System.nanoTime();
                for (int s = 0; s < steps; s++) e.step(x, y, batch, 1e-3f, s, Trainer.Hooks.NONE);
                // A step returns once its loss is read; its backward and update are still queued. Wait for them
                // here, or the next timed call (inference) would pay for them.
                session.context().finish();
                train[i][t] = (System.nanoTime() - t0) / 1e6 / steps;
                t0 = System.nanoTime();
                for (int s = 0; s < steps; s++) e.infer(x, inferBatch);
                infer[i][t] = (System.nanoTime() - t0) / 1e6 / steps;
            }
        }
        Stats trainDense = Stats.of(train[0]), trainCompact = Stats.of(train[1]);
        Stats inferDense = Stats.of(infer[0]), inferCompact = Stats.of(infer[1]);
        long macsDense = vs.get(0).graph.macs(), macsCompact = vs.get(1).graph.macs();
        double reduction = (double) macsDense / macsCompact;
        double trainSpeedup = trainDense.median() / trainCompact.median();
        double inferSpeedup = inferDense.median() / inferCompact.median();
        String command = String.format(
                "whittle bench-opencl --model %s --keep %s --batch %d --infer-batch %d --trials %d --steps %d",
                model, keep, batch, inferBatch, trials, steps);

        StringBuilder md = new StringBuilder();
        md.append("# OpenCL: dense vs compact ").append(model).append("\n\n");
        md.append("`").append(command).append("`, ").append(Instant.now()).append("\n\n");
        md.append("- device: ").append(session.describe()).append("\n");
        md.append("- host CPU: ")
                .append(MachineInfo.cpuModel())
                .append("; JDK ")
                .append(System.getProperty("java.vm.vendor"))
                .append(' ')
                .append(System.getProperty("java.runtime.version"))
                .append("\n");
        md.append("- tuning: ").append(session.kernels().tuning()).append("\n");
        String wgMethod = System.getenv().getOrDefault("POCL_WORK_GROUP_METHOD", "(unset: driver default)");
        md.append("- POCL_WORK_GROUP_METHOD: ").append(wgMethod).append("\n");
        String load = ResultFiles.loadAverage();
        md.append("- 1-minute load average at the end: ")
                .append(load)
                .append(" on ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores (this run itself keeps about one busy; more means other work competed)\n");
        md.append(String.format(
                "- MACs/image: dense %,d, compact %,d (%.0f %% of filters kept per group) → **MACs reduction %.2fx**;"
                        + " parameters %,d → %,d%n",
                macsDense,
                macsCompact,
                100 * keep,
                reduction,
                vs.get(0).graph.parameterCount(),
                vs.get(1).graph.parameterCount()));
        md.append(String.format(
                "- %d interleaved trials of %d steps each after 2 warm-up steps; medians (min–max)%n%n",
                trials, steps));
        md.append("| end to end | dense ms | compact ms | dense img/s | compact img/s | speedup | efficiency |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|\n");
        row(md, "training step, batch " + batch, trainDense, trainCompact, batch, reduction);
        row(md, "inference, batch " + inferBatch, inferDense, inferCompact, inferBatch, reduction);
        md.append("\nDevice time per training step (batch " + batch + ") by kernel (profiling events, " + steps
                + " steps each, mean):\n\n");
        List<Map<String, Object>> kernelRows = kernelTable(md, kernelTimes, steps);
        md.append("\nDevice time per inference call (batch " + inferBatch + ") by kernel:\n\n");
        List<Map<String, Object>> inferRows = kernelTable(md, inferTimes, steps);
        System.out.print(md);

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("command", command);
        report.put("date", Instant.now().toString());
        report.put("device", session.describe());
        report.put("tuning", session.kernels().tuning().toString());
        report.put("poclWorkGroupMethod", wgMethod);
        report.put("loadAverage1m", load);
        report.put("machine", MachineInfo.describe(Runtime.getRuntime().availableProcessors()));
        report.put("model", model);
        report.put("keep", keep);
        report.put("macsDense", macsDense);
        report.put("macsCompact", macsCompact);
        report.put("macsReduction", reduction);
        report.put("trainBatch", batch);
        report.put("trainStepMsDense", trainDense);
        report.put("trainStepMsCompact", trainCompact);
        report.put("trainSpeedup", trainSpeedup);
        report.put("trainEfficiency", trainSpeedup / reduction);
        report.put("inferBatch", inferBatch);
        report.put("inferMsDense", inferDense);
        report.put("inferMsCompact", inferCompact);
        report.put("inferSpeedup", inferSpeedup);
        report.put("inferEfficiency", inferSpeedup / reduction);
        report.put("kernelDeviceMsPerStep", kernelRows);
        report.put("kernelDeviceMsPerInference", inferRows);
        ResultFiles.write(out, report, md);
        return 0;
    }

    private static void row(StringBuilder md, String what, Stats d, Stats c, int images, double reduction) {
        double speedup = d.median() / c.median();
        md.append(String.format(
                "| %s | %.2f (%.2f–%.2f) | %.2f (%.2f–%.2f) | %,.0f | %,.0f | %.2fx | %.0f %% |%n",
                what,
                d.median(),
                d.min(),
                d.max(),
                c.median(),
                c.min(),
                c.max(),
                images * 1000 / d.median(),
                images * 1000 / c.median(),
                speedup,
                100 * speedup / reduction));
    }

    /** Appends a dense-vs-compact table of device ms per call and returns its rows for the JSON. */
    private static List<Map<String, Object>> kernelTable(
            StringBuilder md, List<Map<String, ClKernelTime>> times, int calls) {
        md.append("| kernel | dense ms | compact ms | speedup |\n|---|---:|---:|---:|\n");
        Set<String> names = new LinkedHashSet<>(times.get(0).keySet());
        names.addAll(times.get(1).keySet());
        List<Map<String, Object>> rows = new ArrayList<>();
        double totD = 0, totC = 0;
        for (String n : names) {
            double d = ms(times.get(0).get(n)) / calls, c = ms(times.get(1).get(n)) / calls;
            totD += d;
            totC += c;
            md.append(
                    String.format("| %s | %.3f | %.3f | %s |%n", n, d, c, c > 0 ? String.format("%.2fx", d / c) : "–"));
            Map<String, Object> kr = new LinkedHashMap<>();
            kr.put("kernel", n);
            kr.put("denseMs", d);
            kr.put("compactMs", c);
            rows.add(kr);
        }
        md.append(String.format("| **all kernels** | %.3f | %.3f | %.2fx |%n", totD, totC, totD / totC));
        return rows;
    }

    private static double ms(ClKernelTime t) {
        return t == null ? 0 : t.nanos() / 1e6;
    }
}
