package dev.whittle.io;

import dev.whittle.graph.Graph;
import dev.whittle.graph.GraphBuilder;
import dev.whittle.graph.Node;
import dev.whittle.nn.LayerFactory;
import dev.whittle.nn.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The Whittle model file (.whittle), versions 1 and 2. All integers little-endian.
 *
 * <pre>
 *   magic "WHTL" · u32 version · u32 headerLength · header · u64 payloadLength · payload · u32 crc32c
 *   header:  str graphName · i32 C,H,W · i32 nodeCount · node* · i32 paramCount · param* · i32 maskCount · mask*
 *            · [v2: i32 sparseCount · sparse*] · str32 metadataJson
 *   node:    str name · str op · i32 inputCount · i32 input* · i32 attrCount · (str key · i32 value)*
 *   param:   str qualifiedName · i32 rank · i32 dim*      (values in this order in the payload)
 *   mask:    str groupName · i32 length · u8 alive*        (0 or 1 per channel)
 *   sparse:  str qualifiedName · i32 kept                  (v2: this param has a weight-level mask)
 *   str:     u16 byteLength · UTF-8
 *   payload: per param in header order: float32 × size, or (v2, sparse param) a bitmap of ceil(size/8) bytes
 *            (bit i of byte i/8, least significant first, = element i kept; padding bits 0) · float32 × kept
 * </pre>
 *
 * Version 2 is written only when the model has weight-level masks, so a fine-grained pruned model at sparsity s
 * takes about (1 − s)·4 + 1/8 bytes per weight instead of 4; every other model is written as version 1, which
 * older readers load. Masked-out weights load as exactly 0 and the masks come back in
 * {@link SavedModel#weightMasks()}.
 *
 * The checksum covers every byte before it. Loading reads and checks sizes against the file's real length
 * before trusting them, verifies the checksum, rebuilds the graph through the same builder that checks
 * shapes, and requires every parameter's name and shape to match what the graph declares.
 */
public final class ModelFile {
    public static final int MAGIC = 0x4C544857; // "WHTL" read little-endian
    public static final int VERSION = 1;
    /** Written when a model has weight-level masks (bitmap + kept values). */
    public static final int VERSION_SPARSE = 2;

    private static final int MAX_FILE = Integer.MAX_VALUE - 64;

    private ModelFile() {}

    public static void save(SavedModel model, Path file) {
        byte[] bytes;
        try {
            bytes = encode(model);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, e.getMessage(), e);
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            // Write beside the target and move, so a crash never leaves a half-written model under its name.
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ModelFileException(file, "cannot write: " + e.getMessage(), e);
        }
    }

    /** The file's bytes for a model. */
    public static byte[] encode(SavedModel model) {
        List<Graph.NamedParam> params = model.graph().namedParams();
        Map<String, boolean[]> wm = model.weightMasks();
        checkWeightMasks(params, wm);
        boolean sparse = !wm.isEmpty();
        byte[] header = encodeHeader(model, sparse);
        long payload = 0;
        for (Graph.NamedParam p : params) {
            boolean[] keep = wm.get(p.name());
            payload += keep == null ? 4L * p.param().size() : (p.param().size() + 7) / 8 + 4L * kept(keep);
        }
        long total = 4 + 4 + 4 + header.length + 8 + payload + 4;
        if (total > MAX_FILE) throw new IllegalArgumentException("model too large to save: " + total + " bytes");
        ByteBuffer buf = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(MAGIC)
                .putInt(sparse ? VERSION_SPARSE : VERSION)
                .putInt(header.length)
                .put(header)
                .putLong(payload);
        for (Graph.NamedParam p : params) {
            float[] v = p.param().value();
            boolean[] keep = wm.get(p.name());
            if (keep == null) {
                for (float x : v) buf.putFloat(x);
                continue;
            }
            byte[] bits = new byte[(v.length + 7) / 8];
            for (int i = 0; i < v.length; i++) if (keep[i]) bits[i >>> 3] |= (byte) (1 << (i & 7));
            buf.put(bits);
            for (int i = 0; i < v.length; i++) if (keep[i]) buf.putFloat(v[i]);
        }
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, buf.position());
        buf.putInt((int) crc.getValue());
        return buf.array();
    }

    private static void checkWeightMasks(List<Graph.NamedParam> params, Map<String, boolean[]> wm) {
        for (var e : wm.entrySet()) {
            Graph.NamedParam p = params.stream()
                    .filter(x -> x.name().equals(e.getKey()))
                    .findFirst()
                    .orElseThrow(() ->
                            new IllegalArgumentException("weight mask for unknown parameter '" + e.getKey() + "'"));
            if (e.getValue().length != p.param().size()) {
                throw new IllegalArgumentException("weight mask for '" + e.getKey() + "' expected "
                        + p.param().size() + " flags but found " + e.getValue().length);
            }
        }
    }

    private static int kept(boolean[] keep) {
        int k = 0;
        for (boolean b : keep) if (b) k++;
        return k;
    }

    /** Decodes bytes held in memory (errors name no file). */
    public static SavedModel decode(byte[] bytes) {
        return decode(Path.of("<memory>"), bytes);
    }

    public static SavedModel load(Path file) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE)
                throw new ModelFileException(file, "file is " + size + " bytes, larger than any model file");
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelFileException(file, "no such file");
        } catch (IOException e) {
            throw new ModelFileException(file, "cannot read: " + e.getMessage(), e);
        }
        return decode(file, bytes);
    }

    static SavedModel decode(Path file, byte[] bytes) {
        Reader r = new Reader(file, bytes);
        int magic = r.i32("magic");
        if (magic != MAGIC) {
            throw new ModelFileException(
                    file,
                    String.format(
                            "field 'magic' expected 0x%08X (\"WHTL\") but found 0x%08X: not a Whittle model file",
                            MAGIC, magic));
        }
        int version = r.i32("version");
        if (version != VERSION && version != VERSION_SPARSE)
            throw new ModelFileException(
                    file, "field 'version' expected " + VERSION + " or " + VERSION_SPARSE + " but found " + version);
        boolean v2 = version == VERSION_SPARSE;
        int headerLength = r.i32("headerLength");
        r.require("header", headerLength);
        int headerStart = r.pos;
        r.pos += headerLength;
        long payloadLength = r.i64("payloadLength");
        r.require("payload", payloadLength);
        int payloadStart = r.pos;
        r.pos += (int) payloadLength;
        int crcPos = r.pos;
        int stored = r.i32("checksum");
        if (r.pos != bytes.length) {
            throw new ModelFileException(
                    file,
                    "field 'fileLength' expected " + r.pos + " bytes but found " + bytes.length + " (trailing data)");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, crcPos);
        if ((int) crc.getValue() != stored) {
            throw new ModelFileException(
                    file,
                    String.format(
                            "field 'checksum' expected 0x%08X but found 0x%08X: the file is corrupt",
                            (int) crc.getValue(), stored));
        }

        Reader h = new Reader(file, bytes, headerStart, headerStart + headerLength);
        String name = h.str("graphName");
        Shape input;
        try {
            input = new Shape(h.i32("input.c"), h.i32("input.h"), h.i32("input.w"));
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, "field 'input': " + e.getMessage());
        }
        GraphBuilder builder = new GraphBuilder(name, input);
        int nodeCount = h.count("nodeCount", 8);
        long valuesSoFar = 0;
        for (int i = 0; i < nodeCount; i++) {
            String node = h.str("node[" + i + "].name");
            String op = h.str("node[" + i + "].op");
            int inputs = h.count("node[" + i + "].inputCount", 4);
            int[] in = new int[inputs];
            for (int j = 0; j < inputs; j++) in[j] = h.i32("node[" + i + "].input[" + j + "]");
            int attrs = h.count("node[" + i + "].attrCount", 6);
            Map<String, Integer> a = new LinkedHashMap<>();
            for (int j = 0; j < attrs; j++)
                a.put(h.str("node[" + i + "].attr key"), h.i32("node[" + i + "].attr value"));
            try {
                valuesSoFar += LayerFactory.valueCount(op, a);
                // v1 stores 4 bytes per value; v2 at least one bitmap bit. Checked before building huge layers.
                long minBytes = v2 ? (valuesSoFar + 7) / 8 : 4 * valuesSoFar;
                if (minBytes > payloadLength) {
                    throw new ModelFileException(
                            file,
                            "node[" + i + "] '" + node + "' (" + op + " " + a + "): its attributes need " + minBytes
                                    + " payload bytes so far but the payload holds " + payloadLength);
                }
                builder.add(node, LayerFactory.create(op, a), in);
            } catch (IllegalArgumentException e) {
                throw new ModelFileException(file, "node[" + i + "] '" + node + "': " + e.getMessage());
            }
        }
        if (nodeCount == 0) throw new ModelFileException(file, "field 'nodeCount' expected at least 1 but found 0");
        Graph graph = builder.build();
        List<Graph.NamedParam> expected = graph.namedParams();
        int paramCount = h.count("paramCount", 6);
        if (paramCount != expected.size()) {
            throw new ModelFileException(
                    file,
                    "field 'paramCount' expected " + expected.size() + " (from the graph) but found " + paramCount);
        }
        for (int i = 0; i < paramCount; i++) {
            Graph.NamedParam want = expected.get(i);
            String pname = h.str("param[" + i + "].name");
            int rank = h.count("param[" + i + "].rank", 4);
            int[] dims = new int[rank];
            for (int j = 0; j < rank; j++) dims[j] = h.i32("param[" + i + "].dim[" + j + "]");
            if (!pname.equals(want.name()) || !Arrays.equals(dims, want.param().shape())) {
                throw new ModelFileException(
                        file,
                        "param[" + i + "] expected " + want.name()
                                + Arrays.toString(want.param().shape()) + " but found " + pname
                                + Arrays.toString(dims));
            }
        }
        int maskCount = h.count("maskCount", 6);
        Map<String, boolean[]> masks = new LinkedHashMap<>();
        for (int i = 0; i < maskCount; i++) {
            String g = h.str("mask[" + i + "].group");
            int len = h.count("mask[" + i + "].length", 1);
            boolean[] alive = new boolean[len];
            for (int j = 0; j < len; j++) {
                int v = h.u8("mask[" + i + "].alive[" + j + "]");
                if (v > 1)
                    throw new ModelFileException(
                            file, "field 'mask[" + i + "].alive[" + j + "]' expected 0 or 1 but found " + v);
                alive[j] = v == 1;
            }
            masks.put(g, alive);
        }
        Map<String, Integer> sparseKept = new LinkedHashMap<>();
        if (v2) {
            int sparseCount = h.count("sparseCount", 6);
            for (int i = 0; i < sparseCount; i++) {
                String field = "sparse[" + i + "]";
                String pn = h.str(field + ".name");
                int kept = h.i32("sparse[" + i + "].kept");
                Graph.NamedParam p = expected.stream()
                        .filter(x -> x.name().equals(pn))
                        .findFirst()
                        .orElseThrow(() -> new ModelFileException(
                                file, "field '" + field + ".name' expected a parameter name but found '" + pn + "'"));
                if (kept < 0 || kept > p.param().size())
                    throw new ModelFileException(
                            file,
                            "field 'sparse[" + i + "].kept' expected 0.."
                                    + p.param().size() + " but found " + kept);
                if (sparseKept.put(pn, kept) != null)
                    throw new ModelFileException(file, "field 'sparse[" + i + "].name': '" + pn + "' appears twice");
            }
        }
        long needed = 0;
        for (Graph.NamedParam p : expected) {
            Integer kept = sparseKept.get(p.name());
            needed += kept == null ? 4L * p.param().size() : (p.param().size() + 7) / 8 + 4L * kept;
        }
        if (needed != payloadLength) {
            throw new ModelFileException(
                    file,
                    "field 'payloadLength' expected " + needed + " (from the parameter shapes) but found "
                            + payloadLength);
        }
        String meta = h.str32("metadata");
        if (h.pos != h.end) {
            throw new ModelFileException(
                    file, "field 'headerLength' expected " + (h.pos - headerStart) + " but found " + headerLength);
        }
        ByteBuffer payload =
                ByteBuffer.wrap(bytes, payloadStart, (int) payloadLength).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, boolean[]> weightMasks = new LinkedHashMap<>();
        for (Graph.NamedParam p : expected) {
            float[] v = p.param().value();
            Integer kept = sparseKept.get(p.name());
            boolean[] keep = null;
            if (kept != null) {
                keep = new boolean[v.length];
                byte[] bits = new byte[(v.length + 7) / 8];
                payload.get(bits);
                int ones = 0;
                for (int i = 0; i < bits.length * 8; i++) {
                    boolean set = (bits[i >>> 3] >>> (i & 7) & 1) != 0;
                    if (!set) continue;
                    if (i >= v.length)
                        throw new ModelFileException(
                                file, "param '" + p.name() + "' bitmap: padding bit " + i + " expected 0 but found 1");
                    keep[i] = true;
                    ones++;
                }
                if (ones != kept)
                    throw new ModelFileException(
                            file,
                            "param '" + p.name() + "' bitmap: expected " + kept + " kept weights (field 'kept') but"
                                    + " found " + ones + " bits set");
                weightMasks.put(p.name(), keep);
            }
            for (int i = 0; i < v.length; i++) {
                if (keep != null && !keep[i]) {
                    v[i] = 0f;
                    continue;
                }
                v[i] = payload.getFloat();
                if (!Float.isFinite(v[i])) {
                    throw new ModelFileException(
                            file, "param '" + p.name() + "'[" + i + "] expected a finite value but found " + v[i]);
                }
            }
        }
        return new SavedModel(graph, masks, meta, weightMasks);
    }

    private static byte[] encodeHeader(SavedModel m, boolean sparse) {
        Writer w = new Writer();
        Graph g = m.graph();
        w.str(g.name());
        w.i32(g.inputShape().c()).i32(g.inputShape().h()).i32(g.inputShape().w());
        w.i32(g.nodes().size());
        for (Node n : g.nodes()) {
            w.str(n.name()).str(n.layer().op()).i32(n.inputs().length);
            for (int in : n.inputs()) w.i32(in);
            Map<String, Integer> a = n.layer().attrs();
            w.i32(a.size());
            a.forEach((k, v) -> w.str(k).i32(v));
        }
        List<Graph.NamedParam> params = g.namedParams();
        w.i32(params.size());
        for (Graph.NamedParam p : params) {
            w.str(p.name()).i32(p.param().shape().length);
            for (int d : p.param().shape()) w.i32(d);
        }
        w.i32(m.masks().size());
        m.masks().forEach((name, alive) -> {
            w.str(name).i32(alive.length);
            for (boolean b : alive) w.u8(b ? 1 : 0);
        });
        if (sparse) {
            // In parameter order, so the payload and this list agree without a lookup.
            List<Graph.NamedParam> sp = params.stream()
                    .filter(p -> m.weightMasks().containsKey(p.name()))
                    .toList();
            w.i32(sp.size());
            for (Graph.NamedParam p : sp)
                w.str(p.name()).i32(kept(m.weightMasks().get(p.name())));
        }
        w.str32(m.metadataJson());
        return w.toBytes();
    }

    /** Reads little-endian fields, checking each against the bytes that really remain. */
    private static final class Reader {
        final Path file;
        final byte[] b;
        final int end;
        int pos;

        Reader(Path file, byte[] b) {
            this(file, b, 0, b.length);
        }

        Reader(Path file, byte[] b, int start, int end) {
            this.file = file;
            this.b = b;
            this.pos = start;
            this.end = end;
        }

        void require(String field, long n) {
            if (n < 0 || n > end - pos) {
                throw new ModelFileException(
                        file,
                        "truncated: field '" + field + "' needs " + n + " bytes but only " + (end - pos) + " remain");
            }
        }

        int u8(String field) {
            require(field, 1);
            return b[pos++] & 0xFF;
        }

        int i32(String field) {
            require(field, 4);
            int v = (b[pos] & 0xFF) | (b[pos + 1] & 0xFF) << 8 | (b[pos + 2] & 0xFF) << 16 | (b[pos + 3] & 0xFF) << 24;
            pos += 4;
            return v;
        }

        long i64(String field) {
            require(field, 8);
            long lo = i32(field) & 0xFFFFFFFFL;
            long hi = i32(field) & 0xFFFFFFFFL;
            return lo | hi << 32;
        }

        /** A count whose items take at least {@code minBytes} each, so it can never exceed what remains. */
        int count(String field, int minBytes) {
            int n = i32(field);
            if (n < 0 || (long) n * minBytes > end - pos) {
                throw new ModelFileException(
                        file, "field '" + field + "' is " + n + " but only " + (end - pos) + " header bytes remain");
            }
            return n;
        }

        String str(String field) {
            require(field, 2);
            int len = (b[pos] & 0xFF) | (b[pos + 1] & 0xFF) << 8;
            pos += 2;
            require(field, len);
            String s = new String(b, pos, len, java.nio.charset.StandardCharsets.UTF_8);
            pos += len;
            return s;
        }

        String str32(String field) {
            int len = i32(field);
            require(field, len);
            String s = new String(b, pos, len, java.nio.charset.StandardCharsets.UTF_8);
            pos += len;
            return s;
        }
    }

    private static final class Writer {
        private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

        Writer u8(int v) {
            out.write(v);
            return this;
        }

        Writer i32(int v) {
            out.write(v);
            out.write(v >>> 8);
            out.write(v >>> 16);
            out.write(v >>> 24);
            return this;
        }

        Writer str(String s) {
            byte[] u = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (u.length > 0xFFFF)
                throw new IllegalArgumentException("name too long for a model file: " + u.length + " bytes");
            out.write(u.length);
            out.write(u.length >>> 8);
            out.writeBytes(u);
            return this;
        }

        Writer str32(String s) {
            byte[] u = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            i32(u.length);
            out.writeBytes(u);
            return this;
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }
}
