package dev.whittle.cli;

import dev.whittle.graph.Graph;
import dev.whittle.io.ModelFile;
import dev.whittle.io.SavedModel;
import dev.whittle.model.LayerTable;
import dev.whittle.model.Models;
import dev.whittle.opencl.OpenClSession;
import dev.whittle.prune.ModelFootprint;
import dev.whittle.runtime.BackendInfo;
import dev.whittle.runtime.MachineInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description =
                "Backend, vector species and threads; with --model or --model-file, the layer table with params and MACs.")
final class InfoCommand implements Callable<Integer> {
    @Option(names = "--model", description = "lenet5, vgg_small or resnet20")
    String model;

    @Option(
            names = {"--file", "--model-file"},
            description = "A .whittle model file: its layer table and memory footprint (dense vs sparse).")
    Path modelFile;

    @Mixin
    CommonOptions common;

    @Option(
            names = "--backend",
            description = "With opencl, also open the OpenCL device and print its platform/device string.")
    String backend;

    @Override
    public Integer call() {
        int threads = common.parallel().threads();
        BackendInfo b = BackendInfo.current();
        System.out.printf("backend        %s (%s)%n", b.name(), b.reason());
        System.out.printf(
                "vector species %s%s%n", b.vectorSpecies(), b.vectorBits() > 0 ? " (" + b.vectorBits() + " bits)" : "");
        System.out.printf(
                "threads        %d of %d cores%n", threads, Runtime.getRuntime().availableProcessors());
        System.out.printf("cpu            %s%n", MachineInfo.cpuModel());
        System.out.printf(
                "jdk            %s %s%n",
                System.getProperty("java.vm.vendor"), System.getProperty("java.runtime.version"));
        if (backend != null) {
            if (!backend.equals("cpu") && !backend.equals("opencl"))
                throw new IllegalArgumentException("--backend expected cpu or opencl but found '" + backend + "'");
            if (backend.equals("opencl")) {
                String[] why = {""};
                try (var s = OpenClSession.tryOpen(r -> why[0] = r).orElse(null)) {
                    if (s != null) System.out.printf("opencl         %s%n", s.describe());
                    else System.out.printf("opencl         unavailable: %s; training falls back to cpu%n", why[0]);
                }
            }
        }
        Graph g = null;
        ModelFootprint footprint = null;
        if (modelFile != null) {
            SavedModel m = ModelFile.load(modelFile);
            g = m.graph();
            long size;
            try {
                size = Files.size(modelFile);
            } catch (IOException e) {
                size = -1; // it was just read; a vanished file only loses this one line
            }
            footprint = ModelFootprint.of(m, size);
        } else if (model != null) g = Models.byName(model);
        if (g != null) {
            System.out.printf("%nmodel %s, input %s%n%n", g.name(), g.inputShape());
            System.out.print(LayerTable.render(g));
            System.out.printf("%n%,d parameters, %,d MACs per image%n", g.parameterCount(), g.macs());
            if (footprint != null) System.out.printf("%nmemory footprint%n%s", footprint.render());
        }
        return 0;
    }
}
