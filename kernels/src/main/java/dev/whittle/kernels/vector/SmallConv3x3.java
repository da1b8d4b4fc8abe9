package dev.whittle.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * A one-channel 3×3 stride-1 convolution (VGG-small's and ResNet-20's first layer) on {@link SmallConv}'s padded
 * plane, two filters at a time with their 18 weights held in registers, sliding down a column block: each padded row
 * is loaded once (a pair of vectors; taps one and two are the pair shifted by {@link Permutes#SHIFT1} and {@code
 * SHIFT2}) and feeds the three output rows it belongs to, and an output row leaves through the epilogue to y when its
 * third input row has been added.
 *
 * <p>Why: {@link SmallConv}'s general kernel broadcasts every weight for every output vector, 72 broadcasts and 9
 * loads per 72 multiply-adds (8 filters × 9 taps), and ran at 20–30 GFLOP/s on VGG-small's first layer; here a
 * padded row costs 2 loads and 2 permutes for 18 multiply-adds. The multiply-adds of an output are made in {@link
 * SmallConv}'s order (bias, then taps row by row), so the outputs are bit-identical to it.
 */
final class SmallConv3x3 {
    static final VectorSpecies<Float> S = Sgemm.S;
    static final int VL = Sgemm.VL;

    private SmallConv3x3() {}

    /**
     * Column block [qb, qb + VL) of the output planes of weight rows at wa and wb (9 floats each) of one image, top to
     * bottom: y[ya + p·q + j] and y[yb + p·q + j] = e(bias + Σ w·xpad), e = max(scale·v + shift, 0) as {@code affine}
     * and {@code relu} say (the ReLU only with affine); yb < 0: the first plane only (wb is then read but unused).
     * xpad holds the padded plane, hp rows of wpad floats (wpad ≥ ⌈q/VL⌉·VL + 2) and VL floats of slack after it.
     */
    static void column(
            float[] w,
            int wa,
            int wb,
            float ba,
            float bb,
            boolean affine,
            float sa,
            float ta,
            float sb,
            float tb,
            boolean relu,
            float[] xpad,
            int wpad,
            int hp,
            int q,
            int qb,
            float[] y,
            int ya,
            int yb) {
        FloatVector shift1 = FloatVector.fromArray(S, Permutes.SHIFT1, 0);
        FloatVector shift2 = FloatVector.fromArray(S, Permutes.SHIFT2, 0);
        FloatVector a00 = FloatVector.broadcast(S, w[wa]), a01 = FloatVector.broadcast(S, w[wa + 1]);
        FloatVector a02 = FloatVector.broadcast(S, w[wa + 2]), a10 = FloatVector.broadcast(S, w[wa + 3]);
        FloatVector a11 = FloatVector.broadcast(S, w[wa + 4]), a12 = FloatVector.broadcast(S, w[wa + 5]);
        FloatVector a20 = FloatVector.broadcast(S, w[wa + 6]), a21 = FloatVector.broadcast(S, w[wa + 7]);
        FloatVector a22 = FloatVector.broadcast(S, w[wa + 8]);
        FloatVector b00 = FloatVector.broadcast(S, w[wb]), b01 = FloatVector.broadcast(S, w[wb + 1]);
        FloatVector b02 = FloatVector.broadcast(S, w[wb + 2]), b10 = FloatVector.broadcast(S, w[wb + 3]);
        FloatVector b11 = FloatVector.broadcast(S, w[wb + 4]), b12 = FloatVector.broadcast(S, w[wb + 5]);
        FloatVector b20 = FloatVector.broadcast(S, w[wb + 6]), b21 = FloatVector.broadcast(S, w[wb + 7]);
        FloatVector b22 = FloatVector.broadcast(S, w[wb + 8]);
        FloatVector biasA = FloatVector.broadcast(S, ba), biasB = FloatVector.broadcast(S, bb);
        VectorMask<Float> m = S.indexInRange(qb, q);
        // Running sums of output rows j − 1 (one input row added) and j − 2 (two added), per filter.
        FloatVector ra1 = biasA, ra2 = biasA, rb1 = biasB, rb2 = biasB;
        for (int j = 0; j < hp; j++) {
            int o = j * wpad + qb;
            FloatVector x0 = FloatVector.fromArray(S, xpad, o), next = FloatVector.fromArray(S, xpad, o + VL);
            FloatVector x1 = shift1.selectFrom(x0, next), x2 = shift2.selectFrom(x0, next);
            // Output row j − 2 takes its last input row (taps r = 2) and leaves.
            FloatVector da = x2.fma(a22, x1.fma(a21, x0.fma(a20, ra2)));
            FloatVector db = x2.fma(b22, x1.fma(b21, x0.fma(b20, rb2)));
            ra2 = x2.fma(a12, x1.fma(a11, x0.fma(a10, ra1)));
            rb2 = x2.fma(b12, x1.fma(b11, x0.fma(b10, rb1)));
            ra1 = x2.fma(a02, x1.fma(a01, x0.fma(a00, biasA)));
            rb1 = x2.fma(b02, x1.fma(b01, x0.fma(b00, biasB)));
            if (j < 2) continue;
            int row = (j - 2) * q + qb;
            if (affine) {
                da = da.fma(sa, ta);
                db = db.fma(sb, tb);
                if (relu) {
                    da = da.max(0f);
                    db = db.max(0f);
                }
            }
            da.intoArray(y, ya + row, m);
            if (yb >= 0) db.intoArray(y, yb + row, m);
        }
    }
}
