package dev.whittle.bench;

import dev.whittle.graph.Graph;
import dev.whittle.io.ModelFile;
import dev.whittle.io.SavedModel;
import dev.whittle.model.Models;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a reference model and a copy with other channel widths as {@code .whittle} files, freshly initialised, so
 * that {@code ./whittle speedup} can time a pruned shape against its dense model without a training run first:
 * speed depends on the shapes, not on the weights' values. A compacted pruned model of the same widths times the
 * same.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.whittle.bench.WidthModels \
 *     model=vgg_small widths=16,16,31,31,63,63 out=/tmp/widths
 * ./whittle speedup --dense /tmp/widths/vgg_small.whittle --pruned /tmp/widths/vgg_small-16,16,31,31,63,63.whittle
 * </pre>
 */
public final class WidthModels {
    private WidthModels() {}

    public static void main(String[] args) throws java.io.IOException {
        KeyValueArgs a = new KeyValueArgs(args, "model", "widths", "out", "seed");
        String model = a.get("model", "vgg_small"), widths = a.get("widths", null);
        if (widths == null) throw new IllegalArgumentException("widths= expected, e.g. widths=16,16,31,31,63,63");
        Path out = Path.of(a.get("out", "."));
        Files.createDirectories(out);
        int seed = a.getInt("seed", 42);
        Graph dense = Models.byName(model), narrow = LayerProfile.withWidths(model, widths);
        dense.initialize(seed);
        narrow.initialize(seed);
        Path d = out.resolve(model + ".whittle"), p = out.resolve(model + "-" + widths + ".whittle");
        ModelFile.save(SavedModel.dense(dense, "{}"), d);
        ModelFile.save(SavedModel.dense(narrow, "{}"), p);
        System.out.println("wrote " + d + " and " + p);
    }
}
