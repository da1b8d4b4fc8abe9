package dev.whittle.cli;

import dev.whittle.train.TrainConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "The main job on defaults: train LeNet-5 on Fashion-MNIST for a few epochs and report its test accuracy.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--epochs", defaultValue = "3", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            names = "--out",
            defaultValue = "runs/demo/lenet5.whittle",
            description = "Model file (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be >= 1, found " + epochs);
        TrainConfig cfg = TrainConfig.recipe(epochs);
        TrainingRun.Outcome o = TrainingRun.run(
                "lenet5",
                cfg,
                common.data,
                null,
                common.parallel(),
                out,
                "whittle demo --epochs " + epochs,
                System.out);
        System.out.printf(
                "%ndemo: LeNet-5 after %d epochs reaches %.2f%% test accuracy on Fashion-MNIST (%s)%n",
                epochs, 100 * o.finalTestAccuracy(), o.modelFile());
        return 0;
    }
}
