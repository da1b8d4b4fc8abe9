package dev.whittle.kernels.vector;

import dev.whittle.kernels.PoolKernels;
import dev.whittle.kernels.PoolScalar;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Pooling on the Vector API, computing what {@link PoolScalar} computes for planes [p0, p1) of x (N,C,H,W).
 *
 * <p>Why two passes: output row p reduces input rows [p·s − pad, p·s − pad + k) clipped to the image. The
 * vertical pass reduces those rows element-wise into a padded scratch row (contiguous, full vectors); the
 * horizontal pass reduces k neighbours of that row per output column, with one strided gather per window
 * column (stride s lanes apart) when s > 1 and plain loads when s = 1. Horizontal padding is stored in the
 * scratch row as −∞ (max) or 0 (average), so the horizontal pass has no bounds checks; the average's divisor
 * counts only real pixels, as the reference does. Max uses {@code FloatVector.max}, which follows
 * {@code Math.max}: a NaN anywhere in a window gives NaN, bit-identical to the reference.
 *
 * <p>Training max pooling (which must record the argmax) and the backward passes (scatters) run the scalar
 * reference. Scratch is per thread and only grows, so steady-state calls allocate nothing.
 */
public final class PoolVector implements PoolKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    /** Int lanes matching S one for one (argmax indices). */
    static final VectorSpecies<Integer> IS = S.withLanes(int.class);

    static final class Scratch {
        float[] row = new float[0], sums = new float[0];
        /** The staged rows' input indices of {@link MaxPool2x2Train} (beside {@link #row}'s values). */
        int[] rowIndex = new int[0];

        int[] index = new int[VL];
        int indexStride = -1;
        int[] windows = new int[0];
        long windowsKey = -1;

        /** Top-left input offset of each output of a block of planes (see {@link #maxUnpadded}), cached per shape. */
        int[] windows(int h, int w, int stride, int P, int Q, int planes) {
            long key = ((((long) h * 65536 + w) * 64 + stride) * 64) + planes;
            if (windowsKey != key) {
                if (windows.length < planes * P * Q) windows = new int[planes * P * Q];
                int t = 0;
                for (int pl = 0; pl < planes; pl++)
                    for (int p = 0; p < P; p++)
                        for (int q = 0; q < Q; q++) windows[t++] = pl * h * w + p * stride * w + q * stride;
                windowsKey = key;
            }
            return windows;
        }

        int[] gatherIn = new int[PLANE_LIST_CHUNK], gatherArg = new int[PLANE_LIST_CHUNK];
        float[] gatherY = new float[PLANE_LIST_CHUNK];

        int[] index(int stride) {
            if (indexStride != stride) {
                for (int i = 0; i < VL; i++) index[i] = i * stride;
                indexStride = stride;
            }
            return index;
        }
    }

    /** Lanes 0, 2, 4, … of the concatenation of two vectors (indexes ≥ VL are the second vector's lanes). */
    static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i);
    /** Lanes 1, 3, 5, … of the concatenation of two vectors. */
    static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(S, i -> 2 * i + 1);
    /** Input row pairs reduced per block of the 2×2 path (a block's scratch stays in L1). */
    static final int BLOCK_FLOATS = 2048;

    static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Training max pooling with argmax. The common 2×2 stride-2 unpadded window gets a branch-light loop with no
     * bounds checks (the generic reference clips every window to the image), keeping the reference's scan order
     * and tie/NaN rules exactly, so values and argmax are bit-identical to {@link PoolScalar#maxForward}.
     */
    @Override
    public void maxForward(
            int h, int w, int kernel, int stride, int pad, float[] x, float[] y, int[] argmax, int p0, int p1) {
        if (kernel == 2 && stride == 2 && pad == 0 && h % 2 == 0 && w % 2 == 0) {
            MaxPool2x2Train.forward(h, w, x, y, argmax, p0, p1);
            return;
        }
        if (pad == 0 && gatherBlockPlanes(h, w, kernel, stride) > 0) {
            maxUnpadded(h, w, kernel, stride, x, y, argmax, p0, p1);
            return;
        }
        if (kernel != 2 || stride != 2 || pad != 0) {
            PoolScalar.maxForward(h, w, kernel, stride, pad, x, y, argmax, p0, p1);
            return;
        }
        int P = h / 2, Q = w / 2;
        for (int plane = p0; plane < p1; plane++) {
            int xb = plane * h * w, yo = plane * P * Q;
            for (int p = 0; p < P; p++) {
                int r0 = xb + 2 * p * w;
                for (int q = 0; q < Q; q++, yo++) {
                    int i = r0 + 2 * q;
                    float best = x[i];
                    int bi = i;
                    // Scan order (0,0), (0,1), (1,0), (1,1); a later value wins only if strictly larger, or if it
                    // is the first NaN (the reference's rule).
                    float v = x[i + 1];
                    if (v > best || (v != v && best == best)) {
                        best = v;
                        bi = i + 1;
                    }
                    v = x[i + w];
                    if (v > best || (v != v && best == best)) {
                        best = v;
                        bi = i + w;
                    }
                    v = x[i + w + 1];
                    if (v > best || (v != v && best == best)) {
                        best = v;
                        bi = i + w + 1;
                    }
                    y[yo] = best;
                    argmax[yo] = bi;
                }
            }
        }
    }

    @Override
    public void maxForwardInference(
            int h, int w, int kernel, int stride, int pad, float[] x, float[] y, int p0, int p1) {
        pool(true, h, w, kernel, stride, pad, x, y, p0, p1);
    }

    @Override
    public void maxBackward(int outPlaneSize, float[] dy, int[] argmax, float[] dx, int p0, int p1) {
        PoolScalar.maxBackward(outPlaneSize, dy, argmax, dx, p0, p1);
    }

    @Override
    public void avgForward(int h, int w, int kernel, int stride, int pad, float[] x, float[] y, int p0, int p1) {
        pool(false, h, w, kernel, stride, pad, x, y, p0, p1);
    }

    @Override
    public void avgBackward(int h, int w, int kernel, int stride, int pad, float[] dy, float[] dx, int p0, int p1) {
        PoolScalar.avgBackward(h, w, kernel, stride, pad, dy, dx, p0, p1);
    }

    /** Row sums with vector lanes; the mean of each plane. */
    @Override
    public void globalAvgForward(int hw, float[] x, float[] y, int p0, int p1) {
        int vEnd = hw - hw % VL;
        for (int plane = p0; plane < p1; plane++) {
            int b = plane * hw;
            FloatVector acc = FloatVector.zero(S);
            int i = 0;
            for (; i < vEnd; i += VL) acc = acc.add(FloatVector.fromArray(S, x, b + i));
            float sum = Lanes.sum(acc); // a fixed order: the thread split must not change the bits
            for (; i < hw; i++) sum += x[b + i];
            y[plane] = sum / hw;
        }
    }

    @Override
    public void globalAvgBackward(int hw, float[] dy, float[] dx, int p0, int p1) {
        int vEnd = hw - hw % VL;
        for (int plane = p0; plane < p1; plane++) {
            float g = dy[plane] / hw;
            int b = plane * hw;
            FloatVector gV = FloatVector.broadcast(S, g);
            int i = 0;
            for (; i < vEnd; i += VL)
                FloatVector.fromArray(S, dx, b + i).add(gV).intoArray(dx, b + i);
            for (; i < hw; i++) dx[b + i] += g;
        }
    }

    /**
     * The common 2×2 stride-2 unpadded pool on even maps, where every input row pair maps to one output row and
     * W = 2·Q: after the vertical reduction of row pairs into a scratch block, output i of the block is the
     * reduction of scratch[2i] and scratch[2i + 1] across row and plane boundaries, so the horizontal pass runs
     * over the whole block with full vectors (two loads, an even/odd de-interleave of the pair, one max or add),
     * instead of a gather per output row, which on 28- or 14-wide maps would not fill one 16-lane vector.
     */
    private static void pool2x2(boolean isMax, int h, int w, float[] x, float[] y, int p0, int p1) {
        Scratch sc = SCRATCH.get();
        int blockRows = Math.max(1, BLOCK_FLOATS / w);
        if (sc.row.length < blockRows * w + 2 * VL) sc.row = new float[blockRows * w + 2 * VL];
        float[] m = sc.row;
        int pairs = (p1 - p0) * (h / 2), wEnd = w - w % VL;
        int xo = p0 * h * w, yo = p0 * (h / 2) * (w / 2);
        FloatVector quarter = FloatVector.broadcast(S, 0.25f);
        for (int r0 = 0; r0 < pairs; r0 += blockRows) {
            int nr = Math.min(blockRows, pairs - r0);
            for (int r = 0; r < nr; r++) {
                int src = xo + 2 * (r0 + r) * w, dst = r * w;
                int j = 0;
                for (; j < wEnd; j += VL) {
                    FloatVector a = FloatVector.fromArray(S, x, src + j), b = FloatVector.fromArray(S, x, src + w + j);
                    (isMax ? a.max(b) : a.add(b)).intoArray(m, dst + j);
                }
                if (j < w) {
                    // A masked tail, not scalars: 28- and 14-wide rows are mostly tail.
                    VectorMask<Float> tail = S.indexInRange(j, w);
                    FloatVector a = FloatVector.fromArray(S, x, src + j, tail);
                    FloatVector b = FloatVector.fromArray(S, x, src + w + j, tail);
                    (isMax ? a.max(b) : a.add(b)).intoArray(m, dst + j, tail);
                }
            }
            int outs = nr * w / 2, i = 0;
            for (; i + VL <= outs; i += VL) {
                FloatVector a = FloatVector.fromArray(S, m, 2 * i), b = FloatVector.fromArray(S, m, 2 * i + VL);
                FloatVector ev = a.rearrange(EVEN, b), od = a.rearrange(ODD, b);
                (isMax ? ev.max(od) : ev.add(od).mul(quarter)).intoArray(y, yo + i);
            }
            for (; i < outs; i++) y[yo + i] = isMax ? Math.max(m[2 * i], m[2 * i + 1]) : (m[2 * i] + m[2 * i + 1]) / 4f;
            yo += outs;
        }
    }

    /** Largest window table {@link #maxUnpadded} keeps (ints); bigger maps have rows long enough for the two passes. */
    private static final int MAX_WINDOWS = 4096;

    /**
     * Planes per block of {@link #maxUnpadded}: the fewest whose outputs fill whole vectors, or 0 where that path
     * does not apply (windows of more than 3×3 or a table over {@link #MAX_WINDOWS}).
     */
    private static int gatherBlockPlanes(int h, int w, int kernel, int stride) {
        if (kernel > 3 || kernel > h || kernel > w) return 0;
        int pq = ((h - kernel) / stride + 1) * ((w - kernel) / stride + 1);
        int planes = VL / gcd(pq, VL);
        return planes * pq <= MAX_WINDOWS ? planes : 0;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /**
     * Unpadded max pooling vectorized over outputs, across plane boundaries: the outputs of a block of planes are
     * one contiguous run of y, and output t's window starts at input {@code windows[t]}, so a vector of outputs is
     * the max of k² gathers with one index table (offset by the window element). On small maps this replaces rows
     * too short for a vector: VGG-small's last pool (7×7 → 3×3, 128 channels, batch 64) took 1.1 ms through the
     * two passes (scalar on 7-wide rows), ~2.7 ns per input float; the even 2×2 path ran ~1 ns per input float
     * on 14×14 and 28×28 maps. The windows' maxima and argmax: {@link #windowsMax}.
     *
     * @param argmax (N,C,P,Q) absolute input indices, or null for inference
     */
    private static void maxUnpadded(
            int h, int w, int kernel, int stride, float[] x, float[] y, int[] argmax, int p0, int p1) {
        int P = (h - kernel) / stride + 1, Q = (w - kernel) / stride + 1, pq = P * Q, hw = h * w;
        int block = gatherBlockPlanes(h, w, kernel, stride);
        int[] windows = SCRATCH.get().windows(h, w, stride, P, Q, block);
        // Blocks of `block` planes fill whole vectors; a shorter last block (or a call for a single plane, as a
        // masked layer makes) runs whole vectors as far as its outputs go and finishes with scalars.
        for (int plane = p0; plane < p1; plane += block) {
            int outs = Math.min(block, p1 - plane) * pq;
            windowsMax(kernel, w, x, plane * hw, windows, y, plane * pq, argmax, outs);
        }
    }

    /** Outputs per round of {@link #maxForwardPlanes}: its index table and staged outputs stay in L1. */
    private static final int PLANE_LIST_CHUNK = 32 * VL;

    /**
     * The planes of a masked layer's alive channels, where each plane has fewer outputs than a few vectors: pooled
     * as {@link #maxUnpadded} pools a block of consecutive planes, across plane boundaries. Each round lists the
     * input windows of whole planes' outputs, gathers k² vectors per vector of outputs into a staging row, and
     * copies each plane's outputs (and argmax) to its place (scatter stores are slow on AMD cores). One call per plane took 13 % of a
     * half-masked VGG-small training step: a 7×7 → 3×3 plane has 9 outputs, less than a vector, so each was
     * scalar and each plane paid a call. Larger planes fill vectors alone and go one run of planes per call. Same
     * scan order and tie/NaN rules, so values and argmax are bit-identical to the reference's.
     */
    @Override
    public void maxForwardPlanes(
            int h,
            int w,
            int kernel,
            int stride,
            int pad,
            float[] x,
            float[] y,
            int[] argmax,
            int[] planes,
            int i0,
            int i1) {
        int block = pad == 0 ? gatherBlockPlanes(h, w, kernel, stride) : 0;
        int P = (h - kernel) / stride + 1, Q = (w - kernel) / stride + 1, pq = P * Q, hw = h * w;
        if (block == 0 || pq >= 4 * VL) {
            PoolKernels.super.maxForwardPlanes(h, w, kernel, stride, pad, x, y, argmax, planes, i0, i1);
            return;
        }
        Scratch sc = SCRATCH.get();
        int[] windows = sc.windows(h, w, stride, P, Q, block), in = sc.gatherIn, arg = sc.gatherArg;
        float[] staged = sc.gatherY;
        int perRound = PLANE_LIST_CHUNK / pq;
        for (int i = i0; i < i1; i += perRound) {
            int np = Math.min(perRound, i1 - i);
            for (int j = 0; j < np; j++) {
                int base = planes[i + j] * hw;
                for (int o = 0; o < pq; o++) in[j * pq + o] = base + windows[o];
            }
            windowsMax(kernel, w, x, 0, in, staged, 0, argmax == null ? null : arg, np * pq);
            for (int j = 0; j < np; j++) {
                System.arraycopy(staged, j * pq, y, planes[i + j] * pq, pq);
                if (argmax != null) System.arraycopy(arg, j * pq, argmax, planes[i + j] * pq, pq);
            }
        }
    }

    /**
     * Max pooling of {@code outs} windows: window t starts at x[xOff + in[t]] (k×k, rows w apart) and its maximum goes
     * to y[yOff + t], with argmax[yOff + t] its absolute input index when argmax is given. Vectors of outputs are
     * the max of k² gathers; with argmax the window is scanned in the reference's order and an element replaces the
     * best so far under the reference's rule (strictly larger, or the first NaN), as lane masks, so values and
     * argmax are bit-identical to {@link PoolScalar}'s. Outputs past the last whole vector are scalar.
     */
    private static void windowsMax(
            int kernel, int w, float[] x, int xOff, int[] in, float[] y, int yOff, int[] argmax, int outs) {
        int vecEnd = outs - outs % VL;
        for (int t = 0; t < vecEnd; t += VL) {
            FloatVector best = FloatVector.fromArray(S, x, xOff, in, t);
            if (argmax == null) {
                for (int r = 0; r < kernel; r++) {
                    for (int c = r == 0 ? 1 : 0; c < kernel; c++)
                        best = best.max(FloatVector.fromArray(S, x, xOff + r * w + c, in, t));
                }
            } else {
                IntVector start = IntVector.fromArray(IS, in, t).add(xOff), bi = start;
                for (int r = 0; r < kernel; r++) {
                    for (int c = r == 0 ? 1 : 0; c < kernel; c++) {
                        FloatVector v = FloatVector.fromArray(S, x, xOff + r * w + c, in, t);
                        VectorMask<Float> wins = v.compare(VectorOperators.GT, best)
                                .or(v.test(VectorOperators.IS_NAN).andNot(best.test(VectorOperators.IS_NAN)));
                        best = best.blend(v, wins);
                        bi = bi.blend(start.add(r * w + c), wins.cast(IS));
                    }
                }
                bi.intoArray(argmax, yOff + t);
            }
            best.intoArray(y, yOff + t);
        }
        for (int t = vecEnd; t < outs; t++) {
            int at = xOff + in[t], bi = at, yo = yOff + t;
            float m = x[at];
            for (int r = 0; r < kernel; r++) {
                for (int c = r == 0 ? 1 : 0; c < kernel; c++) {
                    float v = x[at + r * w + c];
                    if (argmax == null) m = Math.max(m, v); // the inference reference's rule (-0 < +0)
                    else if (v > m || (v != v && m == m)) {
                        m = v;
                        bi = at + r * w + c;
                    }
                }
            }
            y[yo] = m;
            if (argmax != null) argmax[yo] = bi;
        }
    }

    /** Max (isMax) or average pooling of planes [p0, p1); see the class comment for the two passes. */
    private static void pool(
            boolean isMax, int h, int w, int kernel, int stride, int pad, float[] x, float[] y, int p0, int p1) {
        if (kernel == 2 && stride == 2 && pad == 0 && h % 2 == 0 && w % 2 == 0) {
            pool2x2(isMax, h, w, x, y, p0, p1);
            return;
        }
        if (isMax && pad == 0 && gatherBlockPlanes(h, w, kernel, stride) > 0) {
            maxUnpadded(h, w, kernel, stride, x, y, null, p0, p1);
            return;
        }
        int P = PoolScalar.outSize(h, kernel, stride, pad), Q = PoolScalar.outSize(w, kernel, stride, pad);
        int wp = w + 2 * pad;
        Scratch sc = SCRATCH.get();
        // VL spare floats so a gather's last lane never leaves the array even for the final output columns.
        if (sc.row.length < wp + stride * VL) sc.row = new float[wp + stride * VL];
        if (sc.sums.length < Q) sc.sums = new float[Q];
        float[] row = sc.row, sums = sc.sums;
        int[] idx = sc.index(stride);
        float padValue = isMax ? Float.NEGATIVE_INFINITY : 0f;
        for (int i = 0; i < pad; i++) {
            row[i] = padValue;
            row[pad + w + i] = padValue;
        }
        int wEnd = w - w % VL;
        // Output columns whose whole gather (lanes q..q+VL−1, window columns < kernel) stays inside row[0, wp).
        int qVec = 0;
        while (qVec + VL <= Q && (qVec + VL - 1) * stride + kernel <= wp) qVec += VL;
        for (int plane = p0; plane < p1; plane++) {
            int xb = plane * h * w, yb = plane * P * Q;
            for (int p = 0; p < P; p++) {
                int h0 = Math.max(0, p * stride - pad), h1 = Math.min(h, p * stride - pad + kernel);
                // Vertical pass: row[pad + j] = reduce over ih of x[ih, j].
                int first = xb + h0 * w;
                int j = 0;
                for (; j < wEnd; j += VL) {
                    FloatVector acc = FloatVector.fromArray(S, x, first + j);
                    for (int ih = h0 + 1; ih < h1; ih++) {
                        FloatVector v = FloatVector.fromArray(S, x, xb + ih * w + j);
                        acc = isMax ? acc.max(v) : acc.add(v);
                    }
                    acc.intoArray(row, pad + j);
                }
                for (; j < w; j++) {
                    float acc = x[first + j];
                    for (int ih = h0 + 1; ih < h1; ih++) {
                        float v = x[xb + ih * w + j];
                        acc = isMax ? Math.max(acc, v) : acc + v;
                    }
                    row[pad + j] = acc;
                }
                // Horizontal pass: out[q] = reduce over c < kernel of row[q·stride + c].
                float[] out = isMax ? y : sums;
                int oOff = isMax ? yb + p * Q : 0;
                int q = 0;
                for (; q < qVec; q += VL) {
                    int base = q * stride;
                    FloatVector acc = stride == 1
                            ? FloatVector.fromArray(S, row, base)
                            : FloatVector.fromArray(S, row, base, idx, 0);
                    for (int c = 1; c < kernel; c++) {
                        FloatVector v = stride == 1
                                ? FloatVector.fromArray(S, row, base + c)
                                : FloatVector.fromArray(S, row, base + c, idx, 0);
                        acc = isMax ? acc.max(v) : acc.add(v);
                    }
                    acc.intoArray(out, oOff + q);
                }
                for (; q < Q; q++) {
                    int base = q * stride;
                    float acc = row[base];
                    for (int c = 1; c < kernel; c++) acc = isMax ? Math.max(acc, row[base + c]) : acc + row[base + c];
                    out[oOff + q] = acc;
                }
                if (!isMax) {
                    int rows = h1 - h0, yo = yb + p * Q;
                    for (q = 0; q < Q; q++) {
                        int w0 = Math.max(0, q * stride - pad), w1 = Math.min(w, q * stride - pad + kernel);
                        y[yo + q] = sums[q] / (rows * (w1 - w0));
                    }
                }
            }
        }
    }
}
