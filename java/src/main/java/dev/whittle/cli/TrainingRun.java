package dev.whittle.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.whittle.data.Dataset;
import dev.whittle.data.FashionMnist;
import dev.whittle.graph.Graph;
import dev.whittle.io.ModelFile;
import dev.whittle.io.SavedModel;
import dev.whittle.model.Models;
import dev.whittle.opencl.EngineChoice;
import dev.whittle.runtime.MachineInfo;
import dev.whittle.runtime.Parallel;
import dev.whittle.train.EpochMetrics;
import dev.whittle.train.TrainConfig;
import dev.whittle.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One training run as the CLI does it: data, model, training with progress, model file and metrics JSON. */
final class TrainingRun {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    record Outcome(Graph graph, List<EpochMetrics> history, Path modelFile, Path metricsFile) {
        double finalTestAccuracy() {
            return history.isEmpty() ? Double.NaN : history.getLast().testAccuracy();
        }
    }

    static Outcome run(
            String model,
            TrainConfig cfg,
            Path dataDir,
            Integer limit,
            Parallel parallel,
            Path out,
            String command,
            PrintStream console) {
        return run(model, cfg, dataDir, limit, parallel, null, out, command, console);
    }

    /** As above, with training steps on {@code engines} (null: the CPU). */
    static Outcome run(
            String model,
            TrainConfig cfg,
            Path dataDir,
            Integer limit,
            Parallel parallel,
            EngineChoice engines,
            Path out,
            String command,
            PrintStream console) {
        Dataset train = FashionMnist.train(dataDir);
        Dataset test = FashionMnist.test(dataDir);
        if (limit != null) {
            if (limit <= 0) throw new IllegalArgumentException("--limit must be > 0, found " + limit);
            train = head(train, limit);
        }
        Graph graph = Models.byName(model);
        graph.initialize(cfg.seed());
        console.printf(
                "training %s (%,d params, %,d MACs/image) on %,d images for %d epochs, batch %d, lr %s %s, %d threads%n",
                model,
                graph.parameterCount(),
                graph.macs(),
                train.size(),
                cfg.epochs(),
                cfg.batch(),
                cfg.lr(),
                cfg.schedule(),
                parallel.threads());
        if (engines != null) console.printf("training steps on %s%n", engines.describe());
        long start = System.nanoTime();
        Trainer trainer =
                engines == null ? new Trainer(graph, cfg, parallel) : new Trainer(graph, cfg, engines.factory());
        List<EpochMetrics> history = trainer.fit(train, test, new ProgressReporter(console, cfg.epochs()));
        double seconds = (System.nanoTime() - start) / 1e9;

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("command", command);
        report.put("date", Instant.now().toString());
        report.put("model", model);
        report.put("parameters", graph.parameterCount());
        report.put("macsPerImage", graph.macs());
        report.put("config", cfg);
        report.put("trainImages", train.size());
        report.put("testImages", test.size());
        report.put("machine", MachineInfo.describe(parallel.threads()));
        report.put("trainingBackend", engines == null ? "cpu" : engines.describe());
        report.put("seconds", seconds);
        report.put(
                "finalTestAccuracy",
                history.isEmpty() ? null : history.getLast().testAccuracy());
        report.put("epochs", history);
        Path metrics = out.resolveSibling(stripExtension(out.getFileName().toString()) + ".json");
        try {
            String meta = JSON.writeValueAsString(report);
            ModelFile.save(SavedModel.dense(graph, meta), out);
            Files.writeString(metrics, meta);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + metrics + ": " + e.getMessage(), e);
        }
        console.printf("saved model to %s and metrics to %s (%.1f s)%n", out, metrics, seconds);
        return new Outcome(graph, history, out, metrics);
    }

    static Dataset head(Dataset d, int n) {
        int k = Math.min(n, d.size());
        float[] x = java.util.Arrays.copyOf(d.images(), k * d.imageSize());
        int[] y = java.util.Arrays.copyOf(d.labels(), k);
        return new Dataset(d.name() + "[:" + k + "]", k, d.channels(), d.height(), d.width(), d.classes(), x, y);
    }

    static String stripExtension(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
