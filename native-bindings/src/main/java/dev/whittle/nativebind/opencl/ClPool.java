package dev.whittle.nativebind.opencl;

/**
 * Pooling on device buffers, the twin of {@code dev.whittle.kernels.PoolScalar}: x (planes,H,W) → y
 * (planes,P,Q) with plane = n·C + c, k×k windows ({@code pool.cl}). Backward passes gather per input element.
 */
public final class ClPool {
    private final ClLauncher l;
    private final ClKernel maxFwd, maxBwd, avgFwd, avgBwd, gapFwd, gapBwd;

    ClPool(ClLauncher launcher) {
        this.l = launcher;
        ClProgram p = l.program("pool");
        maxFwd = p.kernel("max_pool_forward");
        maxBwd = p.kernel("max_pool_backward");
        avgFwd = p.kernel("avg_pool_forward");
        avgBwd = p.kernel("avg_pool_backward");
        gapFwd = p.kernel("global_avg_pool_forward");
        gapBwd = p.kernel("global_avg_pool_backward");
    }

    public static int outSize(int in, int kernel, int stride, int pad) {
        return (in + 2 * pad - kernel) / stride + 1;
    }

    /** Max pool; y overwritten, argmax (planes,P,Q) = flat input index of each maximum. */
    public void maxForward(
            int planes, int h, int w, int kernel, int stride, int pad, ClBuffer x, ClBuffer y, ClBuffer argmax) {
        windowed(maxFwd, planes, h, w, kernel, stride, pad, false, x, y, argmax);
    }

    /** dx[argmax] += dy, gathered per input element; dy, argmax (planes,P,Q), dx (planes,H,W) accumulated. */
    public void maxBackward(
            int planes, int h, int w, int kernel, int stride, int pad, ClBuffer dy, ClBuffer argmax, ClBuffer dx) {
        windowed(maxBwd, planes, h, w, kernel, stride, pad, true, dy, argmax, dx);
    }

    /** Average pool (padding excluded from the divisor); y overwritten. */
    public void avgForward(int planes, int h, int w, int kernel, int stride, int pad, ClBuffer x, ClBuffer y) {
        windowed(avgFwd, planes, h, w, kernel, stride, pad, false, x, y, null);
    }

    /** Average pool backward; dx accumulated. */
    public void avgBackward(int planes, int h, int w, int kernel, int stride, int pad, ClBuffer dy, ClBuffer dx) {
        windowed(avgBwd, planes, h, w, kernel, stride, pad, true, dy, dx, null);
    }

    /** Global average pool (planes,HW) → (planes); y overwritten. */
    public void globalAvgForward(int planes, int hw, ClBuffer x, ClBuffer y) {
        if (planes == 0) return;
        gapFwd.arg(0, x).arg(1, y).arg(2, hw);
        int wg = l.tuning.reduceWg();
        l.run(gapFwd, new long[] {(long) planes * wg}, new long[] {wg});
    }

    /** Global average pool backward; dx (planes,HW) accumulated. */
    public void globalAvgBackward(int planes, int hw, ClBuffer dy, ClBuffer dx) {
        if (planes == 0) return;
        gapBwd.arg(0, dy).arg(1, dx).arg(2, planes).arg(3, hw);
        l.run1d(gapBwd, (long) planes * hw);
    }

    /** Binds (a, b[, c], planes, H, W, P, Q, kernel, stride, pad); launches over output (or input) planes. */
    private void windowed(
            ClKernel k,
            int planes,
            int h,
            int w,
            int kernel,
            int stride,
            int pad,
            boolean perInput,
            ClBuffer a,
            ClBuffer b,
            ClBuffer c) {
        if (planes == 0) return;
        int pp = outSize(h, kernel, stride, pad), qq = outSize(w, kernel, stride, pad);
        if (pp <= 0 || qq <= 0)
            throw new IllegalArgumentException("pooling window " + kernel + " larger than padded input " + h + "x" + w);
        ClLauncher.checkSize((long) planes * h * w, "pooling input");
        int i = 0;
        k.arg(i++, a).arg(i++, b);
        if (c != null) k.arg(i++, c);
        k.arg(i++, planes)
                .arg(i++, h)
                .arg(i++, w)
                .arg(i++, pp)
                .arg(i++, qq)
                .arg(i++, kernel)
                .arg(i++, stride)
                .arg(i, pad);
        long perPlane = perInput ? (long) h * w : (long) pp * qq;
        // A fixed local size (not per shape) lets every plane size share one compiled work-group function.
        l.run(k, new long[] {perPlane, planes}, new long[] {64, 1});
    }
}
