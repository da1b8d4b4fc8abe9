package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.whittle.graph.Graph;
import dev.whittle.io.ModelFile;
import dev.whittle.io.SavedModel;
import dev.whittle.model.Models;
import dev.whittle.nn.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `speedup` measures two model files against each other and writes the same table a prune run prints; it refuses
 * pairs whose comparison would mean nothing (different tasks, swapped files, weight-level masks).
 */
class SpeedupCliTest {
    @TempDir
    Path dir;

    private Path save(String name, Graph g) {
        g.initialize(3);
        Path f = dir.resolve(name + ".whittle");
        ModelFile.save(new SavedModel(g, Map.of(), "{}"), f);
        return f;
    }

    private static final String[] QUICK = {
        "--threads",
        "1",
        "--latency-runs",
        "200",
        "--trials",
        "2",
        "--trial-seconds",
        "0.05",
        "--warmup-seconds",
        "0.05"
    };

    private CliTest.Run speedup(Path dense, Path pruned, String... extra) {
        String[] base = {
            "speedup",
            "--dense",
            dense.toString(),
            "--pruned",
            pruned.toString(),
            "--out",
            dir.resolve("s").toString()
        };
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return CliTest.run(args);
    }

    @Test
    void aHalfWidthModelIsMeasuredAgainstItsDenseModelWithTheMacsReductionAsDivisor() throws IOException {
        Path dense = save("dense", Models.vggSmall(new int[] {8, 8, 16, 16, 32, 32}, 10));
        Path half = save("half", Models.vggSmall(new int[] {4, 4, 8, 8, 16, 16}, 10));
        CliTest.Run r = speedup(dense, half, QUICK);
        r.assertOk();
        assertTrue(r.out().contains("| latency b1 p50 (ms) |"), r.out());
        JsonNode j = TrainingRun.JSON.readTree(Files.readString(dir.resolve("s.json")));
        double reduction = j.get("macsReduction").asDouble();
        assertTrue(reduction > 3 && reduction < 4.5, "half the filters of each layer: " + reduction);
        JsonNode run = j.get("runs").get(0);
        assertEquals(1, run.get("threads").asInt());
        assertEquals(
                run.get("inferSpeedup").asDouble() / reduction,
                run.get("inferEfficiency").asDouble(),
                1e-9);
        assertTrue(run.get("latencyMs").get("pruned").get("count").asInt() >= 200);
        assertTrue(
                j.get("command").asText().endsWith("--trials 2 --trial-seconds 0.05 --warmup-seconds 0.05"),
                "a shortened run says so in its command: " + j.get("command").asText());
        assertTrue(Files.readString(dir.resolve("s.md")).contains("MACs reduction"));
    }

    @Test
    void aFileWithChannelMasksIsMeasuredAsTheCompactModelItsMasksDescribe() throws IOException {
        Graph g = Models.vggSmall(new int[] {8, 8, 16, 16, 32, 32}, 10);
        Path dense = save("dense", g);
        dev.whittle.prune.ChannelMasks masks = dev.whittle.prune.PruneFixtures.randomMasks(g, 0.5, 4);
        Path masked = dir.resolve("masked.whittle");
        ModelFile.save(new SavedModel(g, masks.named(), "{}"), masked);
        long compactMacs = dev.whittle.prune.Compactor.compact(g, masks).macs();
        speedup(dense, masked, QUICK).assertOk();
        JsonNode j = TrainingRun.JSON.readTree(Files.readString(dir.resolve("s.json")));
        assertEquals(compactMacs, j.get("pruned").get("macs").asLong());
        assertEquals((double) g.macs() / compactMacs, j.get("macsReduction").asDouble(), 1e-9);
    }

    @Test
    void swappedFilesAndDifferentTasksAreRefusedBeforeAnyTiming() {
        Path dense = save("dense", Models.vggSmall(new int[] {8, 8, 16, 16, 32, 32}, 10));
        Path half = save("half", Models.vggSmall(new int[] {4, 4, 8, 8, 16, 16}, 10));
        speedup(half, dense, QUICK).assertKnownError("more MACs per image", "swapped");
        Path other = save("cifar", Models.resnet20(new int[] {4, 8, 16}, null, new Shape(3, 32, 32), 10));
        speedup(dense, other, QUICK).assertKnownError("not the same task", "3x32x32");
        speedup(dense, dir.resolve("missing.whittle"), QUICK).assertKnownError("missing.whittle");
    }
}
