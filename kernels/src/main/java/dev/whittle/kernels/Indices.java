package dev.whittle.kernels;

import java.util.Arrays;

/**
 * Index lists for the alive-channel variants of the kernels. {@link #all(int)} returns a shared identity list
 * so unmasked calls allocate nothing; callers must not modify it.
 */
public final class Indices {
    private static volatile int[] identity = range(256);

    private Indices() {}

    /** [0, 1, …, n−1], shared; do not write into it. May be longer than n: use only the first n entries. */
    public static int[] all(int n) {
        int[] id = identity;
        if (id.length < n) {
            synchronized (Indices.class) {
                if (identity.length < n) identity = range(Math.max(n, identity.length * 2));
                id = identity;
            }
        }
        return id;
    }

    public static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    /** Checks that a list is strictly increasing and inside [0, n): kernels index with it unchecked. */
    public static void check(int[] list, int count, int n, String what) {
        if (count < 0 || count > list.length || count > n) {
            throw new IllegalArgumentException(what + ": count " + count + " outside 0.." + Math.min(n, list.length));
        }
        for (int i = 0; i < count; i++) {
            if (list[i] < 0 || list[i] >= n || (i > 0 && list[i] <= list[i - 1])) {
                throw new IllegalArgumentException(what + ": expected increasing indices in [0," + n + ") but found "
                        + Arrays.toString(Arrays.copyOf(list, count)));
            }
        }
    }
}
