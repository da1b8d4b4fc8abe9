package dev.whittle.cli;

import dev.whittle.io.ModelFile;
import dev.whittle.io.SavedModel;
import dev.whittle.prune.PrunePipeline;
import dev.whittle.prune.SparseInference;
import dev.whittle.prune.method.PruningMethods;
import dev.whittle.runtime.MachineInfo;
import dev.whittle.runtime.Parallel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Prints and writes a pruning run's report: model file, JSON and Markdown with accuracy per stage and measured speed. */
final class PruneReport {
    private PruneReport() {}

    static void write(
            PrunePipeline.Outcome o, String model, String method, String command, String prefix, Parallel parallel) {
        write(o, model, method, command, prefix, parallel, false);
    }

    static void write(
            PrunePipeline.Outcome o,
            String model,
            String method,
            String command,
            String prefix,
            Parallel parallel,
            boolean saveMasked) {
        // Weight-level methods keep every channel, so the dense MACs reduction is 1.00x and dividing a speedup by it
        // overstates efficiency; the work a zero-skipping kernel must do is the nonzero-weight MACs.
        boolean weightLevel = PruningMethods.WEIGHT_LEVEL.contains(method);
        double reduction = weightLevel
                ? o.dense().macs() / SparseInference.nonzeroMacs(o.pruned())
                : (double) o.dense().macs() / o.pruned().macs();
        String reductionName = weightLevel ? "nonzero-weight MACs reduction" : "MACs reduction";
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("command", command);
        r.put("date", Instant.now().toString());
        r.put("machine", MachineInfo.describe(parallel.threads()));
        r.put("model", model);
        r.put("method", method);
        r.put("denseParams", o.dense().parameterCount());
        r.put("prunedParams", o.pruned().parameterCount());
        r.put("denseMacs", o.dense().macs());
        r.put("prunedMacs", o.pruned().macs());
        r.put("macsReduction", (double) o.dense().macs() / o.pruned().macs());
        if (weightLevel) r.put("nonzeroMacsReduction", reduction);
        r.put("weightSparsity", o.weightSparsity());
        r.put("keptChannels", o.keepPerGroup());
        r.put("stages", o.stages());
        r.put("speed", o.speed() == null ? null : SpeedTable.json(o.speed(), reduction, reductionName));
        if (weightLevel) {
            r.put("sparseLayers", o.sparseLayers());
            r.put("sparseLayersBatch1", o.sparseLayersBatch1());
        }
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
        if (weightLevel)
            md.append(String.format(
                    "| MACs on nonzero weights | %,d | %,.0f | %.2fx fewer |%n",
                    o.dense().macs(), SparseInference.nonzeroMacs(o.pruned()), reduction));
        md.append("\n| stage | test accuracy |\n|---|---:|\n");
        for (var s : o.stages()) md.append(String.format("| %s | %.2f %% |%n", s.name(), 100 * s.testAccuracy()));
        if (o.speed() != null) {
            md.append("\n").append(SpeedTable.markdown(o.speed(), reduction, reductionName));
            if (weightLevel) {
                long sparseCount = o.sparseLayers().stream()
                        .filter(SparseInference.Decision::sparse)
                        .count();
                long sparseCount1 = o.sparseLayersBatch1().stream()
                        .filter(SparseInference.Decision::sparse)
                        .count();
                md.append(String.format(
                        "The pruned model keeps every channel; it was timed with the sparse-weight kernels on the"
                                + " conv/linear layers whose density was below the break-even measured for the batch"
                                + " being timed: %d of %d layers at batch 1 (`sparseLayersBatch1` in the JSON), %d of"
                                + " %d at the batch-64 per-thread batch (`sparseLayers`); dense kernels elsewhere."
                                + " Training steps always run dense.%n",
                        sparseCount1,
                        o.sparseLayersBatch1().size(),
                        sparseCount,
                        o.sparseLayers().size()));
            }
        }
        System.out.println();
        System.out.print(md);
        try {
            String json = TrainingRun.JSON.writeValueAsString(r);
            Path base = Path.of(prefix);
            if (base.toAbsolutePath().getParent() != null)
                Files.createDirectories(base.toAbsolutePath().getParent());
            // Weight-level results carry their masks: model file v2 stores them as bitmap + kept values.
            ModelFile.save(
                    new SavedModel(o.pruned(), Map.of(), json, o.result().weights()), Path.of(prefix + ".whittle"));
            if (saveMasked && o.masked() != null)
                ModelFile.save(
                        new SavedModel(o.masked(), o.result().channels().named(), json),
                        Path.of(prefix + "-masked.whittle"));
            Files.writeString(Path.of(prefix + ".json"), json);
            Files.writeString(Path.of(prefix + ".md"), md.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + prefix + ".json: " + e.getMessage(), e);
        }
        System.out.printf("%nwrote %s.whittle, %s.json and %s.md%n", prefix, prefix, prefix);
        if (saveMasked && o.masked() != null)
            System.out.printf(
                    "wrote %s-masked.whittle (masked, uncompacted, at removal; `whittle compact --from` rebuilds the compact model)%n",
                    prefix);
    }
}
