package dev.whittle.cli;

import dev.whittle.data.Dataset;
import dev.whittle.data.FashionMnist;
import dev.whittle.prune.PrunePipeline;
import dev.whittle.prune.method.MethodConfig;
import dev.whittle.runtime.Parallel;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "The whole story on defaults: train LeNet-5 on Fashion-MNIST, prune it to a quarter of its MACs with"
                        + " growing regularization (GReg-1), compact, fine-tune, and print accuracy and the measured speedup.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "lenet5", description = "Model (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--method", defaultValue = "greg1", description = "Pruning method (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--epochs", defaultValue = "3", description = "Dense training epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            names = "--target-macs",
            defaultValue = "0.25",
            description = "Fraction of MACs to keep (default: ${DEFAULT-VALUE}).")
    double targetMacs;

    @Option(
            names = "--out",
            defaultValue = "runs/demo/demo",
            description = "Output prefix (default: ${DEFAULT-VALUE}).")
    String out;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be >= 1, found " + epochs);
        PrunePipeline.Options opts = new PrunePipeline.Options(
                model,
                method,
                targetMacs,
                Double.NaN,
                Double.NaN,
                1,
                false,
                null,
                epochs,
                2,
                0.01f,
                2,
                0.01f,
                128,
                42,
                true,
                300,
                MethodConfig.defaults());
        Parallel parallel = common.parallel();
        PrunePipeline pipeline = new PrunePipeline(opts, parallel, e -> new ProgressReporter(System.out, e));
        pipeline.validate();
        Dataset train = FashionMnist.train(common.data), test = FashionMnist.test(common.data);
        System.out.printf(
                "demo: %s, %d dense epochs, then %s to %.0f%% of the MACs (2 regularization + 2 fine-tune epochs)%n",
                model, epochs, method, 100 * targetMacs);
        PrunePipeline.Outcome o = pipeline.run(train, test);
        PruneReport.write(o, model, method, "whittle demo", out, parallel);
        var last = o.stages().getLast();
        System.out.printf(
                "%ndemo: dense %.2f%% -> pruned %.2f%% test accuracy, %.2fx fewer MACs",
                100 * o.stages().getFirst().testAccuracy(),
                100 * last.testAccuracy(),
                (double) o.dense().macs() / o.pruned().macs());
        if (o.speed() != null) {
            System.out.printf(
                    ", measured %.2fx faster inference (batch 64) and %.2fx faster training",
                    o.speed().inferSpeedup(), o.speed().trainSpeedup());
        }
        System.out.println();
        return 0;
    }
}
