package dev.whittle.kernels.vector;

import java.util.Arrays;

/**
 * Transformed filters ({@link WinogradFilters#transform}) kept per thread between calls, so an inference forward
 * whose weights did not change since the last call skips the filter transform: 3.5–5 % of VGG-small's and
 * ResNet-20's inference time (async-profiler, batch 1 and 64, one thread) went to transforming the same filters on
 * every call.
 *
 * <p>Why a content check rather than a version number: the kernels are handed bare weight arrays, which a trainer,
 * a pruning mask or a model load rewrites in place, and nothing tells the kernel. An entry keeps a copy of the rows it
 * was made from and is used only when the rows it is asked for are bit-for-bit that copy (a vectorized compare of
 * the 9·ci·mf weights, a tenth of the transform's cost; a changed array, as in training, mostly differs at its first
 * element). So a hit is always exact, and the output bit-identical to transforming afresh.
 *
 * <p>Entries are found by the array's identity and the rows and channels asked for, and replaced round-robin once
 * all {@link #ENTRIES} are used: enough for the reference models' layers, and a bound on what a thread keeps
 * (the transformed filters are 16/9 or 4 times the weights they come from). One per {@link Sgemm.Workspace}, so
 * only its own thread touches it.
 */
final class WinogradFilterCache {
    /** Entries per thread: ResNet-20 has 19 convolutions, with both passes of training 40 distinct calls. */
    static final int ENTRIES = 48;

    private final Entry[] entries = new Entry[ENTRIES];
    private int next;

    private static final class Entry {
        float[] w;
        float[][] g;
        int f0, mf, ci;
        float[] copy = new float[0];
        float[] u = new float[0];
    }

    /**
     * U for weight rows [f0, f0 + mf) of w (rows, ci, 3, 3) by transform {@code g}, laid out as {@link
     * WinogradFilters#transform} lays it with planes {@code plane} floats apart ({@code size} floats in all):
     * this thread's earlier result when those rows have not changed since, else transformed now (with {@code
     * strip}, 9·ci·MR floats of scratch) and kept.
     */
    float[] get(float[][] g, float[] w, int f0, int mf, int ci, int size, int plane, float[] strip) {
        int n = mf * ci * 9, from = f0 * ci * 9;
        Entry e = find(g, w, f0, mf, ci);
        if (e != null && Arrays.equals(w, from, from + n, e.copy, 0, n)) return e.u;
        if (e == null) {
            e = entries[next];
            if (e == null) entries[next] = e = new Entry();
            next = (next + 1) % ENTRIES;
            e.w = w;
            e.g = g;
            e.f0 = f0;
            e.mf = mf;
            e.ci = ci;
        }
        if (e.copy.length < n) e.copy = new float[n];
        if (e.u.length < size) e.u = new float[size];
        WinogradFilters.transform(g, w, f0, mf, ci, e.u, plane, strip);
        System.arraycopy(w, from, e.copy, 0, n);
        return e.u;
    }

    private Entry find(float[][] g, float[] w, int f0, int mf, int ci) {
        for (Entry e : entries) {
            if (e != null && e.w == w && e.g == g && e.f0 == f0 && e.mf == mf && e.ci == ci) return e;
        }
        return null;
    }
}
