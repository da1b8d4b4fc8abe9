package dev.whittle.cli;

import dev.whittle.opencl.EngineChoice;
import dev.whittle.runtime.Parallel;
import dev.whittle.train.TrainConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Train a reference model on Fashion-MNIST; writes the model file and a metrics JSON beside it.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "lenet5, vgg_small or resnet20")
    String model;

    @Option(names = "--epochs", defaultValue = "30", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "0.05", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(
            names = "--schedule",
            defaultValue = "cosine",
            description = "cosine (per iteration, to 0), constant, or step:EPOCHS:GAMMA (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--batch", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    float momentum;

    @Option(
            names = "--weight-decay",
            defaultValue = "5e-4",
            description = "Weight decay on all parameters (default: ${DEFAULT-VALUE}).")
    float weightDecay;

    @Option(names = "--nesterov", description = "Use Nesterov momentum.")
    boolean nesterov;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Seed for initialisation and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--limit", description = "Train on only the first N training images (quick runs).")
    Integer limit;

    @Option(
            names = "--out",
            description =
                    "Model file to write (default: runs/<model>.whittle); metrics go to the same name with .json.")
    Path out;

    @Mixin
    CommonOptions common;

    @Mixin
    BackendOption backendOption;

    @Override
    public Integer call() {
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be >= 1, found " + epochs);
        TrainConfig cfg = new TrainConfig(epochs, batch, lr, schedule, momentum, weightDecay, nesterov, seed);
        Path file = out != null ? out : Path.of("runs", model + ".whittle");
        String command = String.format(
                "whittle train --model %s --epochs %d --lr %s --schedule %s --batch %d --seed %d",
                model, epochs, lr, schedule, batch, seed);
        Parallel parallel = common.parallel();
        try (EngineChoice engines = backendOption.open(parallel)) {
            TrainingRun.run(model, cfg, common.data, limit, parallel, engines, file, command, System.out);
        }
        return 0;
    }
}
