package dev.whittle.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.whittle.graph.Graph;
import dev.whittle.model.Models;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Model file version 2: weight-level masks stored as a bitmap plus the kept values. Round trips, the choice of
 * version, the size saving, v1 files still loading, and corrupt files (truncated, bit-flipped, fields edited with
 * a valid checksum) failing with a {@link ModelFileException} naming the field.
 */
class ModelFileV2Test {
    private static final Path LABEL = Path.of("v2.whittle");

    /** VGG-small (narrow) with `sparsity` of every conv/linear weight masked and zeroed. */
    static SavedModel masked(double sparsity, long seed) {
        Graph g = ModelFileTest.prepared(ModelFileTest.smallVgg(), seed);
        Map<String, boolean[]> wm = new LinkedHashMap<>();
        SplittableRandom r = new SplittableRandom(seed);
        for (Graph.NamedParam p : g.namedParams()) {
            if (!p.name().endsWith(".weight") || p.param().shape().length < 2) continue;
            float[] v = p.param().value();
            boolean[] keep = new boolean[v.length];
            for (int i = 0; i < v.length; i++) {
                keep[i] = r.nextDouble() >= sparsity;
                if (!keep[i]) v[i] = 0f;
            }
            wm.put(p.name(), keep);
        }
        return new SavedModel(g, Map.of(), "{\"sparse\":true}", wm);
    }

    static void assertSameModel(SavedModel a, SavedModel b) {
        List<Graph.NamedParam> pa = a.graph().namedParams(), pb = b.graph().namedParams();
        assertEquals(pa.size(), pb.size());
        for (int i = 0; i < pa.size(); i++)
            assertArrayEquals(
                    ModelFileTest.bits(pa.get(i).param().value()),
                    ModelFileTest.bits(pb.get(i).param().value()),
                    pa.get(i).name());
        assertEquals(a.weightMasks().keySet(), b.weightMasks().keySet());
        for (String k : a.weightMasks().keySet())
            assertArrayEquals(a.weightMasks().get(k), b.weightMasks().get(k), k);
        assertEquals(a.metadataJson(), b.metadataJson());
    }

    @Test
    void weightMaskedModelRoundTripsBitwiseWithItsMasksAsVersion2() {
        SavedModel m = masked(0.9, 1);
        byte[] b = ModelFile.encode(m);
        assertEquals(2, ModelBytes.i32(b, 4));
        assertSameModel(m, ModelFile.decode(LABEL, b));
    }

    @Test
    void modelWithoutWeightMasksIsStillWrittenAsVersion1() {
        SavedModel m = SavedModel.dense(ModelFileTest.prepared(ModelFileTest.smallVgg(), 2), "{}");
        assertEquals(1, ModelBytes.i32(ModelFile.encode(m), 4));
        assertTrue(ModelFile.decode(LABEL, ModelFile.encode(m)).weightMasks().isEmpty());
    }

    @Test
    void ninetyPercentSparseFileIsAFractionOfTheDenseFile() {
        SavedModel m = masked(0.9, 3);
        long v2 = ModelFile.encode(m).length;
        long v1 = ModelFile.encode(SavedModel.dense(m.graph(), m.metadataJson())).length;
        // Masked weights: 1 bit + 10 % of 4 bytes ≈ 0.525 byte instead of 4; BN and biases stay dense.
        assertTrue(v2 < 0.25 * v1, "v2 " + v2 + " bytes vs v1 " + v1);
    }

    @Test
    void allKeptAndNoneKeptMasksRoundTrip() {
        SavedModel m = masked(0.5, 4);
        Map<String, boolean[]> wm = new LinkedHashMap<>(m.weightMasks());
        String first = wm.keySet().iterator().next(), last = new ArrayList<>(wm.keySet()).getLast();
        boolean[] all = new boolean[wm.get(first).length];
        java.util.Arrays.fill(all, true);
        wm.put(first, all);
        wm.put(last, new boolean[wm.get(last).length]);
        for (var p : m.graph().namedParams())
            if (p.name().equals(last)) java.util.Arrays.fill(p.param().value(), 0f);
        SavedModel edge = new SavedModel(m.graph(), Map.of(), "{}", wm);
        assertSameModel(edge, ModelFile.decode(LABEL, ModelFile.encode(edge)));
    }

    @Test
    void committedVersion1FileStillLoads() {
        Path v1 = Path.of("..", "bench", "results", "lenet5_30ep.whittle");
        SavedModel m = ModelFile.load(v1);
        assertEquals("lenet5", m.graph().name());
        assertTrue(m.weightMasks().isEmpty());
    }

