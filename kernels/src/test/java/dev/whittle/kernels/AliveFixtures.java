package dev.whittle.kernels;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Random operands and alive-index subsets for the tests of masked (alive-index) kernels. */
final class AliveFixtures {
    private AliveFixtures() {}

    /** n values uniform in [−1, 1). */
    static float[] rand(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    /** An increasing subset of [0, n) keeping each index with probability 0.6, never empty. */
    static int[] subset(SplittableRandom r, int n) {
        int[] out = new int[n];
        int k = 0;
        for (int i = 0; i < n; i++) if (r.nextDouble() < 0.6) out[k++] = i;
        if (k == 0) out[k++] = r.nextInt(n);
        return Arrays.copyOf(out, k);
    }
}
