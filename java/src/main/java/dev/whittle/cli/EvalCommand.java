package dev.whittle.cli;

import dev.whittle.data.Dataset;
import dev.whittle.data.FashionMnist;
import dev.whittle.graph.Executor;
import dev.whittle.io.ModelFile;
import dev.whittle.io.SavedModel;
import dev.whittle.opencl.DeviceInference;
import dev.whittle.opencl.EngineChoice;
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

    @Option(
            names = "--backend",
            description = "Where inference runs: cpu or opencl (default: opencl under -Dwhittle.backend=opencl, else"
                    + " cpu). Without an OpenCL device, opencl logs one line and evaluates on the cpu.")
    String backend;

    @Override
    public Integer call() {
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, found " + batch);
        try (EngineChoice engines = EngineChoice.open(backend, common.parallel())) {
            SavedModel m = ModelFile.load(modelFile);
            Dataset test = FashionMnist.test(common.data);
            long start = System.nanoTime();
            Evaluator.Result r;
            if (engines.session().isPresent()) {
                try (DeviceInference dev = new DeviceInference(engines.session().get(), m.graph(), batch)) {
                    r = Evaluator.evaluate(dev, batch, m.graph().classes(), test);
                }
            } else {
                r = Evaluator.evaluate(new Executor(m.graph(), batch, false, common.parallel()), test);
            }
            double secs = (System.nanoTime() - start) / 1e9;
            report(m, r, secs, engines.describe());
        }
        return 0;
    }

    private void report(SavedModel m, Evaluator.Result r, double secs, String where) {
        System.out.printf(
                "%s: %s, %,d params, %,d MACs/image%n",
                modelFile,
                m.graph().name(),
                m.graph().parameterCount(),
                m.graph().macs());
        System.out.printf(
                "test accuracy %.2f%% (%,d images), loss %.4f, %.2f s%n",
                100 * r.accuracy(), r.samples(), r.loss(), secs);
        System.out.printf("evaluated on %s%n", where);
    }
}
