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

    private Permutes() {}

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
