package dev.whittle.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Training's 2×2, stride-2 max pool of maps with even sides, with argmax, in the two passes of the inference pool
 * ({@link PoolVector}, whose block size, staging row and permutes it shares): each row pair's column maxima into a
 * staging row, then the maxima of adjacent columns across the staged rows (w even, so no pair straddles two rows),
 * full vectors even for 14- and 28-wide maps. The gathered windows this replaces ran about 1 ns per input float
 * (VGG-small's first pool, batch 64: 1.8 ms).
 *
 * <p>Values and argmax are bit-identical to {@link dev.whittle.kernels.PoolScalar#maxForward}'s scan: the first NaN
 * of the window in scan order, else the first maximum. Scan order (0,0), (0,1), (1,0), (1,1) is the order of the
 * inputs' absolute indices, so each pass keeps the candidate with the smaller index on a tie and among NaNs.
 */
final class MaxPool2x2Train {
    static final VectorSpecies<Float> S = Sgemm.S;
    static final VectorSpecies<Integer> IS = S.withLanes(int.class);
    static final int VL = Sgemm.VL;

    private static final VectorShuffle<Integer> IEVEN = VectorShuffle.fromOp(IS, i -> 2 * i);
    private static final VectorShuffle<Integer> IODD = VectorShuffle.fromOp(IS, i -> 2 * i + 1);

    private MaxPool2x2Train() {}

    /**
     * y (N·C planes of h/2 × w/2) = the 2×2 maxima of x's planes [p0, p1) (h × w each, h and w even); argmax (like y)
     * = each maximum's absolute index in x.
     */
    static void forward(int h, int w, float[] x, float[] y, int[] argmax, int p0, int p1) {
        // The inference pool's blocks and staging row, with the staged inputs' indices beside it.
        int blockRows = Math.max(1, PoolVector.BLOCK_FLOATS / w), size = blockRows * w + 2 * VL;
        PoolVector.Scratch sc = PoolVector.SCRATCH.get();
        if (sc.row.length < size) sc.row = new float[size];
        if (sc.rowIndex.length < size) sc.rowIndex = new int[size];
        float[] m = sc.row;
        int[] mi = sc.rowIndex;
        IntVector iota = IntVector.zero(IS).addIndex(1);
        int pairs = (p1 - p0) * (h / 2), wEnd = w - w % VL;
        int xo = p0 * h * w, yo = p0 * (h / 2) * (w / 2);
        for (int r0 = 0; r0 < pairs; r0 += blockRows) {
            int nr = Math.min(blockRows, pairs - r0);
            for (int r = 0; r < nr; r++) rowPair(x, xo + 2 * (r0 + r) * w, w, wEnd, iota, m, mi, r * w);
            int outs = nr * w / 2;
            adjacentColumns(m, mi, outs, y, argmax, yo);
            yo += outs;
        }
    }

    // Small methods, each called many times per pass, rather than one method whose loops only on-stack replacement
    // compiles: in a harness the one-method version ran a 14×14 pool at 188 µs in one JVM and 1,883 µs in another.

    /** Pass 1 for one row pair (rows at src and src + w): column maxima and their indices to m and mi at dst. */
    private static void rowPair(float[] x, int src, int w, int wEnd, IntVector iota, float[] m, int[] mi, int dst) {
        int j = 0;
        for (; j < wEnd; j += VL) column(x, src + j, w, iota, m, mi, dst + j);
        // A masked tail, not scalars: 28- and 14-wide rows are mostly tail.
        if (j < w) columnTail(x, src + j, w, iota, m, mi, dst + j, w - j);
    }

    /** Pass 2: the maxima of staged columns 2i and 2i + 1 for outputs [0, outs), to y and argmax from yo. */
    private static void adjacentColumns(float[] m, int[] mi, int outs, float[] y, int[] argmax, int yo) {
        int i = 0;
        for (; i + VL <= outs; i += VL) {
            FloatVector a0 = FloatVector.fromArray(S, m, 2 * i), a1 = FloatVector.fromArray(S, m, 2 * i + VL);
            IntVector j0 = IntVector.fromArray(IS, mi, 2 * i), j1 = IntVector.fromArray(IS, mi, 2 * i + VL);
            FloatVector a = a0.rearrange(PoolVector.EVEN, a1), b = a0.rearrange(PoolVector.ODD, a1);
            IntVector ia = j0.rearrange(IEVEN, j1), ib = j0.rearrange(IODD, j1);
            VectorMask<Float> aNan = a.test(VectorOperators.IS_NAN), bNan = b.test(VectorOperators.IS_NAN);
            VectorMask<Float> earlier = ib.compare(VectorOperators.LT, ia).cast(S);
            VectorMask<Float> larger = b.compare(VectorOperators.GT, a)
                    .or(b.compare(VectorOperators.EQ, a).and(earlier));
            // b wins: a NaN before any NaN of a's, or, neither NaN, larger (equal and earlier).
            VectorMask<Float> wins =
                    bNan.and(aNan.not().or(earlier)).or(larger.andNot(aNan).andNot(bNan));
            a.blend(b, wins).intoArray(y, yo + i);
            ia.blend(ib, wins.cast(IS)).intoArray(argmax, yo + i);
        }
        for (; i < outs; i++) {
            float a = m[2 * i], b = m[2 * i + 1];
            int ia = mi[2 * i], ib = mi[2 * i + 1];
            boolean aNan = a != a, bNan = b != b, earlier = ib < ia;
            boolean wins = bNan ? !aNan || earlier : !aNan && (b > a || (b == a && earlier));
            y[yo + i] = wins ? b : a;
            argmax[yo + i] = wins ? ib : ia;
        }
    }

    /**
     * Columns [at, at + VL) of a row pair (rows at and at + w): the lower row's value where it is a NaN and the
     * upper's is not, or larger; the upper row's otherwise. Values to m, absolute indices to mi.
     */
    private static void column(float[] x, int at, int w, IntVector iota, float[] m, int[] mi, int to) {
        FloatVector a = FloatVector.fromArray(S, x, at), b = FloatVector.fromArray(S, x, at + w);
        VectorMask<Float> wins = b.test(VectorOperators.IS_NAN)
                .andNot(a.test(VectorOperators.IS_NAN))
                .or(b.compare(VectorOperators.GT, a));
        IntVector ia = iota.add(at);
        a.blend(b, wins).intoArray(m, to);
        ia.blend(ia.add(w), wins.cast(IS)).intoArray(mi, to);
    }

    /** {@link #column} for the first n < VL columns (the mask made here: a mask crossing a call may be boxed). */
    private static void columnTail(float[] x, int at, int w, IntVector iota, float[] m, int[] mi, int to, int n) {
        VectorMask<Float> lanes = S.indexInRange(0, n);
        FloatVector a = FloatVector.fromArray(S, x, at, lanes), b = FloatVector.fromArray(S, x, at + w, lanes);
        VectorMask<Float> wins = b.test(VectorOperators.IS_NAN)
                .andNot(a.test(VectorOperators.IS_NAN))
                .or(b.compare(VectorOperators.GT, a));
        IntVector ia = iota.add(at);
        a.blend(b, wins).intoArray(m, to, lanes);
        ia.blend(ia.add(w), wins.cast(IS)).intoArray(mi, to, lanes.cast(IS));
    }
}
