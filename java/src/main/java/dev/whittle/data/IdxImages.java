package dev.whittle.data;

/**
 * Images as stored in an IDX3 file: {@code count} images of {@code rows x cols} unsigned bytes, row-major,
 * image after image.
 *
 * <p>Kept as raw bytes (a quarter of the size of floats) so the reader stays format-only; how pixels become
 * network inputs (scaling, normalisation) is the caller's decision. The array is shared, not copied.
 */
public record IdxImages(int count, int rows, int cols, byte[] pixels) {

    public IdxImages {
        if (count < 0 || rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException(
                    "count must be >= 0 and rows, cols > 0, found " + count + " x " + rows + " x " + cols);
        }
        long expected = (long) count * rows * cols;
        if (pixels == null || pixels.length != expected) {
            throw new IllegalArgumentException("pixels.length expected " + expected + " (" + count + " x " + rows
                    + " x " + cols + ") but found " + (pixels == null ? "null" : pixels.length));
        }
    }

    /** Bytes per image. */
    public int imageSize() {
        return rows * cols;
    }

    /** Unsigned value of one pixel. */
    public int pixel(int image, int row, int col) {
        return pixels[(image * rows + row) * cols + col] & 0xff;
    }
}
