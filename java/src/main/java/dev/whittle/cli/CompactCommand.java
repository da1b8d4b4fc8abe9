package dev.whittle.cli;

import dev.whittle.graph.Graph;
import dev.whittle.io.ModelFile;
import dev.whittle.io.SavedModel;
import dev.whittle.prune.Compactor;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Physically removes the masked channels of a saved masked model (e.g. from {@code prune --save-masked}). */
@Command(
        name = "compact",
        mixinStandardHelpOptions = true,
        description = "Remove the masked channels of a model file with channel masks; writes a normal, smaller model.")
final class CompactCommand implements Callable<Integer> {
    @Option(names = "--from", required = true, description = "A model file with channel masks.")
    Path from;

    @Option(names = "--out", required = true, description = "Where to write the compact model.")
    Path out;

    @Override
    public Integer call() {
        SavedModel m = ModelFile.load(from);
        if (m.masks().isEmpty()) {
            throw new IllegalArgumentException(from + ": has no channel masks, so there is nothing to compact (write"
                    + " one with `whittle prune ... --save-masked`; weight-level masks are not channels)");
        }
        Graph g = m.graph();
        Graph compact = Compactor.compactIfMasked(m, from);
        ModelFile.save(SavedModel.dense(compact, m.metadataJson()), out);
        System.out.printf(
                "%s: %,d -> %,d parameters (%.2fx fewer), %,d -> %,d MACs per image (%.2fx fewer)%nwrote %s%n",
                g.name(),
                g.parameterCount(),
                compact.parameterCount(),
                (double) g.parameterCount() / compact.parameterCount(),
                g.macs(),
                compact.macs(),
                (double) g.macs() / compact.macs(),
                out);
        return 0;
    }
}
