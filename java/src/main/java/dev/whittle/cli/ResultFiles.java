package dev.whittle.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a benchmark command's results: {@code <out>.json} (the report) and {@code <out>.md} (its table). Public
 * for the bench module's peer runners, so every result file is written the same way.
 */
public final class ResultFiles {
    private ResultFiles() {}

    /** Creates the parent directory when needed, writes both files and prints where they went. */
    public static void write(String out, Object report, CharSequence md) {
        Path json = Path.of(out + ".json"), mdFile = Path.of(out + ".md");
        try {
            if (json.toAbsolutePath().getParent() != null)
                Files.createDirectories(json.toAbsolutePath().getParent());
            Files.writeString(json, TrainingRun.JSON.writeValueAsString(report));
            Files.writeString(mdFile, md.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + json + ": " + e.getMessage(), e);
        }
        System.out.printf("wrote %s and %s%n", json, mdFile);
    }

    /** The 1-minute load average from /proc/loadavg, or "unknown": how busy the machine was during a run. */
    public static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
