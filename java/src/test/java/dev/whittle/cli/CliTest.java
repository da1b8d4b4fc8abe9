package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whittle.graph.Graph;
import dev.whittle.io.ModelFile;
import dev.whittle.io.SavedModel;
import dev.whittle.model.Models;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
        void assertKnownError(String... fragments) {
            assertEquals(2, code, () -> "exit code; stdout:\n" + out + "\nstderr:\n" + err);
            assertTrue(err.contains("error: "), () -> "stderr should carry an error line:\n" + err);
            assertFalse(err.contains("\tat "), () -> "a known error should not print a stack trace:\n" + err);
            for (String f : fragments)
                assertTrue(err.contains(f), () -> "stderr should contain \"" + f + "\":\n" + err);
        }

        void assertOk() {
            assertEquals(0, code, () -> "exit code; stdout:\n" + out + "\nstderr:\n" + err);
        }
    }

    /** Runs the CLI in-process with System.out and System.err captured. */
    static Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            int code = Main.run(args);
            o.flush();
            e.flush();
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    // ---------------------------------------------------------------- info

    @Test
    void infoVggSmallPrintsReferenceParameterAndMacTotals() {
        Run r = run("info", "--model", "vgg_small", "--threads", "1");
        r.assertOk();
        assertTrue(r.out().contains("584,618"), r.out());
        assertTrue(r.out().contains("29,424,640"), r.out());
    }

    @Test
    void infoLenet5PrintsReferenceParameterAndMacTotals() {
        Run r = run("info", "--model", "lenet5", "--threads", "1");
        r.assertOk();
        assertTrue(r.out().contains("61,706"), r.out());
        assertTrue(r.out().contains("416,520"), r.out());
        assertTrue(r.out().contains("backend"), r.out());
    }

    @Test
    void infoResnet20PrintsItsLayerTableWithShortcuts() {
        Run r = run("info", "--model", "resnet20", "--threads", "1");
        r.assertOk();
        assertTrue(r.out().contains("model resnet20"), r.out());
        assertTrue(r.out().contains("s3.b1.down.conv"), r.out());
        assertTrue(r.out().contains("s1.b1.add"), r.out());
        assertTrue(r.out().contains("gap"), r.out());
    }

    @Test
    void infoModelFilePrintsTheSavedGraph() {
        Graph g = Models.lenet5(10);
        g.initialize(1);
        Path f = dir.resolve("lenet.whittle");
        ModelFile.save(SavedModel.dense(g, "{}"), f);
        Run r = run("info", "--model-file", f.toString(), "--threads", "1");
        r.assertOk();
        assertTrue(r.out().contains("model lenet5"), r.out());
        assertTrue(r.out().contains("61,706"), r.out());
    }

    @Test
    void infoUnknownModelNamesItAndTheValidModels() {
        Run r = run("info", "--model", "nope", "--threads", "1");
        r.assertKnownError("nope", "lenet5", "vgg_small", "resnet20");
    }

    // ---------------------------------------------------------------- errors

    @Test
    void trainWithoutDataNamesTheMissingFileAndTheAptPackage() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("no-data"));
        Run r = run(
                "train",
                "--model",
                "lenet5",
                "--data",
                empty.toString(),
                "--threads",
                "1",
                "--out",
                dir.resolve("m.whittle").toString());
        r.assertKnownError(
                empty.resolve("train-images-idx3-ubyte.gz").toString(), "apt-get install -y dataset-fashion-mnist");
        assertFalse(Files.exists(dir.resolve("m.whittle")));
    }

    @Test
    void evalOfCorruptModelFileNamesThePath() throws IOException {
        Graph g = Models.lenet5(10);
        g.initialize(2);
        Path f = dir.resolve("corrupt.whittle");
        ModelFile.save(SavedModel.dense(g, "{}"), f);
        byte[] b = Files.readAllBytes(f);
        b[b.length / 2] ^= 0x40;
        Files.write(f, b);
        Run r = run("eval", "--model-file", f.toString(), "--data", dir.toString(), "--threads", "1");
        r.assertKnownError("error: " + f, "checksum");
    }

    @Test
    void evalOfMissingModelFileSaysNoSuchFile() {
        Path f = dir.resolve("absent.whittle");
        Run r = run("eval", "--model-file", f.toString(), "--data", dir.toString(), "--threads", "1");
        r.assertKnownError("error: " + f, "no such file");
    }

    @Test
    void evalOfATextFileSaysItIsNotAModel() throws IOException {
        Path f = Files.writeString(dir.resolve("notes.whittle"), "just some notes, not a model\n");
        Run r = run("eval", "--model-file", f.toString(), "--data", dir.toString(), "--threads", "1");
        r.assertKnownError("error: " + f, "not a Whittle model file");
    }

    @Test
    void trainWithZeroBatchNamesTheOption() {
        Run r = run(
                "train",
                "--model",
                "lenet5",
                "--batch",
                "0",
                "--data",
                dir.toString(),
                "--out",
                dir.resolve("m.whittle").toString());
        r.assertKnownError("--batch");
    }

    @Test
    void trainWithNegativeEpochsNamesTheOption() {
        Run r = run(
                "train",
                "--model",
                "lenet5",
                "--epochs",
                "-1",
                "--data",
                dir.toString(),
                "--out",
                dir.resolve("m.whittle").toString());
        r.assertKnownError("--epochs");
    }

    @Test
    void trainWithZeroLearningRateNamesTheOption() {
        Run r = run(
                "train",
                "--model",
                "lenet5",
                "--lr",
                "0",
                "--data",
                dir.toString(),
                "--out",
                dir.resolve("m.whittle").toString());
        r.assertKnownError("--lr");
    }

    @Test
    void zeroThreadsNamesTheOption() {
        Run r = run("info", "--threads", "0");
        r.assertKnownError("--threads");
    }

    @Test
    void trainWithoutModelIsAUsageError() {
        Run r = run("train", "--data", dir.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--model"), r.err());
    }

    @Test
    void unknownBackendIsNamedBeforeAnyDataIsRead() {
        run("train", "--model", "lenet5", "--backend", "cuda", "--data", dir.toString())
                .assertKnownError("--backend expected cpu or opencl but found 'cuda'");
        run(
                        "prune",
                        "--model",
                        "lenet5",
                        "--method",
                        "l1",
                        "--target-macs",
                        "0.5",
                        "--backend",
                        "cuda",
                        "--data",
                        dir.toString())
                .assertKnownError("--backend expected cpu or opencl but found 'cuda'");
        run("info", "--backend", "cuda").assertKnownError("--backend expected cpu or opencl");
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        Run r = run("frobnicate");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("frobnicate"), r.err());
    }

    // ---------------------------------------------------------------- with the real data set

    @Test
    void trainOneEpochThenEvalReproducesTheRecordedAccuracy() throws IOException {
        Assumptions.assumeTrue(
                Files.isRegularFile(FASHION.resolve("train-images-idx3-ubyte.gz")), "Fashion-MNIST not installed");
        Path model = dir.resolve("run/m.whittle");
        // The default recipe (lr 0.05, batch 128, cosine to 0) takes only 16 steps on 2048 images and ends near
        // 29 % test accuracy; lr 0.05 with batch 32 (64 steps) reaches about 65 % in the same time.
        Run t = run(
                "train",
                "--model",
                "lenet5",
                "--epochs",
                "1",
                "--limit",
                "2048",
                "--lr",
                "0.05",
                "--batch",
                "32",
                "--threads",
                "2",
                "--data",
                FASHION.toString(),
                "--out",
                model.toString());
        t.assertOk();
        assertTrue(Files.isRegularFile(model), "model file written");
        Path json = dir.resolve("run/m.json");
        assertTrue(Files.isRegularFile(json), "metrics JSON written");
        try (var s = Files.list(model.getParent())) {
            assertEquals(2, s.count(), "only m.whittle and m.json (no leftover .tmp)");
        }

        JsonNode m = new ObjectMapper().readTree(json.toFile());
        assertEquals("lenet5", m.get("model").asText());
        assertEquals(61706, m.get("parameters").asLong());
        assertEquals(416520, m.get("macsPerImage").asLong());
        assertEquals(2048, m.get("trainImages").asInt());
        assertEquals(10000, m.get("testImages").asInt());
        assertTrue(m.get("epochs").isArray());
        assertEquals(1, m.get("epochs").size());
        double acc = m.get("epochs").get(0).get("testAccuracy").asDouble();
        assertTrue(acc > 0.5, "test accuracy after one epoch on 2048 images: " + acc);
        assertEquals(acc, m.get("finalTestAccuracy").asDouble());
        assertFalse(m.get("machine").get("cpu").asText().isBlank());
        assertEquals(
                m.toString(),
                new ObjectMapper()
                        .readTree(ModelFile.load(model).metadataJson())
                        .toString(),
                "the model file carries the same metadata as the JSON");

        Run e = run("eval", "--model-file", model.toString(), "--threads", "2", "--data", FASHION.toString());
        e.assertOk();
        Matcher acc2 = Pattern.compile("test accuracy ([0-9.]+)%").matcher(e.out());
        assertTrue(acc2.find(), e.out());
        assertEquals(String.format("%.2f", 100 * m.get("finalTestAccuracy").asDouble()), acc2.group(1), e.out());
    }
}
