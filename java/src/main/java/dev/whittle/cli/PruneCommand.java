package dev.whittle.cli;

import dev.whittle.data.Dataset;
import dev.whittle.data.FashionMnist;
import dev.whittle.io.ModelFile;
import dev.whittle.io.SavedModel;
import dev.whittle.measure.SpeedComparison;
import dev.whittle.prune.PrunePipeline;
import dev.whittle.runtime.MachineInfo;
import dev.whittle.runtime.Parallel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "prune",
        mixinStandardHelpOptions = true,
        description =
                "Train (or load) a dense model, prune it with a method, compact, fine-tune, and report accuracy at every stage and the measured speedup.")
final class PruneCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "lenet5, vgg_small or resnet20")
    String model;

    @Option(
            names = "--method",
            required = true,
            description =
                    "l1, slimming, greg1, greg2, increg, progressive, l0-filter (filters); magnitude, l0 (weights)")
    String method;

    @Option(
            names = "--target-macs",
            description = "Keep this fraction of the dense MACs, e.g. 0.25 for a 4x reduction (filter methods).")
    Double targetMacs;

    @Option(names = "--ratio", description = "Prune this fraction of every eligible group instead (filter methods).")
    Double ratio;

    @Option(names = "--sparsity", description = "Fraction of conv/linear weights to remove (weight-level methods).")
    Double sparsity;

    @Option(
            names = "--round-to",
            defaultValue = "1",
            description = "Round kept channels up to a multiple of this (default: ${DEFAULT-VALUE}).")
    int roundTo;

    @Option(
            names = "--residual",
            description = "Also prune residual streams (every conv writing into one sum, jointly).")
    boolean residual;

    @Option(names = "--from", description = "Start from this dense model file instead of training one.")
    Path from;

    @Option(
            names = "--dense-epochs",
            defaultValue = "10",
            description = "Epochs of dense training when no --from is given (default: ${DEFAULT-VALUE}).")
    int denseEpochs;

    @Option(
            names = "--reg-epochs",
            defaultValue = "3",
            description = "Budget of the regularization phase in epochs (default: ${DEFAULT-VALUE}).")
    int regEpochs;

    @Option(
            names = "--reg-lr",
            defaultValue = "0.01",
            description = "Constant learning rate during regularization (default: ${DEFAULT-VALUE}).")
    float regLr;

    @Option(
            names = "--epochs",
            defaultValue = "5",
            description = "Fine-tuning epochs after removal (default: ${DEFAULT-VALUE}).")
    int fineTuneEpochs;

    @Option(
            names = "--lr",
            defaultValue = "0.01",
            description = "Peak fine-tuning learning rate, cosine (default: ${DEFAULT-VALUE}).")
    float fineTuneLr;

    @Option(names = "--batch", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seed", defaultValue = "42", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-speed", description = "Skip the speed measurement.")
    boolean noSpeed;

    @Option(
            names = "--latency-runs",
            defaultValue = "300",
            description = "Batch-1 calls timed per model (default: ${DEFAULT-VALUE}).")
    int latencyRuns;

    @Option(names = "--limit", description = "Use only the first N training images (quick runs).")
    Integer limit;

    @Option(
            names = "--out",
            description = "Output prefix (default: runs/prune-<model>-<method>); writes .whittle, .json and .md.")
    String out;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        PrunePipeline.Options opts = new PrunePipeline.Options(
                model,
                method,
                nan(targetMacs),
                nan(ratio),
                nan(sparsity),
                roundTo,
                residual,
                from,
                denseEpochs,
                regEpochs,
                regLr,
                fineTuneEpochs,
                fineTuneLr,
                batch,
                seed,
                !noSpeed,
                latencyRuns);
        Parallel parallel = common.parallel();
        PrunePipeline pipeline = new PrunePipeline(opts, parallel, epochs -> new ProgressReporter(System.out, epochs));
        pipeline.validate(); // every input error surfaces before data loading and training
        Dataset train = FashionMnist.train(common.data), test = FashionMnist.test(common.data);
        if (limit != null) train = TrainingRun.head(train, limit);
        PrunePipeline.Outcome o = pipeline.run(train, test);
        report(o, parallel);
        return 0;
    }

    private static double nan(Double d) {
        return d == null ? Double.NaN : d;
    }

    private void report(PrunePipeline.Outcome o, Parallel parallel) {
        String prefix = out != null ? out : "runs/prune-" + model + "-" + method;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put(
                "command",
                "whittle prune --model " + model + " --method " + method
                        + (targetMacs != null ? " --target-macs " + targetMacs : "")
                        + (ratio != null ? " --ratio " + ratio : "")
                        + (sparsity != null ? " --sparsity " + sparsity : "") + " --reg-epochs " + regEpochs
                        + " --epochs " + fineTuneEpochs
                        + (from != null ? " --from " + from : " --dense-epochs " + denseEpochs) + " --seed " + seed);
        r.put("date", Instant.now().toString());
        r.put("machine", MachineInfo.describe(parallel.threads()));
        r.put("model", model);
        r.put("method", method);
        r.put("denseParams", o.dense().parameterCount());
        r.put("prunedParams", o.pruned().parameterCount());
        r.put("denseMacs", o.dense().macs());
        r.put("prunedMacs", o.pruned().macs());
        r.put("macsReduction", (double) o.dense().macs() / o.pruned().macs());
        r.put("weightSparsity", o.weightSparsity());
        r.put("keptChannels", o.keepPerGroup());
        r.put("stages", o.stages());
        r.put("speed", o.speed() == null ? null : speedMap(o.speed()));
        r.put("methodLog", o.methodLog());
        StringBuilder md = new StringBuilder();
        md.append("# Prune ")
                .append(model)
                .append(" with ")
                .append(method)
                .append("\n\n`")
                .append(r.get("command"))
                .append("`\n\n");
        md.append(String.format(
                "| | dense | pruned | |%n|---|---:|---:|---:|%n| params | %,d | %,d | %.2fx fewer |%n| MACs/image | %,d | %,d | %.2fx fewer |%n",
                o.dense().parameterCount(),
                o.pruned().parameterCount(),
                (double) o.dense().parameterCount() / o.pruned().parameterCount(),
                o.dense().macs(),
                o.pruned().macs(),
                (double) o.dense().macs() / o.pruned().macs()));
        md.append("\n| stage | test accuracy |\n|---|---:|\n");
        for (var s : o.stages()) md.append(String.format("| %s | %.2f %% |%n", s.name(), 100 * s.testAccuracy()));
        if (o.speed() != null) {
            SpeedComparison s = o.speed();
            md.append(String.format(
                    "%n| measured (%d threads, median, min–max) | dense | pruned | speedup | efficiency |%n|---|---:|---:|---:|---:|%n",
                    s.threads()));
            md.append(String.format(
                    "| latency b1 p50 (ms) | %.3f | %.3f | %.2fx | %.0f %% |%n",
                    s.denseLatencyMs().median(),
                    s.prunedLatencyMs().median(),
                    s.latencySpeedup(),
                    100 * s.latencyEfficiency()));
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
                    100 * s.inferEfficiency()));
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
                    100 * s.trainEfficiency()));
            md.append(String.format(
                    "%nMACs reduction %.2fx; efficiency = measured speedup / MACs reduction.%n", s.macsReduction()));
        }
        System.out.println();
        System.out.print(md);
        try {
            String json = TrainingRun.JSON.writeValueAsString(r);
            Path base = Path.of(prefix);
            if (base.toAbsolutePath().getParent() != null)
                Files.createDirectories(base.toAbsolutePath().getParent());
            ModelFile.save(SavedModel.dense(o.pruned(), json), Path.of(prefix + ".whittle"));
            Files.writeString(Path.of(prefix + ".json"), json);
            Files.writeString(Path.of(prefix + ".md"), md.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + prefix + ".json: " + e.getMessage(), e);
        }
        System.out.printf("%nwrote %s.whittle, %s.json and %s.md%n", prefix, prefix, prefix);
    }

    private static Map<String, Object> speedMap(SpeedComparison s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("threads", s.threads());
        m.put("macsReduction", s.macsReduction());
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
        m.put("latencyEfficiency", s.latencyEfficiency());
        m.put("inferEfficiency", s.inferEfficiency());
        m.put("trainEfficiency", s.trainEfficiency());
        return m;
    }
}
