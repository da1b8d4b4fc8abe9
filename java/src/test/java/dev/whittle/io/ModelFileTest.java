package dev.whittle.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.whittle.graph.Executor;
import dev.whittle.graph.Graph;
import dev.whittle.graph.GraphBuilder;
import dev.whittle.graph.Node;
import dev.whittle.model.Models;
import dev.whittle.nn.Add;
import dev.whittle.nn.AvgPool2d;
import dev.whittle.nn.BatchNorm2d;
import dev.whittle.nn.Conv2d;
import dev.whittle.nn.Flatten;
import dev.whittle.nn.GlobalAvgPool;
import dev.whittle.nn.Linear;
import dev.whittle.nn.MaxPool2d;
import dev.whittle.nn.Relu;
import dev.whittle.nn.Shape;
import dev.whittle.runtime.Parallel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelFileTest {

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- fixtures

    /** Every op the file format knows, in a graph whose payload is 39 floats, so the header dominates the file. */
    static Graph tiny() {
        GraphBuilder b = new GraphBuilder("tiny", new Shape(1, 6, 6));
        int c = b.add("conv", new Conv2d(1, 2, 3, 1, 1, true), Graph.INPUT);
        int n = b.add("bn", new BatchNorm2d(2), c);
        int r = b.add("relu", new Relu(), n);
        int s = b.add("shortcut", new Conv2d(1, 2, 1, 1, 0, false), Graph.INPUT);
        int a = b.add("add", new Add(), r, s);
        int m = b.add("pool", new MaxPool2d(2, 2, 0), a);
        int v = b.add("avg", new AvgPool2d(3, 1, 1), m);
        int g = b.add("gap", new GlobalAvgPool(), v);
        int f = b.add("flatten", new Flatten(), g);
        b.add("fc", new Linear(2, 3), f);
        return b.build();
    }

    static Graph smallVgg() {
        return Models.vggSmall(new int[] {4, 4, 8, 8, 8, 8}, 10);
    }

    static Graph smallResnet() {
        return Models.resnet20(new int[] {4, 8, 16}, null, new Shape(1, 12, 12), 10);
    }

    /** Initialises, then moves BN statistics and affine parameters off their defaults so they are really tested. */
    static Graph prepared(Graph g, long seed) {
        g.initialize(seed);
        SplittableRandom rng = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        for (Graph.NamedParam p : g.namedParams()) {
            float[] v = p.param().value();
            String name = p.name();
            for (int i = 0; i < v.length; i++) {
                if (name.endsWith(".running_var")) v[i] = (float) (0.25 + rng.nextDouble());
                else if (name.endsWith(".running_mean")) v[i] = (float) (0.3 * rng.nextGaussian());
                else if (name.endsWith(".gamma")) v[i] = (float) (1 + 0.2 * rng.nextGaussian());
                else if (name.endsWith(".beta") || name.endsWith(".bias")) v[i] = (float) (0.1 * rng.nextGaussian());
            }
        }
        return g;
    }

    static SavedModel tinyModel() {
        Map<String, boolean[]> masks = new LinkedHashMap<>();
        masks.put("conv", new boolean[] {true, false});
        masks.put("fc", new boolean[] {false, true, true});
        return new SavedModel(prepared(tiny(), 7), masks, "{\"run\":\"tiny\"}");
    }

    Path write(String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] bytesOf(SavedModel m) {
        Path f = dir.resolve("source-" + System.nanoTime() + ".whittle");
        ModelFile.save(m, f);
        try {
            byte[] b = Files.readAllBytes(f);
            Files.delete(f);
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] tinyBytes() {
        return bytesOf(tinyModel());
    }

    byte[] lenetBytes() {
        return bytesOf(SavedModel.dense(prepared(Models.lenet5(10), 3), "{}"));
    }

    /**
     * Loads and requires a ModelFileException whose message starts with the path and contains every fragment.
     * Catches Throwable itself (an OutOfMemoryError included) so a wrong exception type fails this test only.
     */
    static ModelFileException rejects(Path file, String... fragments) {
        Throwable thrown = null;
        try {
            SavedModel m = ModelFile.load(file);
            fail(file + " loaded as " + m.graph().name() + " but should have been rejected");
        } catch (Throwable t) {
            thrown = t;
        }
        if (!(thrown instanceof ModelFileException e)) {
            throw new AssertionError("expected ModelFileException for " + file + " but got " + thrown, thrown);
        }
        String msg = e.getMessage();
        assertTrue(msg.startsWith(file.toString()), () -> "message should start with the path: " + msg);
        assertEquals(file, e.file());
        String reason = msg.substring(file.toString().length()); // fragments must not match the path itself
        for (String f : fragments) assertTrue(reason.contains(f), () -> "message should contain \"" + f + "\": " + msg);
        return e;
    }

    ModelFileException rejects(byte[] bytes, String... fragments) {
        return rejects(write("case-" + System.nanoTime() + ".whittle", bytes), fragments);
    }

    static float[] logits(Graph g, float[] x, int n) {
        try (Parallel one = new Parallel(1)) {
            return new Executor(g, n, false, one).forward(x, n, false).clone();
        }
    }

    static int[] bits(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Float.floatToRawIntBits(v[i]);
        return out;
    }

    // ---------------------------------------------------------------- round trips

    void assertRoundTrip(Graph g, Map<String, boolean[]> masks, String meta, long seed) {
        prepared(g, seed);
        Path f = dir.resolve(g.name() + ".whittle");
        ModelFile.save(new SavedModel(g, masks, meta), f);
        SavedModel back = ModelFile.load(f);
        Graph h = back.graph();

        assertNotSame(g, h);
        assertEquals(g.name(), h.name());
        assertEquals(g.inputShape(), h.inputShape());
        assertEquals(g.nodes().size(), h.nodes().size());
        for (int i = 0; i < g.nodes().size(); i++) {
            Node a = g.nodes().get(i), b = h.nodes().get(i);
            String where = "node " + i + " " + a.name();
            assertEquals(a.name(), b.name(), where);
            assertEquals(a.layer().getClass(), b.layer().getClass(), where);
            assertEquals(a.layer().op(), b.layer().op(), where);
            assertEquals(a.layer().attrs(), b.layer().attrs(), where);
            assertArrayEquals(a.inputs(), b.inputs(), where);
            assertArrayEquals(a.inShapes(), b.inShapes(), where);
            assertEquals(a.outShape(), b.outShape(), where);
        }
        List<Graph.NamedParam> pa = g.namedParams(), pb = h.namedParams();
        assertEquals(pa.size(), pb.size());
        for (int i = 0; i < pa.size(); i++) {
            Graph.NamedParam a = pa.get(i), b = pb.get(i);
            assertEquals(a.name(), b.name());
            assertArrayEquals(a.param().shape(), b.param().shape(), a.name());
            assertEquals(a.param().trainable(), b.param().trainable(), a.name());
            assertNotSame(a.param().value(), b.param().value(), a.name());
            assertArrayEquals(bits(a.param().value()), bits(b.param().value()), () -> a.name() + " values differ");
        }
        assertEquals(g.parameterCount(), h.parameterCount());
        assertEquals(g.macs(), h.macs());

        assertEquals(masks.keySet(), back.masks().keySet());
        masks.forEach((k, v) -> assertArrayEquals(v, back.masks().get(k), "mask " + k));
        assertEquals(meta, back.metadataJson());

        long payload = 0;
        for (Graph.NamedParam p : pa) payload += 4L * p.param().size();
        try {
            byte[] bytes = Files.readAllBytes(f);
            assertEquals(12 + ModelBytes.headerLength(bytes) + 8 + payload + 4, bytes.length, "file size");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        int n = 3;
        float[] x = new float[n * g.inputShape().size()];
        SplittableRandom rng = new SplittableRandom(seed + 1);
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        float[] before = logits(g, x, n), after = logits(h, x, n);
        assertEquals(n * g.classes(), before.length);
        assertArrayEquals(bits(before), bits(after), "logits differ after the round trip");
    }

    @Test
    void lenet5RoundTripsBitwiseWithMasksAndMetadata() {
        Map<String, boolean[]> masks = new LinkedHashMap<>();
        masks.put("conv1", new boolean[] {true, false, true, true, false, true});
        boolean[] fc1 = new boolean[120];
        for (int i = 0; i < fc1.length; i++) fc1[i] = i % 3 != 0;
        masks.put("fc1", fc1);
        assertRoundTrip(Models.lenet5(10), masks, "{\"note\":\"ünïcødé ✓\",\"acc\":0.9123}", 11);
    }

    @Test
    void vggSmallRoundTripsBitwiseIncludingBatchNormStatistics() {
        assertRoundTrip(
                smallVgg(), Map.of("bn2", new boolean[] {true, true, false, true}), "{\"model\":\"vgg_small\"}", 12);
    }

    @Test
    void resnet20RoundTripsBitwiseIncludingShortcutsAndBuffers() {
        Map<String, boolean[]> masks = new LinkedHashMap<>();
        masks.put("s1.b1.conv1", new boolean[] {false, true, true, true});
        masks.put("s3", new boolean[16]);
        assertRoundTrip(smallResnet(), masks, "{}", 13);
    }

    @Test
    void graphWithEveryOpRoundTripsBitwise() {
        assertRoundTrip(tiny(), Map.of(), "", 14);
    }

    @Test
    void denseModelWithNullMetadataRoundTripsAsEmptyJsonObject() {
        Path f = dir.resolve("dense.whittle");
        ModelFile.save(SavedModel.dense(prepared(tiny(), 1), null), f);
        SavedModel back = ModelFile.load(f);
        assertEquals("{}", back.metadataJson());
        assertTrue(back.masks().isEmpty());
    }

    // ---------------------------------------------------------------- saving

    @Test
    void saveCreatesParentDirectoriesAndLeavesNoTmpFile() throws IOException {
        Path f = dir.resolve("a/b/c/model.whittle");
        ModelFile.save(tinyModel(), f);
        assertTrue(Files.isRegularFile(f));
        try (Stream<Path> s = Files.list(f.getParent())) {
            assertEquals(
                    List.of("model.whittle"),
                    s.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals("tiny", ModelFile.load(f).graph().name());
    }

    @Test
    void saveOverExistingFileReplacesItAtomicallyAndLeavesNoTmpFile() throws IOException {
        Path f = dir.resolve("m.whittle");
        Files.writeString(f, "an older, unrelated file");
        ModelFile.save(tinyModel(), f);
        ModelFile.save(SavedModel.dense(prepared(Models.lenet5(10), 5), "{\"second\":true}"), f);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(
                    List.of("m.whittle"), s.map(p -> p.getFileName().toString()).toList());
        }
        SavedModel back = ModelFile.load(f);
        assertEquals("lenet5", back.graph().name());
        assertEquals("{\"second\":true}", back.metadataJson());
    }

    @Test
    void saveIntoAPathUnderARegularFileFailsNamingTheFile() throws IOException {
        Path blocker = Files.writeString(dir.resolve("blocker"), "x");
        Path f = blocker.resolve("m.whittle");
        Throwable caught = null;
        try {
            ModelFile.save(tinyModel(), f);
        } catch (Throwable e) {
            caught = e;
        }
        Throwable t = caught;
        assertTrue(t instanceof ModelFileException, () -> "expected ModelFileException but got " + t);
        assertTrue(t.getMessage().startsWith(f.toString()), t.getMessage());
        assertTrue(t.getMessage().contains("cannot write"), t.getMessage());
    }

    // ---------------------------------------------------------------- files that are not model files

    @Test
    void missingFileSaysNoSuchFile() {
        rejects(dir.resolve("absent.whittle"), "no such file");
    }

    @Test
    void directoryInsteadOfFileCannotBeRead() throws IOException {
        rejects(Files.createDirectory(dir.resolve("folder.whittle")), "cannot read");
    }

    @Test
    void emptyFileIsTruncatedAtTheMagic() {
        rejects(new byte[0], "truncated", "'magic'");
    }

    @Test
    void pngFileIsNotAWhittleModelNamingTheMagic() {
        byte[] png = new byte[64];
        byte[] sig = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        System.arraycopy(sig, 0, png, 0, sig.length);
        rejects(png, "field 'magic'", "0x4C544857", "0x474E5089", "not a Whittle model file");
    }

    @Test
    void textFileIsNotAWhittleModel() {
        rejects(
                "{\"model\": \"lenet5\", \"this is\": \"json, not a model\"}\n".getBytes(StandardCharsets.UTF_8),
                "field 'magic'",
                "not a Whittle model file");
    }

    @Test
    void unsupportedVersionIsRejectedWithExpectedAndFound() {
        byte[] b = tinyBytes();
        ModelBytes.putI32(b, 4, 3);
        rejects(ModelBytes.rechecksum(b), "field 'version' expected 1 or 2 but found 3");
    }

    // ---------------------------------------------------------------- truncation and framing

    @Test
    void truncationAnywhereSaysTruncatedNamingTheFieldNotAChecksumError() {
        byte[] b = lenetBytes();
        Map<String, Integer> at = ModelBytes.layout(b);
        int header = at.get("headerEnd"), payload = at.get("payload");
        Object[][] cases = {
            {2, "'magic'"},
            {6, "'version'"},
            {10, "'headerLength'"},
            {12, "'header'"},
            {12 + ModelBytes.headerLength(b) / 2, "'header'"},
            {header - 1, "'header'"},
            {header + 3, "'payloadLength'"},
            {payload, "'payload'"},
            {payload + 1, "'payload'"},
            {(payload + b.length) / 2, "'payload'"},
            {b.length - 5, "'payload'"},
            {b.length - 4, "'checksum'"},
            {b.length - 1, "'checksum'"},
        };
        for (Object[] c : cases) {
            final int len = (Integer) c[0];
            ModelFileException e = rejects(ModelBytes.head(b, len), "truncated", (String) c[1]);
            assertFalse(
                    e.getMessage().contains("the file is corrupt"),
                    () -> "cut at " + len + " reported as a checksum error: " + e.getMessage());
        }
    }

    @Test
    void trailingBytesAfterTheChecksumAreRejected() {
        byte[] b = tinyBytes();
        byte[] longer = Arrays.copyOf(b, b.length + 3);
        rejects(longer, "trailing", "'fileLength'", "expected " + b.length, "found " + longer.length);
    }

    @Test
    void headerLengthLargerThanTheFileIsTruncatedNotAnAllocation() {
        byte[] b = tinyBytes();
        ModelBytes.putI32(b, 8, Integer.MAX_VALUE);
        rejects(ModelBytes.rechecksum(b), "truncated", "'header'", String.valueOf(Integer.MAX_VALUE));
        ModelBytes.putI32(b, 8, b.length);
        rejects(ModelBytes.rechecksum(b), "truncated", "'header'");
    }

    @Test
    void negativeHeaderLengthIsRejectedNamingTheHeader() {
        byte[] b = tinyBytes();
        ModelBytes.putI32(b, 8, -5);
        rejects(ModelBytes.rechecksum(b), "'header'");
    }

    @Test
    void absurdPayloadLengthIsRejectedNamingThePayload() {
        byte[] b = tinyBytes();
        int at = ModelBytes.layout(b).get("payloadLength");
        ModelBytes.putI64(b, at, Long.MAX_VALUE);
        rejects(ModelBytes.rechecksum(b), "'payload'");
        ModelBytes.putI64(b, at, -4);
        rejects(ModelBytes.rechecksum(b), "'payload'");
    }

    // ---------------------------------------------------------------- checksum

    @Test
    void flippedPayloadByteFailsChecksumNamingTheFile() {
        byte[] b = lenetBytes();
        int at = ModelBytes.layout(b).get("payload") + 1000;
        b[at] ^= 0x10;
        rejects(b, "field 'checksum'", "corrupt");
    }

    @Test
    void flippedHeaderByteFailsChecksumBeforeAnyParsing() {
        byte[] b = lenetBytes();
        b[ModelBytes.layout(b).get("nodeCount") + 3] = 0x7F;
        rejects(b, "field 'checksum'", "corrupt");
    }

    @Test
    void flippedChecksumByteFailsChecksum() {
        byte[] b = tinyBytes();
        b[b.length - 2] ^= 0x01;
        rejects(b, "field 'checksum'", "expected 0x", "found 0x");
    }

    // ---------------------------------------------------------------- header surgery, re-checksummed so parsing runs

    /** Sets an i32 field of a valid tiny file and repairs the checksum. */
    byte[] tinyWith(String field, int value) {
        byte[] b = tinyBytes();
        Integer at = ModelBytes.layout(b).get(field);
        if (at == null)
            throw new IllegalArgumentException(
                    "no field " + field + " in " + ModelBytes.layout(b).keySet());
        ModelBytes.putI32(b, at, value);
        return ModelBytes.rechecksum(b);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "nodeCount,           2147483647, 'nodeCount'",
        "nodeCount,           -1,         'nodeCount'",
        "nodeCount,           100000,     'nodeCount'",
        "node[3].inputCount,  2147483647, 'node[3].inputCount'",
        "node[4].inputCount,  -2,         'node[4].inputCount'",
        "node[0].attrCount,   1000000,    'node[0].attrCount'",
        "paramCount,          2147483647, 'paramCount'",
        "paramCount,          11,         'paramCount'",
        "param[0].rank,       2147483647, 'param[0].rank'",
        "param[0].rank,       -1,         'param[0].rank'",
        "maskCount,           2147483647, 'maskCount'",
        "maskCount,           -7,         'maskCount'",
        "mask[0].length,      2147483647, 'mask[0].length'",
        "mask[1].length,      -3,         'mask[1].length'",
        "metadata,            2147483647, 'metadata'",
        "metadata,            -1,         'metadata'",
    })
    void absurdCountIsRejectedNamingTheField(String field, int value, String fragment) {
        rejects(tinyWith(field, value), fragment);
    }

    @Test
    void zeroNodeCountIsRejectedAsAModelFileError() {
        rejects(tinyWith("nodeCount", 0), "nodeCount");
    }

    @Test
    void absurdStringLengthIsRejectedNamingTheField() {
        byte[] b = tinyBytes();
        Map<String, Integer> at = ModelBytes.layout(b);
        ModelBytes.putU16(b, at.get("node[0].name"), 0xFFFF);
        rejects(ModelBytes.rechecksum(b), "node[0].name");
        b = tinyBytes();
        ModelBytes.putU16(b, at.get("graphName"), 0xFFFF);
        rejects(ModelBytes.rechecksum(b), "graphName");
    }

    @Test
    void unknownOpIsRejectedNamingTheNodeAndOp() {
        byte[] b = lenetBytes();
        int at = ModelBytes.layout(b).get("node[1].op");
        assertEquals("relu", ModelBytes.str(b, at));
        b[at + 2 + 3] = 'x';
        rejects(ModelBytes.rechecksum(b), "node[1]", "relu1", "unknown op 'relx'");
    }

    @Test
    void missingAttributeIsRejectedNamingIt() {
        byte[] b = lenetBytes();
        Map<String, Integer> at = ModelBytes.layout(b);
        int key = at.get("node[0].attr.out") - 2 - 3; // the u16 length, then "out"
        assertEquals("out", ModelBytes.str(b, key));
        b[key + 2 + 1] = 'o';
        rejects(ModelBytes.rechecksum(b), "node[0]", "conv1", "missing attribute 'out'");
    }

    @Test
    void changedConvWidthIsRejectedByTheNextNodesShapeCheck() {
        byte[] b = lenetBytes();
        ModelBytes.putI32(b, ModelBytes.layout(b).get("node[0].attr.out"), 7);
        rejects(ModelBytes.rechecksum(b), "node[3]", "conv2", "expects 6 input channels but found 7");
    }

    @Test
    void inputIndexPointingForwardIsRejectedNamingTheNode() {
        rejects(tinyWith("node[1].input[0]", 99), "node[1]", "bn", "refers to node 99");
        rejects(tinyWith("node[1].input[0]", -2), "node[1]", "bn");
    }

    @Test
    void nonPositiveInputShapeIsRejectedNamingTheInput() {
        rejects(tinyWith("input.c", 0), "'input'");
        rejects(tinyWith("input.w", -6), "'input'");
    }

    @Test
    void inputShapeWhoseActivationsCannotFitInAnArrayIsRejected() {
        // The tiny graph ends in a global average pool, so any spatial size builds; 1 x 2^30 x 6 floats per image
        // overflows an int and no executor could ever run it.
        rejects(tinyWith("input.h", 1 << 30), "input");
    }

    @Test
    void paramShapeMismatchIsRejectedWithExpectedAndFound() {
        byte[] b = lenetBytes();
        ModelBytes.putI32(b, ModelBytes.layout(b).get("param[0].dim[0]"), 7);
        rejects(
                ModelBytes.rechecksum(b),
                "param[0]",
                "expected conv1.weight[6, 1, 5, 5]",
                "found conv1.weight[7, 1, 5, 5]");
    }

    @Test
    void paramNameMismatchIsRejectedWithExpectedAndFound() {
        byte[] b = lenetBytes();
        int at = ModelBytes.layout(b).get("param[1].name");
        assertEquals("conv1.bias", ModelBytes.str(b, at));
        b[at + 2 + 6] = 'B';
        rejects(ModelBytes.rechecksum(b), "param[1]", "expected conv1.bias", "found conv1.Bias");
    }

    @Test
    void maskValueOtherThanZeroOrOneIsRejectedNamingTheEntry() {
        rejects(tinyWith("mask[0].alive[1]", 2), "mask[0].alive[1]", "expected 0 or 1", "found 2");
    }

    @Test
    void extraHeaderByteIsRejectedNamingTheHeaderLength() {
        byte[] b = tinyBytes();
        int end = ModelBytes.layout(b).get("headerEnd");
        byte[] c = ModelBytes.insert(b, end, new byte[] {0});
        ModelBytes.putI32(c, 8, ModelBytes.headerLength(b) + 1);
        rejects(ModelBytes.rechecksum(c), "'headerLength'");
    }

    @Test
    void extraPayloadFloatIsRejectedNamingThePayloadLength() {
        byte[] b = tinyBytes();
        Map<String, Integer> at = ModelBytes.layout(b);
        long payload = ModelBytes.i64(b, at.get("payloadLength"));
        byte[] c = ModelBytes.insert(b, b.length - 4, new byte[4]);
        ModelBytes.putI64(c, at.get("payloadLength"), payload + 4);
        rejects(ModelBytes.rechecksum(c), "'payloadLength'", "expected " + payload, "found " + (payload + 4));
    }

    @Test
    void nanParameterIsRejectedNamingTheParameterAndIndex() {
        byte[] b = tinyBytes();
        int payload = ModelBytes.layout(b).get("payload");
        ModelBytes.putFloat(b, payload + 4 * 3, Float.NaN);
        rejects(ModelBytes.rechecksum(b), "conv.weight", "[3]", "finite", "NaN");
    }

    @Test
    void infiniteBatchNormStatisticIsRejectedNamingTheBuffer() {
        byte[] b = tinyBytes();
        int payload = ModelBytes.layout(b).get("payload");
        // conv.weight (18) + conv.bias (2) + bn.gamma (2) + bn.beta (2) + bn.running_mean (2), then running_var
        ModelBytes.putFloat(b, payload + 4 * 27, Float.POSITIVE_INFINITY);
        rejects(ModelBytes.rechecksum(b), "bn.running_var", "[1]", "Infinity");
    }

    /** Attributes that make a layer allocate gigabytes before any shape or payload check can object. */
    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "node[1].attr.channels, 2130706434, bn",
        "node[9].attr.out,      1056964608, fc",
        "node[0].attr.out,      234881024,  conv",
    })
    void hugeLayerAttributeIsRejectedWithoutRunningOutOfMemory(String field, int value, String node) {
        rejects(tinyWith(field, value), node);
    }

    // ---------------------------------------------------------------- fuzzing

    /** Loads bytes in memory; returns null on success or on a ModelFileException starting with the path, else the failure. */
    static String misbehaviour(Path label, byte[] bytes) {
        try {
            ModelFile.decode(label, bytes);
            return null;
        } catch (ModelFileException e) {
            return e.getMessage().startsWith(label.toString()) ? null : "message without path: " + e.getMessage();
        } catch (Throwable t) {
            return t.toString();
        }
    }

    @Test
    void randomSingleByteMutationsOnlyEverThrowModelFileException() {
        byte[] good = tinyBytes();
        Path label = dir.resolve("fuzz.whittle");
        Random rng = new Random(20240611);
        List<String> bad = new ArrayList<>();
        int loaded = 0;
        for (int i = 0; i < 500; i++) {
            byte[] b = good.clone();
            int pos = rng.nextInt(b.length);
            int xor = 1 + rng.nextInt(255);
            b[pos] ^= (byte) xor;
            String m = misbehaviour(label, b);
            if (m != null) bad.add("byte " + pos + " ^ 0x" + Integer.toHexString(xor) + ": " + m);
            else {
                try {
                    ModelFile.decode(label, b);
                    loaded++;
                } catch (ModelFileException expected) {
                    // the usual outcome
                }
            }
        }
        assertEquals(List.of(), bad);
        assertEquals(0, loaded, "a single flipped byte was loaded although the checksum covers it");
    }

    @Test
    void randomTruncationsAlwaysSayTruncated() {
        byte[] good = tinyBytes();
        Path label = dir.resolve("cut.whittle");
        Random rng = new Random(77);
        for (int i = 0; i < 200; i++) {
            int len = rng.nextInt(good.length);
            byte[] b = Arrays.copyOf(good, len);
            Throwable t = null;
            try {
                ModelFile.decode(label, b);
            } catch (Throwable e) {
                t = e;
            }
            Throwable thrown = t;
            assertTrue(thrown instanceof ModelFileException, () -> "cut at " + len + ": " + thrown);
            assertTrue(
                    thrown.getMessage().startsWith(label.toString())
                            && thrown.getMessage().contains("truncated"),
                    () -> "cut at " + len + ": " + thrown.getMessage());
        }
    }

    /**
     * Every header byte set to a few telling values, checksum repaired so parsing runs: each load succeeds or
     * throws ModelFileException, and quickly (a corrupt header must not make the loader allocate gigabytes).
     * Cases run in a seeded shuffled order under a time budget, so a slow loader fails this test in seconds.
     */
    @Test
    void rechecksummedHeaderMutationsLoadOrThrowModelFileExceptionOnly() {
        byte[] good = tinyBytes();
        Map<String, Integer> at = ModelBytes.layout(good);
        java.util.TreeMap<Integer, String> fieldAt = new java.util.TreeMap<>();
        at.forEach((k, v) -> fieldAt.putIfAbsent(v, k));
        Path label = dir.resolve("header-fuzz.whittle");
        int end = at.get("headerEnd");
        List<int[]> cases = new ArrayList<>();
        int skipped = 0;
        for (int pos = ModelBytes.HEADER_START; pos < end; pos++) {
            int orig = good[pos] & 0xFF;
            for (int v : new int[] {0x00, 0xFF, 0x7F, 0x80, orig ^ 0x01, orig ^ 0x10}) {
                if (v == orig) continue;
                // Layer sizes beyond 2^20 are left to hugeLayerAttributeIsRejectedWithoutRunningOutOfMemory: while
                // the loader allocates before it validates, each such case can cost seconds and gigabytes.
                var field = fieldAt.floorEntry(pos);
                if (field.getValue().contains(".attr.")) {
                    byte[] b = good.clone();
                    b[pos] = (byte) v;
                    int value = ModelBytes.i32(b, field.getKey());
                    if (Math.abs((long) value) > 1 << 20) {
                        skipped++;
                        continue;
                    }
                }
                cases.add(new int[] {pos, v});
            }
        }
        assertTrue(cases.size() > 2000, "cases: " + cases.size() + ", skipped: " + skipped);
        java.util.Collections.shuffle(cases, new Random(99));
        List<String> bad = new ArrayList<>();
        long budget = System.nanoTime() + 10_000_000_000L;
        int done = 0;
        for (int[] c : cases) {
            if (System.nanoTime() > budget) {
                bad.add("stopped after " + done + " of " + cases.size() + " cases: over the 10 s budget");
                break;
            }
            int pos = c[0], v = c[1], orig = good[pos] & 0xFF;
            byte[] b = good.clone();
            b[pos] = (byte) v;
            long t0 = System.nanoTime();
            String m = misbehaviour(label, ModelBytes.rechecksum(b));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (m == null && ms > 1000) m = "took " + ms + " ms";
            if (m != null) {
                var field = fieldAt.floorEntry(pos);
                bad.add(String.format(
                        "byte %d (%s+%d) 0x%02X->0x%02X: %s", pos, field.getValue(), pos - field.getKey(), orig, v, m));
            }
            done++;
        }
        assertTrue(bad.isEmpty(), () -> bad.size() + " header mutations misbehaved:\n" + String.join("\n", bad));
    }
}
