package dev.whittle.kernels.vector;

/**
 * How one Winograd call tiles its images, for F(4×4) or F(2×2): tile size, transformed positions (36 or 16), tiles
 * per segment, columns from one image's start to the next's, images per combined row, tiles per row, tile rows per
 * image group, segments per row, the padded plane (rows × columns) and the chunk target. One per thread's workspace,
 * refilled per call, so that the forward and the weight gradient agree without allocating.
 *
 * <p>Bands ({@link #forward}): a single image too narrow to fill a segment's lanes on its own is cut into horizontal
 * bands of {@link #bandRows} rows (whole tile rows) laid side by side like images, each reading its neighbours' edge
 * rows where another image would read zero padding. Each band computes the tiles an image in its slot would, so the
 * output is the convolution's within F(4×4)'s rounding; only more lanes work. A 28×28 map at batch 1 fills 15 of a
 * segment's 16 lanes as two bands instead of 7 as one image, a 14×14 map 16 as four.
 */
final class WinogradLayout {
    boolean f4;
    int tile, planes, seg, period, nb, tw, th, segs, wpad, hpad, chunk;
    /**
     * 0: {@link #nb} whole images side by side; else one image as {@link #nb} bands of this many rows (the last one
     * shorter, its rows past the image never written, so they read as zero padding).
     */
    int bandRows;

    /** Whole images side by side (the weight gradient's layout, and the forward's when bands do not apply). */
    WinogradLayout of(boolean f4, int images, int h, int wIn) {
        return fill(f4, images, h, wIn, 0);
    }

    /** The forward's layout: {@link #of}, or bands of one image where {@link Winograd4#bandRows} cuts it. */
    WinogradLayout forward(boolean f4, int images, int h, int wIn) {
        return fill(f4, images, h, wIn, f4 ? Winograd4.bandRows(images, h, wIn) : 0);
    }

    private WinogradLayout fill(boolean f4, int images, int h, int wIn, int bandRows) {
        this.f4 = f4;
        this.bandRows = bandRows;
        tile = f4 ? 4 : 2;
        planes = f4 ? 36 : 16;
        seg = f4 ? Winograd4.SEG : Winograd.TS;
        period = f4 ? Winograd4.period(wIn) : wIn + 1;
        if (bandRows > 0) nb = (h + bandRows - 1) / bandRows;
        else nb = f4 ? Winograd4.imagesSideBySide(images, wIn) : Winograd.imagesSideBySide(images, wIn);
        tw = f4 ? Winograd4.tileColumns(nb, wIn) : Winograd.tileColumns(nb, wIn);
        th = ((bandRows > 0 ? bandRows : h) + tile - 1) / tile;
        segs = (tw + seg - 1) / seg;
        // F(4×4)'s last segment reads a fifth vector past its 4·SEG columns; F(2×2)'s two vectors end at 2·TS + 2.
        wpad = f4 ? 4 * seg * segs + Winograd.VL : 2 * Winograd.TS * segs + 2;
        hpad = tile * th + 2;
        chunk = f4 ? Winograd4.CHUNK_ELEMENTS : Winograd.CHUNK_ELEMENTS;
        return this;
    }

    /** Rows of side-by-side slots (image groups) for {@code images} images: one when banded. */
    int groups(int images) {
        return bandRows > 0 ? 1 : (images + nb - 1) / nb;
    }

    /** Slots used in the group starting at image {@code img} of [.., n1): all nb bands when banded. */
    int slots(int img, int n1) {
        return bandRows > 0 ? nb : Math.min(nb, n1 - img);
    }

    /**
     * Offset from one slot's output to the next's: the next image's plane ({@code imageStride}), or the next band's
     * first row of the same plane (pooled: of the pooled plane, half the rows and columns).
     */
    int slotStride(int imageStride, boolean pooled, int wIn) {
        if (bandRows == 0) return imageStride;
        return pooled ? bandRows / 2 * (wIn / 2) : bandRows * wIn;
    }
}
