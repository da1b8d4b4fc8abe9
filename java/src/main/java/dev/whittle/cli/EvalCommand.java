package dev.whittle.cli;

import dev.whittle.data.Dataset;
import dev.whittle.data.FashionMnist;
import dev.whittle.graph.Executor;
import dev.whittle.io.ModelFile;
import dev.whittle.io.SavedModel;
import dev.whittle.train.Evaluator;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = "Test accuracy of a saved model on the Fashion-MNIST test set.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--model-file", required = true, description = "A .whittle model file.")
    Path modelFile;

    @Option(names = "--batch", defaultValue = "256", description = "Evaluation batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        SavedModel m = ModelFile.load(modelFile);
        Dataset test = FashionMnist.test(common.data);
        Executor exec = new Executor(m.graph(), batch, false, common.parallel());
        long start = System.nanoTime();
        Evaluator.Result r = Evaluator.evaluate(exec, test);
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "%s: %s, %,d params, %,d MACs/image%n",
                modelFile,
                m.graph().name(),
                m.graph().parameterCount(),
                m.graph().macs());
        System.out.printf(
                "test accuracy %.2f%% (%,d images), loss %.4f, %.2f s%n",
                100 * r.accuracy(), r.samples(), r.loss(), secs);
        return 0;
    }
}
