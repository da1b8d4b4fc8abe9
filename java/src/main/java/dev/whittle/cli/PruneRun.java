package dev.whittle.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The figures of one {@code prune} report ({@code <out>.json}, written by {@link PruneReport}) that
 * {@code prune-table} aggregates. Accuracies are fractions; a stage or speed the run did not have is NaN (one-shot
 * L1 has no regularization stage, weight-level methods no BN re-estimation, a run without speed measurement no
 * speed).
 */
record PruneRun(
        Path file,
        String model,
        String method,
        int seed,
        int fineTuneEpochs,
        double macsReduction,
        double dense,
        double afterRegularization,
        double removed,
        double removedBn,
        double finalAccuracy,
        double latencySpeedup,
        double latencyEfficiency,
        double inferSpeedup,
        double inferEfficiency,
        double trainSpeedup,
        double trainEfficiency) {

    /** {@code PruneCommand} writes {@code --seed} only when given; its default is 42. */
    static final int DEFAULT_SEED = 42;

    private static final Pattern SEED = Pattern.compile("--seed[ =](\\d+)");

    /** Parses a file as JSON; an unreadable or malformed file is an input error naming the file. */
    static JsonNode readJson(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read (" + e + ")", e);
        }
        try {
            JsonNode root = TrainingRun.JSON.readTree(text);
            if (root == null || root.isMissingNode()) throw new IllegalArgumentException(file + ": empty, not JSON");
            return root;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    file + ": not valid JSON (" + firstLine(e.getOriginalMessage()) + ")", e);
        }
    }

    /**
     * Whether a JSON looks like a prune report rather than another result in the same directory (train metrics,
     * this command's own summary): only prune reports carry a top-level {@code method}.
     */
    static boolean isPruneReport(JsonNode root) {
        return root.isObject() && root.has("method");
    }

    static PruneRun read(Path file) {
        return of(file, readJson(file));
    }

    static PruneRun of(Path file, JsonNode r) {
        JsonNode stages = required(file, r, "stages");
        if (!stages.isArray() || stages.isEmpty())
            throw new IllegalArgumentException(
                    file + ": field 'stages' must be a non-empty list of {name, testAccuracy}");
        double dense = Double.NaN, reg = Double.NaN, removed = Double.NaN, removedBn = Double.NaN, last = Double.NaN;
        int fineTune = 0;
        for (JsonNode s : stages) {
            String name = required(file, s, "name").asText();
            double acc = required(file, s, "testAccuracy").asDouble();
            if (name.equals("dense")) dense = acc;
            else if (name.startsWith("after regularization")) reg = acc;
            else if (name.equals("removed")) removed = acc;
            else if (name.equals("removed + BN re-estimated")) removedBn = acc;
            else if (name.startsWith("fine-tune epoch")) fineTune++;
            last = acc;
        }
        Matcher seed = SEED.matcher(r.path("command").asText(""));
        JsonNode speed = r.path("speed");
        return new PruneRun(
                file,
                required(file, r, "model").asText(),
                required(file, r, "method").asText(),
                seed.find() ? Integer.parseInt(seed.group(1)) : DEFAULT_SEED,
                fineTune,
                required(file, r, "macsReduction").asDouble(),
                dense,
                reg,
                removed,
                removedBn,
                last,
                number(speed, "latencySpeedup"),
                number(speed, "latencyEfficiency"),
                number(speed, "inferSpeedup"),
                number(speed, "inferEfficiency"),
                number(speed, "trainSpeedup"),
                number(speed, "trainEfficiency"));
    }

    private static JsonNode required(Path file, JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull())
            throw new IllegalArgumentException(file + ": missing field '" + field + "' (not a complete prune report)");
        return v;
    }

    private static double number(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isNumber() ? v.asDouble() : Double.NaN;
    }

    private static String firstLine(String s) {
        return s == null ? "unreadable" : s.lines().findFirst().orElse(s);
    }
}
