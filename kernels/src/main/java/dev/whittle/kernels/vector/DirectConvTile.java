package dev.whittle.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register tiles of {@link DirectConv}: 8 filters × 2 vectors of output columns per call, the weights
 * broadcast in place and the image operand read in place from the padded planes through {@code rowBase}.
 */
final class DirectConvTile {
    static final VectorSpecies<Float> S = Sgemm.S;
    static final int VL = Sgemm.VL;

    private DirectConvTile() {}

    /**
     * C[0..MR)×[0..NR) = A · B for filters f0..f0+7: A row i is filter f0 + i of the weights, read in place from
     * {@code w[(f0 + i)·kc]} (rows past {@code fLast} repeat it; their outputs land in staging rows never read), and
     * B row k, column j is {@code x[rowBase[k] + col + j]}. One method with no vector crossing a call (toolchain.md §2).
     */
    static void kernel(
            int kc, float[] w, int f0, int fLast, float[] x, int[] rowBase, int col, float[] c, int cOff, int ldc) {
        int a0 = f0 * kc, a1 = Math.min(f0 + 1, fLast) * kc, a2 = Math.min(f0 + 2, fLast) * kc;
        int a3 = Math.min(f0 + 3, fLast) * kc, a4 = Math.min(f0 + 4, fLast) * kc;
        int a5 = Math.min(f0 + 5, fLast) * kc, a6 = Math.min(f0 + 6, fLast) * kc;
        int a7 = Math.min(f0 + 7, fLast) * kc;
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int kk = 0; kk < kc; kk += 1) {
            int bi = rowBase[kk] + col;
            FloatVector b0 = FloatVector.fromArray(S, x, bi);
            FloatVector b1 = FloatVector.fromArray(S, x, bi + VL);
            FloatVector a = FloatVector.broadcast(S, w[a0 + kk]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, w[a1 + kk]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, w[a2 + kk]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, w[a3 + kk]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, w[a4 + kk]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, w[a5 + kk]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, w[a6 + kk]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, w[a7 + kk]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
        }
        int o = cOff;
        c00.intoArray(c, o);
        c01.intoArray(c, o + VL);
        o += ldc;
        c10.intoArray(c, o);
        c11.intoArray(c, o + VL);
        o += ldc;
        c20.intoArray(c, o);
        c21.intoArray(c, o + VL);
        o += ldc;
        c30.intoArray(c, o);
        c31.intoArray(c, o + VL);
        o += ldc;
        c40.intoArray(c, o);
        c41.intoArray(c, o + VL);
        o += ldc;
        c50.intoArray(c, o);
        c51.intoArray(c, o + VL);
        o += ldc;
        c60.intoArray(c, o);
        c61.intoArray(c, o + VL);
        o += ldc;
        c70.intoArray(c, o);
        c71.intoArray(c, o + VL);
    }

