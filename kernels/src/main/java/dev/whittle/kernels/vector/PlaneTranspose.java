package dev.whittle.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * A group of up to VL filter planes moved into filter-innermost pixels, as the weight gradients pack dy: for
 * every pixel j = row·q + col of the planes, out[dst + row·rowStride + col·pixelStride + l] = plane l's pixel j.
 *
 * <p>With 16 lanes and a full group, sixteen pixels at a time are sixteen contiguous loads, a 16×16 transpose in
 * registers (four rounds of sixteen two-vector permutes, each swapping one bit of the lane index with one of the
 * vector index) and sixteen stores. A lane gather per pixel (the other pixels, short groups, other vector widths)
 * took 4.5–5.2 ns a pixel on an AMD EPYC (Zen 5) here against 2.0 for the transpose (bench/README.md, Stop 22);
 * the two gather sites were 8 % and 2 % of a ResNet-20 training step. The floats are only moved, so every path
 * gives the same result.
 */
final class PlaneTranspose {
    private static final VectorSpecies<Float> S = Sgemm.S;
    private static final int VL = Sgemm.VL;

    private PlaneTranspose() {}

    /**
     * Planes l in [0, live) start at x[src + offsets[map + l]] (lanes past live read plane 0's offsets again and are
     * not stored) and hold rows × q pixels, row-major; pixel (row, col) lands at out[dst + row·rowStride +
     * col·pixelStride + l].
     */
    static void toPixels(
            float[] x,
            int src,
            int[] offsets,
            int map,
            int live,
            int rows,
            int q,
            float[] out,
            int dst,
            int rowStride,
            int pixelStride) {
        int n = rows * q, j = 0;
        if (VL == 16 && live >= 16) {
            for (; j + 16 <= n; j += 16) block(x, src, offsets, map, j, q, out, dst, rowStride, pixelStride);
        }
        VectorMask<Float> mask = S.indexInRange(0, live);
        for (int row = j / q, col = j % q; j < n; j++) {
            FloatVector.fromArray(S, x, src + j, offsets, map)
                    .intoArray(out, dst + row * rowStride + col * pixelStride, mask);
            if (++col == q) {
                col = 0;
                row++;
            }
        }
    }

