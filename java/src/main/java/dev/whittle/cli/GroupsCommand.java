package dev.whittle.cli;

import dev.whittle.graph.Graph;
import dev.whittle.io.ModelFile;
import dev.whittle.model.Models;
import dev.whittle.prune.ChannelGroup;
import dev.whittle.prune.ChannelGroups;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "groups",
        mixinStandardHelpOptions = true,
        description =
                "The channel groups pruning works on, derived from the model graph, and why a group cannot be pruned.")
final class GroupsCommand implements Callable<Integer> {
    @Option(names = "--model", description = "lenet5, vgg_small or resnet20")
    String model;

    @Option(names = "--model-file", description = "A .whittle model file.")
    Path modelFile;

    @Override
    public Integer call() {
        if ((model == null) == (modelFile == null))
            throw new IllegalArgumentException("give exactly one of --model or --model-file");
        Graph g = modelFile != null ? ModelFile.load(modelFile).graph() : Models.byName(model);
        List<ChannelGroup> groups = ChannelGroups.derive(g);
        System.out.printf("%s: %d channel groups%n%n", g.name(), groups.size());
        for (ChannelGroup grp : groups) {
            System.out.printf(
                    "group %d  %-14s %4d channels  %s%n",
                    grp.id(),
                    grp.name(),
                    grp.channels(),
                    grp.prunable() ? "prunable" : "NOT prunable: " + grp.reason());
            if (!grp.producers().isEmpty()) System.out.printf("    produced by  %s%n", names(g, grp.producers()));
            if (!grp.norms().isEmpty()) System.out.printf("    normalised   %s%n", names(g, grp.norms()));
            if (!grp.consumers().isEmpty()) {
                System.out.printf(
                        "    read by      %s%n",
                        grp.consumers().stream()
                                .map(c -> g.nodes().get(c.node()).name()
                                        + (c.block() > 1 ? " (" + c.block() + " columns each)" : ""))
                                .collect(Collectors.joining(", ")));
            }
        }
        return 0;
    }

    private static String names(Graph g, List<Integer> nodes) {
        return nodes.stream().map(i -> g.nodes().get(i).name()).collect(Collectors.joining(", "));
    }
}
