package dev.whittle.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * The sum of a vector's lanes in one fixed order, for the inference paths whose results must not depend on the
 * thread count or the JIT's progress. reduceLanes(ADD) leaves the order to the implementation, and the JIT's
 * intrinsic and the interpreter's fallback differ in it: the same dot product came out one ulp apart depending on
 * whether its caller had been compiled yet, so a batch-1 model split across two threads did not always give the
 * bits of one thread (FusedInferenceTest failed that way in a CI run).
 */
final class Lanes {
    private Lanes() {}

    // Lane i's partner i ^ d: the butterfly sum adds along (16 lanes use all four, 8 the last three).
    private static final VectorShuffle<Float> X1 = VectorShuffle.fromOp(Sgemm.S, i -> i ^ 1);
    private static final VectorShuffle<Float> X2 = VectorShuffle.fromOp(Sgemm.S, i -> i ^ 2);
    private static final VectorShuffle<Float> X4 = Sgemm.VL >= 8 ? VectorShuffle.fromOp(Sgemm.S, i -> i ^ 4) : null;
    private static final VectorShuffle<Float> X8 = Sgemm.VL >= 16 ? VectorShuffle.fromOp(Sgemm.S, i -> i ^ 8) : null;

    /** Σ lanes as a butterfly of lane-wise adds, lane i + lane i ^ d for d = VL/2 … 1 (4 to 16 lanes). */
    static float sum(FloatVector v) {
        if (Sgemm.VL > 16 || Sgemm.VL < 4) return v.reduceLanes(VectorOperators.ADD);
        if (Sgemm.VL >= 16) v = v.add(v.rearrange(X8));
        if (Sgemm.VL >= 8) v = v.add(v.rearrange(X4));
        v = v.add(v.rearrange(X2));
        v = v.add(v.rearrange(X1));
        return v.lane(0);
    }
}
