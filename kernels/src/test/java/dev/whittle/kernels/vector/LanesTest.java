package dev.whittle.kernels.vector;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** Lanes.sum adds a vector's lanes in one documented order, whatever the JIT has compiled. */
class LanesTest {
    /**
     * A dot product's lanes are summed in one fixed order, the butterfly lane i + lane i ^ d for d = VL/2 … 1, so the
     * result does not depend on whether the JIT has compiled the caller (values of mixed magnitude, whose sum changes
     * with the order of additions), before the JIT compiles it and after.
     */
    @Test
    void aDotProductsLanesAreSummedInOneFixedOrder() {
        int vl = Sgemm.VL;
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int trial = 0; trial < 20_000; trial++) { // enough calls for the JIT to compile Lanes.sum part-way
            float[] v = new float[vl];
            for (int i = 0; i < vl; i++) v[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-3, 4)));
            float[] t = v.clone();
            for (int d = vl / 2; d >= 1; d /= 2) {
                float[] u = new float[vl];
                for (int i = 0; i < vl; i++) u[i] = t[i] + t[i ^ d];
                t = u;
            }
            float got = Lanes.sum(FloatVector.fromArray(Sgemm.S, v, 0));
            Assertions.assertEquals(Float.floatToRawIntBits(t[0]), Float.floatToRawIntBits(got), "trial " + trial);
        }
    }
}
