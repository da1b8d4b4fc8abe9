package dev.whittle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Collects prune reports (named files or a directory) and prints/writes the table {@link PruneTable} builds. */
@Command(
        name = "prune-table",
        mixinStandardHelpOptions = true,
        description = "Aggregate prune results over seeds: one row per method and fine-tune epochs, mean ± spread of"
                + " the accuracy at every stage, the gap to one-shot L1, and mean measured speedups.")
final class PruneTableCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "FILE", description = "Prune result JSON files (from `whittle prune`).")
    List<Path> files = new ArrayList<>();

    @Option(
            names = "--dir",
            description = "Also read every *.json in this directory that is a prune result; others are skipped.")
    Path dir;

    @Option(names = "--out", description = "Also write the table to <out>.md and <out>.json.")
    String out;

    @Override
    public Integer call() {
        List<PruneRun> runs = new ArrayList<>();
        for (Path f : files) runs.add(PruneRun.read(f)); // named explicitly: anything but a prune report is an error
        if (dir != null) runs.addAll(readDirectory(dir));
        if (runs.isEmpty())
            throw new IllegalArgumentException(
                    "no prune results given: name JSON files written by `whittle prune`, or --dir DIR holding them");
        List<PruneTable.Row> rows = PruneTable.rows(runs);
        String md = PruneTable.markdown(rows);
        System.out.print(md);
        if (out != null) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("command", command());
            report.put("date", Instant.now().toString());
            report.put("legend", PruneTable.LEGEND);
            report.put("rows", PruneTable.json(rows));
            ResultFiles.write(out, report, "# Prune results\n\n`" + command() + "`\n\n" + md);
        }
        return 0;
    }

    /**
     * A results directory also holds train metrics and earlier summaries, so JSONs without a prune report's
     * {@code method} are skipped with a note on stderr (stdout stays the table); malformed JSON is still an error.
     */
    private static List<PruneRun> readDirectory(Path dir) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(dir + ": not a directory");
        List<Path> jsons;
        try (Stream<Path> s = Files.list(dir)) {
            jsons = s.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        List<PruneRun> runs = new ArrayList<>();
        for (Path f : jsons) {
            JsonNode root = PruneRun.readJson(f);
            if (PruneRun.isPruneReport(root)) runs.add(PruneRun.of(f, root));
            else System.err.println("note: skipping " + f + " (not a prune result: no 'method' field)");
        }
        return runs;
    }

    private String command() {
        return "whittle prune-table"
                + (dir == null ? "" : " --dir " + dir)
                + files.stream().map(f -> " " + f).collect(Collectors.joining());
    }
}
