package dev.whittle.cli;

import dev.whittle.data.Dataset;
import dev.whittle.data.FashionMnist;
import dev.whittle.opencl.EngineChoice;
import dev.whittle.prune.PrunePipeline;
import dev.whittle.prune.method.MethodConfig;
import dev.whittle.prune.method.PruningMethods;
import dev.whittle.runtime.Parallel;
import java.nio.file.Path;
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
                    "l1, slimming, greg1, greg2, increg, progressive, l0-filter (filters); magnitude, l0, greg1-weight (weights)")
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

    @Option(
            names = "--save-masked",
            description =
                    "Also write <out>-masked.whittle: the masked model at removal (before compaction, BN re-estimation and fine-tuning) with its channel masks, for `whittle compact` (filter methods).")
    boolean saveMasked;

    @Option(
            names = "--method-option",
            paramLabel = "NAME=VALUE",
            description =
                    "Set a method knob (repeatable), e.g. l0FilterLambda=0.5, progPenalty=weights; names and defaults in MethodConfig's doc.")
    Map<String, String> methodOptions = new LinkedHashMap<>();

    @Mixin
    CommonOptions common;

    @Mixin
    BackendOption backendOption;

    @Override
    public Integer call() {
        // picocli parses "NaN" and "Infinity" as doubles; an unset option is NaN inside the pipeline, so a NaN
        // given on purpose must be refused here rather than silently read as "not given".
        finite("--target-macs", targetMacs);
        finite("--ratio", ratio);
        finite("--sparsity", sparsity);
        if (saveMasked && PruningMethods.WEIGHT_LEVEL.contains(method))
            throw new IllegalArgumentException("--save-masked is for filter methods (it saves channel masks); '"
                    + method + "' prunes weights and already saves its weight masks in <out>.whittle (model file v2)");
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
                latencyRuns,
                MethodConfig.defaults().with(methodOptions));
        Parallel parallel = common.parallel();
        EngineChoice.checkName(backendOption.backend);
        // The device opens only after every input was checked, so a bad option fails at once.
        EngineChoice[] engines = new EngineChoice[1];
        PrunePipeline pipeline = new PrunePipeline(
                opts, parallel, epochs -> new ProgressReporter(System.out, epochs), (g, c) -> engines[0]
                        .factory()
                        .create(g, c));
        pipeline.validate(); // every input error surfaces before data loading and training
        try (EngineChoice chosen = backendOption.open(parallel)) {
            engines[0] = chosen;
            System.out.printf("training steps on %s%n", chosen.describe());
            run(pipeline, parallel);
        }
        return 0;
    }

    private void run(PrunePipeline pipeline, Parallel parallel) {
        Dataset train = FashionMnist.train(common.data), test = FashionMnist.test(common.data);
        if (limit != null) train = TrainingRun.head(train, limit);
        PrunePipeline.Outcome o = pipeline.run(train, test);
        String command = "whittle prune --model " + model + " --method " + method
                + (targetMacs != null ? " --target-macs " + targetMacs : "")
                + (ratio != null ? " --ratio " + ratio : "")
                + (sparsity != null ? " --sparsity " + sparsity : "") + " --reg-epochs " + regEpochs + " --epochs "
                + fineTuneEpochs
                + (from != null ? " --from " + from : " --dense-epochs " + denseEpochs) + " --seed " + seed;
        for (Map.Entry<String, String> e : methodOptions.entrySet())
            command += " --method-option " + e.getKey() + "=" + e.getValue();
        PruneReport.write(
                o,
                model,
                method,
                command,
                out != null ? out : "runs/prune-" + model + "-" + method,
                parallel,
                saveMasked);
    }

    private static void finite(String option, Double d) {
        if (d != null && !Double.isFinite(d))
            throw new IllegalArgumentException(option + " must be a finite number, found " + d);
    }

    private static double nan(Double d) {
        return d == null ? Double.NaN : d;
    }
}
