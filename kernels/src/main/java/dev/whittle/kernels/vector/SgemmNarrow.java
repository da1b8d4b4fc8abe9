package dev.whittle.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Sgemm#kernel}'s product for a block of at most one vector of columns: MR rows × VL columns, eight
 * accumulators. A Winograd call whose tiles end a vector into a two-vector column block (a 14×14 map at batch 1 has
 * 16 tiles: one vector) would otherwise compute as many columns of padding as of tiles. Each column's sum runs in the
 * same order as in {@link Sgemm#kernel}, so the columns it computes are bit-identical to that kernel's.
 */
final class SgemmNarrow {
    static final VectorSpecies<Float> S = Sgemm.S;
    static final int VL = Sgemm.VL;
    static final int MR = Sgemm.MR;

    private SgemmNarrow() {}

    /**
     * c[cOff + i·ldc, + VL) = Σ_p ap[aOff + p·MR + i] · bp[bOff + p·ldb, + VL) for rows i in [0, MR), p in [0, kc):
     * a packed MR-row strip of A (as {@link Sgemm#kernel} reads it) times kc rows of one vector of B.
     */
    static void kernel(int kc, float[] ap, int aOff, float[] bp, int bOff, int ldb, float[] c, int cOff, int ldc) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S);
        FloatVector c3 = FloatVector.zero(S), c4 = FloatVector.zero(S), c5 = FloatVector.zero(S);
        FloatVector c6 = FloatVector.zero(S), c7 = FloatVector.zero(S);
        int ai = aOff, bi = bOff;
        for (int p = 0; p < kc; p++) {
            FloatVector b = FloatVector.fromArray(S, bp, bi);
            c0 = FloatVector.broadcast(S, ap[ai]).fma(b, c0);
            c1 = FloatVector.broadcast(S, ap[ai + 1]).fma(b, c1);
            c2 = FloatVector.broadcast(S, ap[ai + 2]).fma(b, c2);
            c3 = FloatVector.broadcast(S, ap[ai + 3]).fma(b, c3);
            c4 = FloatVector.broadcast(S, ap[ai + 4]).fma(b, c4);
            c5 = FloatVector.broadcast(S, ap[ai + 5]).fma(b, c5);
            c6 = FloatVector.broadcast(S, ap[ai + 6]).fma(b, c6);
            c7 = FloatVector.broadcast(S, ap[ai + 7]).fma(b, c7);
            ai += MR;
            bi += ldb;
        }
        c0.intoArray(c, cOff);
        c1.intoArray(c, cOff + ldc);
        c2.intoArray(c, cOff + 2 * ldc);
        c3.intoArray(c, cOff + 3 * ldc);
        c4.intoArray(c, cOff + 4 * ldc);
        c5.intoArray(c, cOff + 5 * ldc);
        c6.intoArray(c, cOff + 6 * ldc);
        c7.intoArray(c, cOff + 7 * ldc);
    }
}