    @Test
    void maskForAnUnknownParameterOrOfTheWrongLengthIsRefusedOnSave() {
        Graph g = Models.lenet5(10);
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> ModelFile.encode(new SavedModel(g, Map.of(), "{}", Map.of("nope.weight", new boolean[3]))));
        assertEquals("weight mask for unknown parameter 'nope.weight'", e.getMessage());
        String name = g.namedParams().getFirst().name();
        e = assertThrows(
                IllegalArgumentException.class,
                () -> ModelFile.encode(new SavedModel(g, Map.of(), "{}", Map.of(name, new boolean[3]))));
        assertTrue(e.getMessage()
                .contains("expected " + g.namedParams().getFirst().param().size() + " flags but found 3"));
    }

    // ---------------------------------------------------------------- corruption

    static ModelFileException rejected(byte[] b) {
        try {
            ModelFile.decode(LABEL, b);
        } catch (ModelFileException e) {
            assertTrue(e.getMessage().startsWith(LABEL.toString()), e.getMessage());
            return e;
        } catch (Throwable t) {
            throw new AssertionError("expected ModelFileException but got " + t, t);
        }
        return fail("corrupt file loaded");
    }

    @Test
    void everyTruncationSaysTruncated() {
        byte[] good = ModelFile.encode(masked(0.8, 5));
        Random rng = new Random(5);
        for (int i = 0; i < 150; i++) {
            int len = rng.nextInt(good.length);
            String msg = rejected(java.util.Arrays.copyOf(good, len)).getMessage();
            assertTrue(msg.contains("truncated"), "cut at " + len + ": " + msg);
        }
    }

    @Test
    void everySingleBitFlipIsRejected() {
        byte[] good = ModelFile.encode(masked(0.8, 6));
        Random rng = new Random(6);
        for (int i = 0; i < 400; i++) {
            byte[] b = good.clone();
            b[rng.nextInt(b.length)] ^= (byte) (1 << rng.nextInt(8));
            rejected(b);
        }
    }

    /** Offset of the i32 'kept' of the first sparse entry (its name's last occurrence in the header). */
    static int keptOffset(byte[] b, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        int headerEnd = 12 + ModelBytes.i32(b, 8);
        for (int pos = headerEnd - n.length; pos >= 12; pos--) {
            boolean match = true;
            for (int j = 0; j < n.length && match; j++) match = b[pos + j] == n[j];
            if (match) return pos + n.length;
        }
        throw new AssertionError(name + " not in header");
    }

    @Test
    void keptCountThatDisagreesWithTheBitmapIsNamed() {
        SavedModel m = masked(0.8, 7);
        String first = m.weightMasks().keySet().iterator().next();
        byte[] b = ModelFile.encode(m);
        int at = keptOffset(b, first);
        ModelBytes.putI32(b, at, ModelBytes.i32(b, at) + 1);
        String msg = rejected(ModelBytes.rechecksum(b)).getMessage();
        // One more kept value makes the payload 4 bytes longer than stored: caught as a length mismatch.
        assertTrue(msg.contains("'payloadLength' expected"), msg);
    }

    @Test
    void impossibleKeptCountIsNamedWithItsRange() {
        SavedModel m = masked(0.8, 8);
        String first = m.weightMasks().keySet().iterator().next();
        byte[] b = ModelFile.encode(m);
        ModelBytes.putI32(b, keptOffset(b, first), -1);
        String msg = rejected(ModelBytes.rechecksum(b)).getMessage();
        assertTrue(msg.contains("field 'sparse[0].kept' expected 0.."), msg);
        assertTrue(msg.contains("but found -1"), msg);
    }

    @Test
    void bitmapWithADifferentNumberOfBitsThanKeptIsNamed() {
        SavedModel m = masked(0.8, 9);
        byte[] b = ModelFile.encode(m);
        Map<String, Integer> at = ModelBytes.layout(b);
        int payload = at.get("payload");
        // The first param in VGG order is conv1.weight, sparse: its bitmap starts the payload.
        String first = m.graph().namedParams().getFirst().name();
        assertTrue(m.weightMasks().containsKey(first));
        b[payload] ^= 1; // one bit more or fewer than 'kept'
        String msg = rejected(ModelBytes.rechecksum(b)).getMessage();
        assertTrue(msg.contains("param '" + first + "' bitmap: expected"), msg);
    }

    @Test
    void setPaddingBitInTheBitmapIsNamed() {
        Graph g = Models.lenet5(10);
        g.initialize(1);
        String name = g.namedParams().getFirst().name();
        int size = g.namedParams().getFirst().param().size();
        if (size % 8 == 0) return; // no padding bits to corrupt in this layout
        boolean[] keep = new boolean[size];
        keep[0] = true;
        for (int i = 1; i < size; i++) g.namedParams().getFirst().param().value()[i] = 0f;
        byte[] b = ModelFile.encode(new SavedModel(g, Map.of(), "{}", Map.of(name, keep)));
        int payload = ModelBytes.layout(b).get("payload");
        int lastByte = payload + (size + 7) / 8 - 1;
        b[lastByte] |= (byte) 0x80; // bit 8·k+7 ≥ size: padding
        // Also drop one kept (bit 0) so the count still matches and only the padding check can fire.
        b[payload] &= (byte) ~1;
        String msg = rejected(ModelBytes.rechecksum(b)).getMessage();
        assertTrue(msg.contains("padding bit"), msg);
    }

    @Test
    void unknownSparseParameterNameIsNamed() {
        SavedModel m = masked(0.8, 10);
        String first = m.weightMasks().keySet().iterator().next();
        byte[] b = ModelFile.encode(m);
        int at = keptOffset(b, first) - 1; // last character of the name in the sparse list
        b[at] = (byte) 'X';
        String msg = rejected(ModelBytes.rechecksum(b)).getMessage();
        assertTrue(msg.contains("field 'sparse[0].name' expected a parameter name but found"), msg);
    }
}
