package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `bench-sparse` writes its JSON and Markdown with a curve per layer shape and both whole-model batches. */
class SparseBenchCliTest {
    @TempDir
    Path dir;

    @Test
    void tinyRunWritesCurvesBreakEvensAndWholeModelRows() throws IOException {
        String out = dir.resolve("sparse").toString();
        CliTest.Run r = CliTest.run(
                "bench-sparse",
                "--model",
                "lenet5",
                "--densities",
                "0.1,1.0",
                "--trials",
                "1",
                "--trial-seconds",
                "0.001",
                "--warmup",
                "0",
                "--latency-runs",
                "2",
                "--threads",
                "1",
                "--out",
                out);
        r.assertOk();
        JsonNode j = new ObjectMapper().readTree(Files.readString(Path.of(out + ".json")));
        // LeNet-5: 2 convs + 3 linears, at the batch-1 and the batch-64 per-thread batch (64 on one thread).
        assertEquals(10, j.get("layers").size());
        for (JsonNode l : j.get("layers")) {
            double be = l.get("breakEvenDensity").asDouble();
            assertTrue(be >= 0 && be <= 1, l.toString());
            assertEquals(2, l.get("sparseMs").size());
        }
        assertEquals(2, j.get("wholeModel").size());
        assertTrue(j.has("loadAverageAtStart"));
        String md = Files.readString(Path.of(out + ".md"));
        assertTrue(md.contains("| sparse where faster |") && md.contains("| batch 64 |"), md);
    }

    @Test
    void densitiesMustIncreaseWithinZeroToOne() {
        CliTest.run(
                        "bench-sparse",
                        "--densities",
                        "0.5,0.1",
                        "--out",
                        dir.resolve("x").toString())
                .assertKnownError("--densities must be increasing values in (0, 1]");
        CliTest.run("bench-sparse", "--sparsity", "1", "--out", dir.resolve("x").toString())
                .assertKnownError("--sparsity must be in (0, 1)");
    }
}
