package dev.whittle.io;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The few protocol-buffer wire encodings an ONNX file needs (varint, length-delimited, fixed32), written by hand:
 * the ONNX schema is stable and small, and a protobuf runtime plus generated ONNX classes would add two
 * dependencies and a code generator to the build for about a hundred lines of encoding.
 *
 * <p>Repeated scalars are written unpacked, one tag per element: the ONNX schema is proto2, where that is the
 * default encoding, and every protobuf parser accepts it.
 */
final class ProtoWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A varint field (int32, int64, enum). */
    ProtoWriter varint(int field, long value) {
        tag(field, 0);
        raw(value);
        return this;
    }

    /** A repeated int64 field, one element per tag. */
    ProtoWriter varints(int field, long... values) {
        for (long v : values) varint(field, v);
        return this;
    }

    /** A float (fixed32) field. */
    ProtoWriter float32(int field, float value) {
        tag(field, 5);
        int bits = Float.floatToRawIntBits(value);
        for (int i = 0; i < 4; i++) out.write(bits >>> (8 * i));
        return this;
    }

    ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A length-delimited field. */
    ProtoWriter bytes(int field, byte[] value) {
        tag(field, 2);
        raw(value.length);
        out.writeBytes(value);
        return this;
    }

    /** An embedded message. */
    ProtoWriter message(int field, ProtoWriter message) {
        return bytes(field, message.toByteArray());
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void tag(int field, int wireType) {
        raw(((long) field << 3) | wireType);
    }

    private void raw(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
