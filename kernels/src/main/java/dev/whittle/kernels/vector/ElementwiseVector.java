package dev.whittle.kernels.vector;

import dev.whittle.kernels.ElementwiseKernels;
import dev.whittle.kernels.ElementwiseScalar;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise ops on the Vector API, computing exactly (bit for bit) what {@link ElementwiseScalar} computes over
 * [i0, i1). These are memory-bound; the vector loops mainly remove the per-element branch of the ReLU backward
 * (a compare mask and a blend instead) and make the loop shape independent of C2's auto-vectoriser.
 */
public final class ElementwiseVector implements ElementwiseKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();

    @Override
    public void reluForward(float[] x, float[] y, int i0, int i1) {
        int i = i0, vEnd = i0 + (i1 - i0) / VL * VL;
        // FloatVector.max follows Math.max: NaN stays NaN, as in the reference.
        FloatVector zero = FloatVector.zero(S);
        for (; i < vEnd; i += VL) FloatVector.fromArray(S, x, i).max(zero).intoArray(y, i);
        for (; i < i1; i++) y[i] = Math.max(x[i], 0f);
    }

    @Override
    public void reluBackward(float[] y, float[] dy, float[] dx, int i0, int i1) {
        int i = i0, vEnd = i0 + (i1 - i0) / VL * VL;
        FloatVector zero = FloatVector.zero(S);
        for (; i < vEnd; i += VL) {
            FloatVector yv = FloatVector.fromArray(S, y, i);
            FloatVector g = zero.blend(FloatVector.fromArray(S, dy, i), yv.compare(VectorOperators.GT, zero));
            FloatVector.fromArray(S, dx, i).add(g).intoArray(dx, i);
        }
        for (; i < i1; i++) dx[i] += y[i] > 0f ? dy[i] : 0f;
    }

    @Override
    public void reluMask(float[] y, float[] dy, float[] dx, int i0, int i1) {
        int i = i0, vEnd = i0 + (i1 - i0) / VL * VL;
        FloatVector zero = FloatVector.zero(S);
        for (; i < vEnd; i += VL) {
            FloatVector yv = FloatVector.fromArray(S, y, i);
            zero.blend(FloatVector.fromArray(S, dy, i), yv.compare(VectorOperators.GT, zero))
                    .intoArray(dx, i);
        }
        for (; i < i1; i++) dx[i] = y[i] > 0f ? dy[i] : 0f;
    }

    @Override
    public void add(float[] a, float[] b, float[] y, int i0, int i1) {
        int i = i0, vEnd = i0 + (i1 - i0) / VL * VL;
        for (; i < vEnd; i += VL)
            FloatVector.fromArray(S, a, i).add(FloatVector.fromArray(S, b, i)).intoArray(y, i);
        for (; i < i1; i++) y[i] = a[i] + b[i];
    }

    @Override
    public void accumulate(float[] src, float[] dst, int i0, int i1) {
        int i = i0, vEnd = i0 + (i1 - i0) / VL * VL;
        for (; i < vEnd; i += VL) {
            FloatVector.fromArray(S, dst, i)
                    .add(FloatVector.fromArray(S, src, i))
                    .intoArray(dst, i);
        }
        for (; i < i1; i++) dst[i] += src[i];
    }
}
