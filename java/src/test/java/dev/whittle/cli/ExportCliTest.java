package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.whittle.graph.Graph;
import dev.whittle.io.ModelFile;
import dev.whittle.io.SavedModel;
import dev.whittle.model.Models;
import dev.whittle.prune.ChannelMasks;
import dev.whittle.prune.Compactor;
import dev.whittle.prune.PruneFixtures;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `export` writes an ONNX file that ONNX Runtime loads: a masked model file comes out compacted (only the kept
 * filters), and bad requests are refused with the problem named.
 */
class ExportCliTest {
    @TempDir
    Path dir;

    @Test
    void aMaskedModelFileIsExportedCompactedAndOnnxRuntimeRunsIt() throws OrtException {
        Graph g = Models.vggSmall(new int[] {8, 8, 16, 16, 32, 32}, 10);
        g.initialize(3);
        ChannelMasks masks = PruneFixtures.randomMasks(g, 0.5, 4);
        Path file = dir.resolve("masked.whittle"), onnx = dir.resolve("m.onnx");
        ModelFile.save(new SavedModel(g, masks.named(), "{}"), file);
        long compactParams = Compactor.compact(g, masks).parameterCount();

        CliTest.Run r = CliTest.run("export", "--from", file.toString(), "--out", onnx.toString());
        r.assertOk();
        assertTrue(r.out().contains(String.format("%,d params", compactParams)), r.out());
        assertTrue(r.out().contains("compacted from"), r.out());
        assertTrue(Files.exists(onnx));

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
                OnnxTensor x = OnnxTensor.createTensor(
                        env, FloatBuffer.wrap(new float[2 * 28 * 28]), new long[] {2, 1, 28, 28});
                OrtSession.Result out = s.run(Map.of("input", x))) {
            float[][] logits = (float[][]) out.get(0).getValue();
            assertArrayEquals(new int[] {2, 10}, new int[] {logits.length, logits[0].length});
        }
    }

    @Test
    void anOutputInAMissingDirectoryIsOneErrorLineNamingIt() {
        Path out = dir.resolve("no-such-dir").resolve("x.onnx");
        CliTest.run("export", "--model", "lenet5", "--out", out.toString())
                .assertKnownError("cannot write " + out, "does not exist");
    }

    @Test
    void anUnknownReferenceModelIsRefusedByName() {
        CliTest.run(
                        "export",
                        "--model",
                        "vgg_huge",
                        "--out",
                        dir.resolve("x.onnx").toString())
                .assertKnownError("vgg_huge");
    }

    @Test
    void aFileAndAReferenceModelTogetherAreRefused() {
        CliTest.Run r = CliTest.run(
                "export",
                "--from",
                "a.whittle",
                "--model",
                "lenet5",
                "--out",
                dir.resolve("x.onnx").toString());
        assertTrue(r.code() != 0 && r.err().contains("mutually exclusive"), r.err());
    }
}
