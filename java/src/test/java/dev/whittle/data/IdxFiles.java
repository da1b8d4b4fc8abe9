package dev.whittle.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Builds IDX files byte by byte, so tests can write both good files and precisely broken ones. */
final class IdxFiles {

    private IdxFiles() {}

    /** A well-formed image file's bytes: header then pixels. */
    static byte[] images(int count, int rows, int cols, byte[] pixels) {
        return concat(header(IdxReader.IMAGES_MAGIC, count, rows, cols), pixels);
    }

    /** A well-formed label file's bytes: header then labels. */
    static byte[] labels(byte[] labels) {
        return concat(header(IdxReader.LABELS_MAGIC, labels.length), labels);
    }

    /** Big-endian int32 header fields, any values (including wrong ones). */
    static byte[] header(int... fields) {
        ByteBuffer b = ByteBuffer.allocate(4 * fields.length);
        for (int f : fields) {
            b.putInt(f);
        }
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] gzip(byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes {@code content}, gzip-compressed if asked, and returns the path. */
    static Path write(Path file, byte[] content, boolean compress) {
        try {
            Files.write(file, compress ? gzip(content) : content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Pixels 0, 1, 2, ... wrapping at 256: every position distinguishable, extremes 0 and 255 included. */
    static byte[] rampPixels(int n) {
        byte[] p = new byte[n];
        for (int i = 0; i < n; i++) {
            p[i] = (byte) (i * 37 % 256);
        }
        return p;
    }
}
