package dev.whittle.io;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Byte surgery on .whittle files for tests: little-endian field access, checksum repair, and a map from the
 * field names {@link ModelFile} uses in its messages to their offsets in a valid file (walked independently of
 * the loader, from the format in ModelFile's Javadoc).
 */
final class ModelBytes {
    /** Offset of the header: magic, version and headerLength come first. */
    static final int HEADER_START = 12;

    private ModelBytes() {}

    static int i32(byte[] b, int pos) {
        return (b[pos] & 0xFF) | (b[pos + 1] & 0xFF) << 8 | (b[pos + 2] & 0xFF) << 16 | (b[pos + 3] & 0xFF) << 24;
    }

    static int u16(byte[] b, int pos) {
        return (b[pos] & 0xFF) | (b[pos + 1] & 0xFF) << 8;
    }

    static long i64(byte[] b, int pos) {
        return (i32(b, pos) & 0xFFFFFFFFL) | (long) i32(b, pos + 4) << 32;
    }

    static void putU16(byte[] b, int pos, int v) {
        b[pos] = (byte) v;
        b[pos + 1] = (byte) (v >>> 8);
    }

    static void putI32(byte[] b, int pos, int v) {
        for (int i = 0; i < 4; i++) b[pos + i] = (byte) (v >>> (8 * i));
    }

    static void putI64(byte[] b, int pos, long v) {
        for (int i = 0; i < 8; i++) b[pos + i] = (byte) (v >>> (8 * i));
    }

    static void putFloat(byte[] b, int pos, float v) {
        putI32(b, pos, Float.floatToRawIntBits(v));
    }

    /** Recomputes the CRC32C over every byte before the last 4 and stores it little-endian in the last 4 (in place). */
    static byte[] rechecksum(byte[] b) {
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        putI32(b, b.length - 4, (int) crc.getValue());
        return b;
    }

    /** A copy with {@code insert} spliced in at {@code pos}. */
    static byte[] insert(byte[] b, int pos, byte[] insert) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, pos);
        out.writeBytes(insert);
        out.write(b, pos, b.length - pos);
        return out.toByteArray();
    }

    static int headerLength(byte[] b) {
        return i32(b, 8);
    }

    /**
     * Offsets of every field of a valid file, keyed like ModelFile's messages: "nodeCount", "node[3].op",
     * "node[0].attr.out" (the value), "param[2].dim[1]", "mask[0].alive[4]", "metadata", "payloadLength",
     * "payload", "checksum", "headerEnd". A str field's offset is that of its u16 length.
     */
    static Map<String, Integer> layout(byte[] b) {
        Map<String, Integer> at = new LinkedHashMap<>();
        at.put("magic", 0);
        at.put("version", 4);
        at.put("headerLength", 8);
        int p = HEADER_START;
        at.put("graphName", p);
        p += 2 + u16(b, p);
        at.put("input.c", p);
        at.put("input.h", p + 4);
        at.put("input.w", p + 8);
        p += 12;
        at.put("nodeCount", p);
        int nodes = i32(b, p);
        p += 4;
        for (int i = 0; i < nodes; i++) {
            String n = "node[" + i + "]";
            at.put(n + ".name", p);
            p += 2 + u16(b, p);
            at.put(n + ".op", p);
            p += 2 + u16(b, p);
            at.put(n + ".inputCount", p);
            int inputs = i32(b, p);
            p += 4;
            for (int j = 0; j < inputs; j++, p += 4) at.put(n + ".input[" + j + "]", p);
            at.put(n + ".attrCount", p);
            int attrs = i32(b, p);
            p += 4;
            for (int j = 0; j < attrs; j++) {
                int len = u16(b, p);
                String key = new String(b, p + 2, len, StandardCharsets.UTF_8);
                p += 2 + len;
                at.put(n + ".attr." + key, p);
                p += 4;
            }
        }
        at.put("paramCount", p);
        int params = i32(b, p);
        p += 4;
        for (int i = 0; i < params; i++) {
            String n = "param[" + i + "]";
            at.put(n + ".name", p);
            p += 2 + u16(b, p);
            at.put(n + ".rank", p);
            int rank = i32(b, p);
            p += 4;
            for (int j = 0; j < rank; j++, p += 4) at.put(n + ".dim[" + j + "]", p);
        }
        at.put("maskCount", p);
        int masks = i32(b, p);
        p += 4;
        for (int i = 0; i < masks; i++) {
            String n = "mask[" + i + "]";
            at.put(n + ".group", p);
            p += 2 + u16(b, p);
            at.put(n + ".length", p);
            int len = i32(b, p);
            p += 4;
            for (int j = 0; j < len; j++, p++) at.put(n + ".alive[" + j + "]", p);
        }
        if (i32(b, 4) == 2) {
            at.put("sparseCount", p);
            int sparse = i32(b, p);
            p += 4;
            for (int i = 0; i < sparse; i++) {
                at.put("sparse[" + i + "].name", p);
                p += 2 + u16(b, p);
                at.put("sparse[" + i + "].kept", p);
                p += 4;
            }
        }
        at.put("metadata", p);
        p += 4 + i32(b, p);
        at.put("headerEnd", p);
        if (p != HEADER_START + headerLength(b)) {
            throw new IllegalStateException(
                    "layout walk ended at " + p + " but the header ends at " + (HEADER_START + headerLength(b)));
        }
        at.put("payloadLength", p);
        at.put("payload", p + 8);
        at.put("checksum", b.length - 4);
        return at;
    }

    /** The string stored at a str field's offset. */
    static String str(byte[] b, int pos) {
        return new String(b, pos + 2, u16(b, pos), StandardCharsets.UTF_8);
    }

    /** A copy of the first {@code n} bytes. */
    static byte[] head(byte[] b, int n) {
        return Arrays.copyOf(b, n);
    }
}
