package dev.whittle.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST / Fashion-MNIST format), gzip-compressed or raw.
 *
 * <p>The header's size fields decide how much memory we allocate, so none of them is trusted: dimensions are
 * bounded, products are computed in {@code long}, the buffer grows only as real data arrives (a 20-byte file
 * claiming two gigabytes costs at most {@value #FIRST_ALLOCATION} bytes before it is caught), and a file with
 * fewer <em>or more</em> bytes than promised is rejected, since either means it is not the file the header
 * describes. Every failure is a {@link DataFileException} naming the file and the field.
 */
public final class IdxReader {

    /** IDX magic: unsigned bytes, three dimensions (count, rows, cols). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** IDX magic: unsigned bytes, one dimension (count). */
    public static final int LABELS_MAGIC = 0x00000801;
    /** Largest accepted image side; real data sets are far below, a corrupt header is usually far above. */
    public static final int MAX_SIDE = 4096;
    /** Largest payload: the largest Java array the JVM reliably allocates. */
    public static final int MAX_BYTES = Integer.MAX_VALUE - 8;

    private static final int BUFFER = 1 << 16;
    private static final int FIRST_ALLOCATION = 1 << 26;
    private static final String[] IMAGE_FIELDS = {"magic", "count", "rows", "cols"};
    private static final String[] LABEL_FIELDS = {"magic", "count"};

    private IdxReader() {}

    /** Reads an IDX3 image file ({@value #IMAGES_MAGIC}): all images as unsigned bytes. */
    public static IdxImages readImages(Path file) {
        try (InputStream in = open(file)) {
            int[] h = readHeader(in, file, IMAGE_FIELDS, IMAGES_MAGIC);
            int count = h[1];
            int rows = h[2];
            int cols = h[3];
            if (count < 0) {
                throw DataFileException.field(file, "count", "0.." + MAX_BYTES, Integer.toString(count));
            }
            checkSide(file, "rows", rows);
            checkSide(file, "cols", cols);
            long total = (long) count * rows * cols;
            if (total > MAX_BYTES) {
                throw DataFileException.field(
                        file,
                        "count",
                        "at most " + MAX_BYTES / ((long) rows * cols) + " images of " + rows + "x" + cols + " ("
                                + MAX_BYTES + " bytes)",
                        Integer.toString(count));
            }
            String promise = "header says " + count + " images of " + rows + "x" + cols + " (" + total + " bytes)";
            byte[] pixels = readPayload(in, file, (int) total, promise, "pixels");
            return new IdxImages(count, rows, cols, pixels);
        } catch (ZipException e) {
            throw new DataFileException(file, "corrupt gzip data (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new DataFileException(file, "cannot read (" + e + ")", e);
        }
    }

    /** Reads an IDX1 label file ({@value #LABELS_MAGIC}): one unsigned byte per sample, not range-checked. */
    public static byte[] readLabels(Path file) {
        try (InputStream in = open(file)) {
            int[] h = readHeader(in, file, LABEL_FIELDS, LABELS_MAGIC);
            int count = h[1];
            if (count < 0 || count > MAX_BYTES) {
                throw DataFileException.field(file, "count", "0.." + MAX_BYTES, Integer.toString(count));
            }
            return readPayload(in, file, count, "header says " + count + " labels (" + count + " bytes)", "labels");
        } catch (ZipException e) {
            throw new DataFileException(file, "corrupt gzip data (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new DataFileException(file, "cannot read (" + e + ")", e);
        }
    }

    /**
     * Opens the file, decompressing if it starts with the gzip magic. Anything that is neither gzip nor starts
     * like an IDX magic (two zero bytes) is rejected here, so garbage gets a clear "not a gzip file" instead of
     * a confusing magic mismatch.
     */
    private static InputStream open(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new DataFileException(file, "is a directory, expected an IDX file");
        }
        BufferedInputStream raw;
        try {
            raw = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        } catch (NoSuchFileException e) {
            throw DataFileException.missing(file);
        }
        try {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            if (b0 == 0x1f && b1 == 0x8b) {
                try {
                    return new GZIPInputStream(raw, BUFFER);
                } catch (ZipException | EOFException e) {
                    throw new DataFileException(file, "not a gzip file (bad gzip header: " + e.getMessage() + ")", e);
                }
            }
            if ((b0 == 0 && b1 == 0) || b1 < 0) {
                return raw; // raw IDX, or too short to tell: the header check reports the truncation
            }
            throw new DataFileException(
                    file,
                    String.format(
                            "not a gzip file (starts with 0x%02x%02x; expected 0x1f8b for gzip or 0x0000 for a raw IDX file)",
                            b0, b1));
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** Reads the big-endian int32 header fields, checking the magic before complaining about truncation. */
    private static int[] readHeader(InputStream in, Path file, String[] fields, int magic) throws IOException {
        byte[] bytes = new byte[4 * fields.length];
        int got = fill(in, bytes, 0, bytes.length);
        int[] values = new int[fields.length];
        for (int i = 0; i < got / 4; i++) {
            values[i] = (bytes[4 * i] & 0xff) << 24
                    | (bytes[4 * i + 1] & 0xff) << 16
                    | (bytes[4 * i + 2] & 0xff) << 8
                    | (bytes[4 * i + 3] & 0xff);
        }
        if (got >= 4 && values[0] != magic) {
            throw DataFileException.field(file, "magic", hex(magic), hex(values[0]) + describe(values[0]));
        }
        if (got < bytes.length) {
            throw new DataFileException(
                    file,
                    "truncated header: field '" + fields[got / 4] + "' incomplete, the file" + " ends after " + got
                            + " of " + bytes.length + " header bytes (" + String.join(", ", fields) + ")");
        }
        return values;
    }

    /** Reads exactly {@code total} bytes and insists the stream then ends. */
    private static byte[] readPayload(InputStream in, Path file, int total, String promise, String what)
            throws IOException {
        byte[] buf = new byte[Math.min(total, FIRST_ALLOCATION)];
        int got = 0;
        while (true) {
            got += fill(in, buf, got, buf.length - got);
            if (got < buf.length) {
                throw new DataFileException(
                        file, "truncated: " + promise + " but the file ends after " + got + " bytes of " + what);
            }
            if (got == total) {
                break;
            }
            buf = Arrays.copyOf(buf, (int) Math.min(total, 2L * buf.length));
        }
        long extra = in.transferTo(OutputStream.nullOutputStream());
        if (extra > 0) {
            throw new DataFileException(
                    file, "trailing data: " + promise + " but " + extra + " more bytes follow the last of the " + what);
        }
        return buf;
    }

    /**
     * Reads until {@code len} bytes or end of data. A gzip stream cut short throws EOFException instead of
     * returning -1; both mean the same to us (truncation), so both end the read.
     */
    private static int fill(InputStream in, byte[] buf, int off, int len) throws IOException {
        int done = 0;
        try {
            while (done < len) {
                int n = in.read(buf, off + done, len - done);
                if (n < 0) {
                    break;
                }
                done += n;
            }
        } catch (EOFException e) {
            // compressed stream ends mid-member: report as truncation with the bytes we did get
        }
        return done;
    }

    private static void checkSide(Path file, String field, int value) {
        if (value < 1 || value > MAX_SIDE) {
            throw DataFileException.field(file, field, "1.." + MAX_SIDE, Integer.toString(value));
        }
    }

    private static String hex(int value) {
        return String.format("0x%08x", value);
    }

    /** Names the common mix-up (labels file passed as images or vice versa). */
    private static String describe(int magic) {
        return switch (magic) {
            case IMAGES_MAGIC -> " (an IDX image file)";
            case LABELS_MAGIC -> " (an IDX label file)";
            default -> "";
        };
    }
}
