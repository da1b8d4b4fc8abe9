package dev.whittle.kernels.vector;

/**
 * Index tables for two-vector permutes ({@code table.selectFrom(a, b)}): lane l of the result takes element
 * table[l] of the pair (a, b), elements VL..2·VL − 1 being b's. One copy of each table for every kernel that splits
 * rows into even and odd columns or zips them back.
 */
final class Permutes {
    private static final int VL = Sgemm.VL;

    /** EVEN / ODD: element 2l / 2l + 1 of the pair, the even or odd columns of a 2·VL-wide row. */
    static final float[] EVEN = strided(0), ODD = strided(1);

    /** ZIP_LO / ZIP_HI: a0 b0 a1 b1 … from lane 0 / lane VL/2 of each: (a, b) interleaved into 2·VL columns. */
    static final float[] ZIP_LO = zip(0), ZIP_HI = zip(VL / 2);

    /** SHIFT1 / SHIFT2: element l + 1 / l + 2 of the pair, a 2·VL-wide row read one or two columns further on. */
    static final float[] SHIFT1 = shifted(1), SHIFT2 = shifted(2);

    /**
     * SWAP_LOW[k] / SWAP_HIGH[k], k in 0..3: for a pair of rows (r, r + 2^k) of a 16×16 block, the row that keeps
     * bit k of the column index 0 / 1, so that four rounds transpose the block ({@link PlaneTranspose}). Sixteen
     * lanes only: the transpose runs where VL = 16.
     */
    static final float[][] SWAP_LOW = swaps(true), SWAP_HIGH = swaps(false);

    private Permutes() {}

    private static float[][] swaps(boolean low) {
        float[][] t = new float[4][16];
        for (int k = 0; k < 4; k++) {
            int d = 1 << k;
            for (int p = 0; p < 16; p++) {
                boolean keepsLow = (p & d) == 0;
                t[k][p] = low ? (keepsLow ? p : 16 + p - d) : (keepsLow ? p + d : 16 + p);
            }
        }
        return t;
    }

    private static float[] shifted(int by) {
        float[] t = new float[VL];
        for (int l = 0; l < VL; l++) t[l] = l + by;
        return t;
    }

    private static float[] strided(int offset) {
        float[] t = new float[VL];
        for (int l = 0; l < VL; l++) t[l] = 2 * l + offset;
        return t;
    }

    private static float[] zip(int first) {
        float[] t = new float[VL];
        for (int l = 0; l < VL; l++) t[l] = (l % 2 == 0 ? 0 : VL) + first + l / 2;
        return t;
    }
}