    /** Pixels [j, j + 16) of sixteen planes, transposed in registers. */
    private static void block(
            float[] x,
            int src,
            int[] offsets,
            int map,
            int j,
            int q,
            float[] out,
            int dst,
            int rowStride,
            int pixelStride) {

        FloatVector r0 = FloatVector.fromArray(S, x, src + offsets[map + 0] + j);
        FloatVector r1 = FloatVector.fromArray(S, x, src + offsets[map + 1] + j);
        FloatVector r2 = FloatVector.fromArray(S, x, src + offsets[map + 2] + j);
        FloatVector r3 = FloatVector.fromArray(S, x, src + offsets[map + 3] + j);
        FloatVector r4 = FloatVector.fromArray(S, x, src + offsets[map + 4] + j);
        FloatVector r5 = FloatVector.fromArray(S, x, src + offsets[map + 5] + j);
        FloatVector r6 = FloatVector.fromArray(S, x, src + offsets[map + 6] + j);
        FloatVector r7 = FloatVector.fromArray(S, x, src + offsets[map + 7] + j);
        FloatVector r8 = FloatVector.fromArray(S, x, src + offsets[map + 8] + j);
        FloatVector r9 = FloatVector.fromArray(S, x, src + offsets[map + 9] + j);
        FloatVector r10 = FloatVector.fromArray(S, x, src + offsets[map + 10] + j);
        FloatVector r11 = FloatVector.fromArray(S, x, src + offsets[map + 11] + j);
        FloatVector r12 = FloatVector.fromArray(S, x, src + offsets[map + 12] + j);
        FloatVector r13 = FloatVector.fromArray(S, x, src + offsets[map + 13] + j);
        FloatVector r14 = FloatVector.fromArray(S, x, src + offsets[map + 14] + j);
        FloatVector r15 = FloatVector.fromArray(S, x, src + offsets[map + 15] + j);
        FloatVector lo, hi, a, b;
        lo = FloatVector.fromArray(S, Permutes.SWAP_LOW[0], 0);
        hi = FloatVector.fromArray(S, Permutes.SWAP_HIGH[0], 0);
        a = r0;
        b = r1;
        r0 = lo.selectFrom(a, b);
        r1 = hi.selectFrom(a, b);
        a = r2;
        b = r3;
        r2 = lo.selectFrom(a, b);
        r3 = hi.selectFrom(a, b);
        a = r4;
        b = r5;
        r4 = lo.selectFrom(a, b);
        r5 = hi.selectFrom(a, b);
        a = r6;
        b = r7;
        r6 = lo.selectFrom(a, b);
        r7 = hi.selectFrom(a, b);
        a = r8;
        b = r9;
        r8 = lo.selectFrom(a, b);
        r9 = hi.selectFrom(a, b);
        a = r10;
        b = r11;
        r10 = lo.selectFrom(a, b);
        r11 = hi.selectFrom(a, b);
        a = r12;
        b = r13;
        r12 = lo.selectFrom(a, b);
        r13 = hi.selectFrom(a, b);
        a = r14;
        b = r15;
        r14 = lo.selectFrom(a, b);
        r15 = hi.selectFrom(a, b);
        lo = FloatVector.fromArray(S, Permutes.SWAP_LOW[1], 0);
        hi = FloatVector.fromArray(S, Permutes.SWAP_HIGH[1], 0);
        a = r0;
        b = r2;
        r0 = lo.selectFrom(a, b);
        r2 = hi.selectFrom(a, b);
        a = r1;
        b = r3;
        r1 = lo.selectFrom(a, b);
        r3 = hi.selectFrom(a, b);
        a = r4;
        b = r6;
        r4 = lo.selectFrom(a, b);
        r6 = hi.selectFrom(a, b);
        a = r5;
        b = r7;
        r5 = lo.selectFrom(a, b);
        r7 = hi.selectFrom(a, b);
        a = r8;
        b = r10;
        r8 = lo.selectFrom(a, b);
        r10 = hi.selectFrom(a, b);
        a = r9;
        b = r11;
        r9 = lo.selectFrom(a, b);
        r11 = hi.selectFrom(a, b);
        a = r12;
        b = r14;
        r12 = lo.selectFrom(a, b);
        r14 = hi.selectFrom(a, b);
        a = r13;
        b = r15;
        r13 = lo.selectFrom(a, b);
        r15 = hi.selectFrom(a, b);
        lo = FloatVector.fromArray(S, Permutes.SWAP_LOW[2], 0);
        hi = FloatVector.fromArray(S, Permutes.SWAP_HIGH[2], 0);
        a = r0;
        b = r4;
        r0 = lo.selectFrom(a, b);
        r4 = hi.selectFrom(a, b);
        a = r1;
        b = r5;
        r1 = lo.selectFrom(a, b);
        r5 = hi.selectFrom(a, b);
        a = r2;
        b = r6;
        r2 = lo.selectFrom(a, b);
        r6 = hi.selectFrom(a, b);
        a = r3;
        b = r7;
        r3 = lo.selectFrom(a, b);
        r7 = hi.selectFrom(a, b);
        a = r8;
        b = r12;
        r8 = lo.selectFrom(a, b);
        r12 = hi.selectFrom(a, b);
        a = r9;
        b = r13;
        r9 = lo.selectFrom(a, b);
        r13 = hi.selectFrom(a, b);
        a = r10;
        b = r14;
        r10 = lo.selectFrom(a, b);
        r14 = hi.selectFrom(a, b);
        a = r11;
        b = r15;
        r11 = lo.selectFrom(a, b);
        r15 = hi.selectFrom(a, b);
        lo = FloatVector.fromArray(S, Permutes.SWAP_LOW[3], 0);
        hi = FloatVector.fromArray(S, Permutes.SWAP_HIGH[3], 0);
        a = r0;
        b = r8;
        r0 = lo.selectFrom(a, b);
        r8 = hi.selectFrom(a, b);
        a = r1;
        b = r9;
        r1 = lo.selectFrom(a, b);
        r9 = hi.selectFrom(a, b);
        a = r2;
        b = r10;
        r2 = lo.selectFrom(a, b);
        r10 = hi.selectFrom(a, b);
        a = r3;
        b = r11;
        r3 = lo.selectFrom(a, b);
        r11 = hi.selectFrom(a, b);
        a = r4;
        b = r12;
        r4 = lo.selectFrom(a, b);
        r12 = hi.selectFrom(a, b);
        a = r5;
        b = r13;
        r5 = lo.selectFrom(a, b);
        r13 = hi.selectFrom(a, b);
        a = r6;
        b = r14;
        r6 = lo.selectFrom(a, b);
        r14 = hi.selectFrom(a, b);
        a = r7;
        b = r15;
        r7 = lo.selectFrom(a, b);
        r15 = hi.selectFrom(a, b);
        int row = j / q, col = j % q, d = dst + row * rowStride + col * pixelStride;
        r0.intoArray(out, d);
        if (++col == q) {
            col = 0;
            d += rowStride - (q - 1) * pixelStride;
        } else d += pixelStride;
        r1.intoArray(out, d);
        if (++col == q) {
            col = 0;
            d += rowStride - (q - 1) * pixelStride;
        } else d += pixelStride;
        r2.intoArray(out, d);
        if (++col == q) {
            col = 0;
            d += rowStride - (q - 1) * pixelStride;
        } else d += pixelStride;
        r3.intoArray(out, d);
        if (++col == q) {
            col = 0;
            d += rowStride - (q - 1) * pixelStride;
        } else d += pixelStride;
        r4.intoArray(out, d);
        if (++col == q) {
            col = 0;
            d += rowStride - (q - 1) * pixelStride;
        } else d += pixelStride;
        r5.intoArray(out, d);
        if (++col == q) {
            col = 0;
            d += rowStride - (q - 1) * pixelStride;
        } else d += pixelStride;
        r6.intoArray(out, d);
        if (++col == q) {
            col = 0;
            d += rowStride - (q - 1) * pixelStride;
        } else d += pixelStride;
        r7.intoArray(out, d);
        if (++col == q) {
            col = 0;
            d += rowStride - (q - 1) * pixelStride;
        } else d += pixelStride;
        r8.intoArray(out, d);
        if (++col == q) {
            col = 0;
            d += rowStride - (q - 1) * pixelStride;
        } else d += pixelStride;
        r9.intoArray(out, d);
        if (++col == q) {
            col = 0;
            d += rowStride - (q - 1) * pixelStride;
        } else d += pixelStride;
        r10.intoArray(out, d);
        if (++col == q) {
            col = 0;
            d += rowStride - (q - 1) * pixelStride;
        } else d += pixelStride;
        r11.intoArray(out, d);
        if (++col == q) {
            col = 0;
            d += rowStride - (q - 1) * pixelStride;
        } else d += pixelStride;
        r12.intoArray(out, d);
        if (++col == q) {
            col = 0;
            d += rowStride - (q - 1) * pixelStride;
        } else d += pixelStride;
        r13.intoArray(out, d);
        if (++col == q) {
            col = 0;
            d += rowStride - (q - 1) * pixelStride;
        } else d += pixelStride;
        r14.intoArray(out, d);
        if (++col == q) {
            col = 0;
            d += rowStride - (q - 1) * pixelStride;
        } else d += pixelStride;
        r15.intoArray(out, d);
    }
}
