package dev.whittle.nativebind.opencl;

/**
 * Compile-time launch parameters of the OpenCL kernels, passed as {@code -D} options so each device can get
 * its own (a sweep compiles one program per setting; the context caches each).
 *
 * @param tileM     rows (filters/channels/features) per GEMM work-group tile (TS_M)
 * @param tileN     columns (pixels/batch rows) per tile; also local size dimension 0 (TS_N)
 * @param tileK     reduction slice staged per barrier (TS_K)
 * @param workPerItemM rows each work-item accumulates (WPT_M); local size dimension 1 is tileM / workPerItemM
 * @param reduceWg  work-group size of the per-filter / per-plane reductions (power of two)
 * @param batchNormWg work-group size of the per-channel batch-norm reductions (power of two)
 * @param softmaxWg work-group size of the per-row softmax (power of two)
 * @param elementwiseWg local size of one-work-item-per-element kernels
 */
public record ClTuning(
        int tileM,
        int tileN,
        int tileK,
        int workPerItemM,
        int reduceWg,
        int batchNormWg,
        int softmaxWg,
        int elementwiseWg) {

    public ClTuning {
        if (tileM <= 0 || tileN <= 0 || tileK <= 0 || workPerItemM <= 0 || tileM % workPerItemM != 0) {
            throw new IllegalArgumentException("tiles must be positive and tileM a multiple of workPerItemM: " + this);
        }
        for (int p : new int[] {reduceWg, batchNormWg, softmaxWg}) {
            if (p <= 0 || Integer.bitCount(p) != 1)
                throw new IllegalArgumentException("reduction sizes must be powers of two: " + this);
        }
        if (elementwiseWg <= 0) throw new IllegalArgumentException("elementwiseWg must be positive: " + this);
    }

    /**
     * 32×32 output tiles, 16-deep slices, 4 rows per work-item: 256-item work-groups (a multiple of 32 and 64
     * for NVIDIA warps and AMD wavefronts), 4.2 KiB of local memory per GEMM work-group.
     */
    public static ClTuning defaults() {
        return new ClTuning(32, 32, 16, 4, 128, 256, 64, 256);
    }

    /** {@link #defaults()} scaled down until every work-group fits the device's maximum work-group size. */
    public static ClTuning forDevice(ClDevice device) {
        ClTuning t = defaults();
        while (t.largestWorkGroup() > device.maxWorkGroupSize() && t.tileN() > 1) {
            t = new ClTuning(
                    t.tileM,
                    Math.max(1, t.tileN / 2),
                    t.tileK,
                    t.workPerItemM,
                    Math.max(1, t.reduceWg / 2),
                    Math.max(1, t.batchNormWg / 2),
                    Math.max(1, t.softmaxWg / 2),
                    Math.max(1, t.elementwiseWg / 2));
        }
        return t;
    }

    /** GEMM local size dimension 1. */
    public int rowThreads() {
        return tileM / workPerItemM;
    }

    int largestWorkGroup() {
        return Math.max(
                Math.max(tileN * rowThreads(), reduceWg), Math.max(Math.max(batchNormWg, softmaxWg), elementwiseWg));
    }

    /** The {@code -D} options for the tiled kernels and the reductions. */
    public String options() {
        return "-cl-std=CL1.2 -D TS_M=" + tileM + " -D TS_N=" + tileN + " -D TS_K=" + tileK + " -D WPT_M="
                + workPerItemM + " -D RED_WG=" + reduceWg + " -D BN_WG=" + batchNormWg + " -D SM_WG=" + softmaxWg;
    }
}
