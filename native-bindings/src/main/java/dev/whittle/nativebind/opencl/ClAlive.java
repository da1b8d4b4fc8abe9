package dev.whittle.nativebind.opencl;

import java.util.Arrays;

/**
 * A device list of alive channel indices (output filters or input channels) that conv and linear kernels
 * iterate instead of the full range, so masked channels cost no work. Indices must be distinct and
 * non-negative; they are checked against the layer's size at each launch. Passing {@code null} where a
 * kernel takes a ClAlive means "all channels". Owns its buffer.
 */
public final class ClAlive implements AutoCloseable {
    private final ClBuffer indices;
    private final int count;
    private final int max;

    private ClAlive(ClBuffer indices, int count, int max) {
        this.indices = indices;
        this.count = count;
        this.max = max;
    }

    /** Uploads {@code alive} (distinct, non-negative; any order, ascending is the most cache-friendly). */
    public static ClAlive of(ClContext ctx, int[] alive) {
        int[] sorted = alive.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            if (sorted[i] < 0 || (i > 0 && sorted[i] == sorted[i - 1])) {
                throw new IllegalArgumentException(
                        "alive indices must be distinct and >= 0: " + Arrays.toString(alive));
            }
        }
        return new ClAlive(ctx.ints(alive), alive.length, sorted.length == 0 ? -1 : sorted[sorted.length - 1]);
    }

    public int count() {
        return count;
    }

    ClBuffer buffer() {
        return indices;
    }

    /** Throws unless every index is below {@code bound}. */
    void checkBound(int bound, String what) {
        if (max >= bound)
            throw new IllegalArgumentException(what + " index " + max + " out of range 0.." + (bound - 1));
    }

    @Override
    public void close() {
        indices.close();
    }
}