    /**
     * {@link #kernel} for S = 3: the three reduction rows (c, r, 0..2) start at consecutive floats, so one rowBase
     * load and one loop step serve three k. Unrolling this way cut the integer work per FMA, which on Ice Lake
     * competes with the FMAs for ports 0 and 5: 82–85 vs 67–75 GFLOP/s for the kernel alone on VGG-small shapes.
     * kc must be a multiple of 3 and rowBase[k + 1] == rowBase[k] + 1 within each triple.
     *
     * <p>The B rows one and two columns on are the pair (x[bi, +VL), x[bi + VL, +VL)) shifted by two-vector permutes
     * of three loads, not four more loads: on this VM a kernel issues about one load a cycle, a broadcast counting as
     * one and an unaligned 64-byte load as two, so the eight broadcasts and six loads of a tap triple, not the FMAs,
     * set its pace (bench/README.md, Stop 20). In place, interleaved: 6–11 % faster on VGG-small and ResNet-20
     * shapes. The values are the same floats, so the results are bit-identical.
     */
    static void kernel3(
            int kc, float[] w, int f0, int fLast, float[] x, int[] rowBase, int col, float[] c, int cOff, int ldc) {
        int a0 = f0 * kc, a1 = Math.min(f0 + 1, fLast) * kc, a2 = Math.min(f0 + 2, fLast) * kc;
        int a3 = Math.min(f0 + 3, fLast) * kc, a4 = Math.min(f0 + 4, fLast) * kc;
        int a5 = Math.min(f0 + 5, fLast) * kc, a6 = Math.min(f0 + 6, fLast) * kc;
        int a7 = Math.min(f0 + 7, fLast) * kc;
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        FloatVector shift1 = FloatVector.fromArray(S, Permutes.SHIFT1, 0);
        FloatVector shift2 = FloatVector.fromArray(S, Permutes.SHIFT2, 0);
        for (int kk = 0; kk < kc; kk += 3) {
            int bi = rowBase[kk] + col;
            FloatVector xa = FloatVector.fromArray(S, x, bi);
            FloatVector xb = FloatVector.fromArray(S, x, bi + VL);
            FloatVector xc = FloatVector.fromArray(S, x, bi + 2 * VL);
            FloatVector b0 = xa, b1 = xb;
            FloatVector a = FloatVector.broadcast(S, w[a0 + kk]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, w[a1 + kk]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, w[a2 + kk]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, w[a3 + kk]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, w[a4 + kk]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, w[a5 + kk]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, w[a6 + kk]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, w[a7 + kk]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
            b0 = shift1.selectFrom(xa, xb);
            b1 = shift1.selectFrom(xb, xc);
            a = FloatVector.broadcast(S, w[a0 + kk + 1]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, w[a1 + kk + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, w[a2 + kk + 1]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, w[a3 + kk + 1]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, w[a4 + kk + 1]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, w[a5 + kk + 1]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, w[a6 + kk + 1]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, w[a7 + kk + 1]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
            b0 = shift2.selectFrom(xa, xb);
            b1 = shift2.selectFrom(xb, xc);
            a = FloatVector.broadcast(S, w[a0 + kk + 2]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, w[a1 + kk + 2]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, w[a2 + kk + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, w[a3 + kk + 2]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, w[a4 + kk + 2]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, w[a5 + kk + 2]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, w[a6 + kk + 2]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, w[a7 + kk + 2]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
        }
        int o = cOff;
        c00.intoArray(c, o);
        c01.intoArray(c, o + VL);
        o += ldc;
        c10.intoArray(c, o);
        c11.intoArray(c, o + VL);
        o += ldc;
        c20.intoArray(c, o);
        c21.intoArray(c, o + VL);
        o += ldc;
        c30.intoArray(c, o);
        c31.intoArray(c, o + VL);
        o += ldc;
        c40.intoArray(c, o);
        c41.intoArray(c, o + VL);
        o += ldc;
        c50.intoArray(c, o);
        c51.intoArray(c, o + VL);
        o += ldc;
        c60.intoArray(c, o);
        c61.intoArray(c, o + VL);
        o += ldc;
        c70.intoArray(c, o);
        c71.intoArray(c, o + VL);
    }

    /**
     * {@link #kernel3} for stride 2 on phase planes ({@link ImageLayout}): the triple (c, r, 0..2) reads the even
     * column phase at rowBase[k], the odd one {@code odd} floats on (the next phase plane) and the even one a column
     * on, so tap 2 is tap 0's pair shifted by a permute and one rowBase load serves three k. kc must be a multiple of
     * 3 with rowBase[k + 1] == rowBase[k] + odd and rowBase[k + 2] == rowBase[k] + 1 within each triple.
     *
     * <p>A copy of kernel3's body, not a flag on it: a branch in the tap loop would leave C2 a method twice as large
     * to unswitch, and a shared helper would pass vectors across a call (boxed, toolchain.md §2).
     */
    static void kernelPhase3(
            int kc,
            float[] w,
            int f0,
            int fLast,
            float[] x,
            int[] rowBase,
            int odd,
            int col,
            float[] c,
            int cOff,
            int ldc) {
        int a0 = f0 * kc, a1 = Math.min(f0 + 1, fLast) * kc, a2 = Math.min(f0 + 2, fLast) * kc;
        int a3 = Math.min(f0 + 3, fLast) * kc, a4 = Math.min(f0 + 4, fLast) * kc;
        int a5 = Math.min(f0 + 5, fLast) * kc, a6 = Math.min(f0 + 6, fLast) * kc;
        int a7 = Math.min(f0 + 7, fLast) * kc;
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        FloatVector shift1 = FloatVector.fromArray(S, Permutes.SHIFT1, 0);
        for (int kk = 0; kk < kc; kk += 3) {
            int bi = rowBase[kk] + col;
            FloatVector xa = FloatVector.fromArray(S, x, bi);
            FloatVector xb = FloatVector.fromArray(S, x, bi + VL);
            FloatVector xc = FloatVector.fromArray(S, x, bi + 2 * VL);
            FloatVector b0 = xa, b1 = xb;
            FloatVector a = FloatVector.broadcast(S, w[a0 + kk]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, w[a1 + kk]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, w[a2 + kk]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, w[a3 + kk]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, w[a4 + kk]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, w[a5 + kk]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, w[a6 + kk]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, w[a7 + kk]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
            b0 = FloatVector.fromArray(S, x, bi + odd);
            b1 = FloatVector.fromArray(S, x, bi + odd + VL);
            a = FloatVector.broadcast(S, w[a0 + kk + 1]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, w[a1 + kk + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, w[a2 + kk + 1]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, w[a3 + kk + 1]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, w[a4 + kk + 1]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, w[a5 + kk + 1]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, w[a6 + kk + 1]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, w[a7 + kk + 1]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
            b0 = shift1.selectFrom(xa, xb);
            b1 = shift1.selectFrom(xb, xc);
            a = FloatVector.broadcast(S, w[a0 + kk + 2]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, w[a1 + kk + 2]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, w[a2 + kk + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, w[a3 + kk + 2]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, w[a4 + kk + 2]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, w[a5 + kk + 2]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, w[a6 + kk + 2]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, w[a7 + kk + 2]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
        }
        int o = cOff;
        c00.intoArray(c, o);
        c01.intoArray(c, o + VL);
        o += ldc;
        c10.intoArray(c, o);
        c11.intoArray(c, o + VL);
        o += ldc;
        c20.intoArray(c, o);
        c21.intoArray(c, o + VL);
        o += ldc;
        c30.intoArray(c, o);
        c31.intoArray(c, o + VL);
        o += ldc;
        c40.intoArray(c, o);
        c41.intoArray(c, o + VL);
        o += ldc;
        c50.intoArray(c, o);
        c51.intoArray(c, o + VL);
        o += ldc;
        c60.intoArray(c, o);
        c61.intoArray(c, o + VL);
        o += ldc;
        c70.intoArray(c, o);
        c71.intoArray(c, o + VL);
    }
}
