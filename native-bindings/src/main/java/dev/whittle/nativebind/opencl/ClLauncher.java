package dev.whittle.nativebind.opencl;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every op class shares: the context, the tuning, an identity index list standing in for "all channels",
 * and optional per-kernel profiling (device nanoseconds from the queue's profiling events).
 */
final class ClLauncher implements AutoCloseable {
    final ClContext ctx;
    final ClTuning tuning;
    private ClBuffer identity;
    private int identityLength;
    private boolean profiling;
    private final Map<String, ClKernelTime> times = new LinkedHashMap<>();
    private final List<ClBuffer> retired = new ArrayList<>();

    ClLauncher(ClContext ctx, ClTuning tuning) {
        this.ctx = ctx;
        this.tuning = tuning;
    }

    ClProgram program(String name) {
        return ctx.program(name, ClSources.load(name), tuning.options());
    }

    /** The indices to iterate: {@code alive}'s, or 0..bound-1 when it is null. */
    ClBuffer indices(ClAlive alive, int bound, String what) {
        if (alive != null) {
            alive.checkBound(bound, what);
            return alive.buffer();
        }
        if (identityLength < bound) {
            int len = Math.max(bound, Math.max(64, identityLength * 2));
            int[] ids = new int[len];
            for (int i = 0; i < len; i++) ids[i] = i;
            // Retire rather than close: an earlier argument of the same launch may still be bound to it.
            if (identity != null) retired.add(identity);
            identity = ctx.ints(ids);
            identityLength = len;
        }
        return identity;
    }

    static int count(ClAlive alive, int bound) {
        return alive == null ? bound : alive.count();
    }

    /** A buffer to bind where a kernel's optional argument is absent (never read). */
    ClBuffer placeholder() {
        return indices(null, 1, "placeholder");
    }

    void run(ClKernel k, long[] global, long[] local) {
        if (!profiling) {
            k.launch(global, local);
            return;
        }
        long ns = k.launchTimed(global, local);
        times.merge(
                k.name(), new ClKernelTime(ns, 1), (a, b) -> new ClKernelTime(a.nanos() + b.nanos(), a.launches() + 1));
    }

    void run1d(ClKernel k, long n) {
        run(k, new long[] {n}, new long[] {tuning.elementwiseWg()});
    }

    /** A tiled GEMM launch over rows × cols outputs. */
    void runTiled(ClKernel k, long rows, long cols) {
        long tilesN = (cols + tuning.tileN() - 1) / tuning.tileN(),
                tilesM = (rows + tuning.tileM() - 1) / tuning.tileM();
        run(k, new long[] {tilesN * tuning.tileN(), tilesM * tuning.rowThreads()}, new long[] {
            tuning.tileN(), tuning.rowThreads()
        });
    }

    void setProfiling(boolean on) {
        profiling = on;
    }

    Map<String, ClKernelTime> times() {
        return Collections.unmodifiableMap(times);
    }

    void resetTimes() {
        times.clear();
    }

    @Override
    public void close() {
        if (identity != null) identity.close();
        for (ClBuffer b : retired) b.close();
        retired.clear();
        identity = null;
        identityLength = 0;
    }

    static void checkSize(long elements, String what) {
        if (elements > Integer.MAX_VALUE)
            throw new IllegalArgumentException(
                    what + " has " + elements + " elements; the kernels index with 32-bit ints");
    }
}
