package dev.whittle.cli;

import dev.whittle.graph.Graph;
import dev.whittle.io.ModelFile;
import dev.whittle.io.OnnxExport;
import dev.whittle.io.SavedModel;
import dev.whittle.model.Models;
import dev.whittle.prune.Compactor;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes a model as ONNX, compacting a masked model first, and states its size. */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = "Write a model as ONNX (opset " + OnnxExport.OPSET + ", float32, NCHW, input \"input\","
                + " batch dimension N) for ONNX Runtime and other ONNX tools. A model with channel masks is"
                + " compacted first, so the file holds only the kept filters.")
final class ExportCommand implements Callable<Integer> {
    @ArgGroup(multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--from", description = "A .whittle model file (trained, pruned or masked).")
        Path from;

        @Option(
                names = "--model",
                description = "A reference model by name (lenet5, vgg_small, resnet20) with seeded initial weights,"
                        + " e.g. for speed comparisons.")
        String model;
    }

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Initial-weight seed for --model (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, description = "The .onnx file to write.")
    Path out;

    @Override
    public Integer call() {
        Graph g;
        String note = "";
        if (source.from != null) {
            SavedModel m = ModelFile.load(source.from);
            g = Compactor.compactIfMasked(m, source.from);
            if (g != m.graph())
                note = String.format(
                        " (compacted from %,d params, %,d MACs/image)",
                        m.graph().parameterCount(), m.graph().macs());
        } else {
            g = Models.byName(source.model);
            g.initialize(seed);
        }
        byte[] onnx = OnnxExport.encode(g);
        OnnxExport.write(onnx, out);
        System.out.printf(
                "%s: %,d params (%,d bytes of float32 weights), %,d MACs/image%s%nwrote %s (%,d bytes)%n",
                g.name(), g.parameterCount(), 4 * g.parameterCount(), g.macs(), note, out, onnx.length);
        return 0;
    }
}
