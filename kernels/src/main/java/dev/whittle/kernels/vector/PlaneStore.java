package dev.whittle.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Writes one staged output plane of a map narrower than a vector (7 or 14 wide) into y through the epilogue: the
 * staging tile holds the plane's p rows {@code wp} floats apart (the padded width, of which q are outputs), y holds
 * them q apart. {@link DirectConv#storeRow} would take one call, one tail mask and one masked vector per row; here
 * each vector of the staged rows drops its padding lanes by a compress and lands at the next free output, so a 7×7
 * plane staged 9 wide takes four vectors instead of seven rows.
 *
 * <p>The arithmetic is {@code storeRow}'s, operation for operation (bias, scale·v + shift, + res, max(·, 0), + y), so
 * the outputs are bit-identical to the row-by-row store.
 */
final class PlaneStore {
    static final VectorSpecies<Float> S = Sgemm.S;
    static final int VL = Sgemm.VL;

    private PlaneStore() {}

    /**
     * Whether a map of q columns staged wp apart goes through {@link #store} rather than row by row: when a padded
     * row fits in a vector (a 7- or 14-wide map alone, as at batch 1). With maps side by side (wp up to ~64) most
     * lanes of each vector would be other maps' columns: a 14-wide stride-2 layer at batch 64 (wp = 60) spent 16 %
     * of its time here, against a few percent row by row.
     */
    static boolean applies(int q, int wp) {
        return q < VL && wp <= VL;
    }

    /**
     * masks[m]: bit l set when staged offset m + l (mod wp) is an output column (below q), for every start m in
     * [0, wp); made once per (wp, q) and kept in the thread's workspace.
     */
    static int[] masks(Sgemm.Workspace ws, int wp, int q) {
        if (ws.planeMasks.length <= wp) ws.planeMasks = java.util.Arrays.copyOf(ws.planeMasks, wp + 1);
        if (ws.planeMasks[wp] == null) ws.planeMasks[wp] = new int[VL][];
        int[] m = ws.planeMasks[wp][q];
        if (m != null) return m;
        m = new int[wp];
        for (int start = 0; start < wp; start++) {
            int bits = 0;
            for (int l = 0; l < VL; l++) if ((start + l) % wp < q) bits |= 1 << l;
            m[start] = bits;
        }
        return ws.planeMasks[wp][q] = m;
    }

    /**
     * y[yo, yo + p·q) (=|+=) the plane staged at stage[so + row·wp + col] (row < p, col < q) + bias, through the
     * epilogue max(scale·v + shift + res[yo..], 0) when {@code affine} (res only when non-null, the ReLU only when
     * {@code relu}). {@code masks} from {@link #masks} for this wp and q. Reads up to VL − 1 floats past the plane's
     * last output in stage.
     */
    static void store(
            float[] stage,
            int so,
            int wp,
            int[] masks,
            float[] y,
            int yo,
            int p,
            int q,
            float bias,
            boolean affine,
            float scale,
            float shift,
            float[] res,
            boolean relu,
            boolean accumulate) {
        int len = (p - 1) * wp + q, out = yo;
        for (int t = 0, m = 0; t < len; t += VL, m = (m + VL) % wp) {
            int bits = masks[m];
            if (len - t < VL) bits &= (1 << (len - t)) - 1;
            int n = Integer.bitCount(bits);
            VectorMask<Float> keep = VectorMask.fromLong(S, bits), first = VectorMask.fromLong(S, (1L << n) - 1);
            FloatVector v =
                    FloatVector.fromArray(S, stage, so + t).compress(keep).add(bias);
            if (affine) v = v.fma(scale, shift);
            if (res != null) v = v.add(FloatVector.fromArray(S, res, out, first));
            if (relu) v = v.max(0f);
            if (accumulate) v = v.add(FloatVector.fromArray(S, y, out, first));
            v.intoArray(y, out, first);
            out += n;
        }
    }
}
