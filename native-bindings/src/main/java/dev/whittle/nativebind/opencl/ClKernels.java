package dev.whittle.nativebind.opencl;

import java.util.Map;

/**
 * Every op on device buffers, built once per (context, tuning): the programs are compiled when this is
 * constructed (a failing source fails here, naming the program and carrying the build log) and launched
 * without waiting; {@link ClContext#finish()} or a blocking read synchronises. Closing this releases only its
 * helper buffers; the programs belong to the context's cache.
 */
public final class ClKernels implements AutoCloseable {
    private final ClLauncher launcher;
    private final ClConv2d conv;
    private final ClLinear linear;
    private final ClBatchNorm batchNorm;
    private final ClPool pool;
    private final ClElementwise elementwise;
    private final ClSoftmaxCrossEntropy softmaxCrossEntropy;
    private final ClSgd sgd;

    public ClKernels(ClContext ctx) {
        this(ctx, ClTuning.forDevice(ctx.device()));
    }

    public ClKernels(ClContext ctx, ClTuning tuning) {
        launcher = new ClLauncher(ctx, tuning);
        conv = new ClConv2d(launcher);
        linear = new ClLinear(launcher);
        batchNorm = new ClBatchNorm(launcher);
        pool = new ClPool(launcher);
        elementwise = new ClElementwise(launcher);
        softmaxCrossEntropy = new ClSoftmaxCrossEntropy(launcher);
        sgd = new ClSgd(launcher);
    }

    public ClConv2d conv() {
        return conv;
    }

    public ClLinear linear() {
        return linear;
    }

    public ClBatchNorm batchNorm() {
        return batchNorm;
    }

    public ClPool pool() {
        return pool;
    }

    public ClElementwise elementwise() {
        return elementwise;
    }

    public ClSoftmaxCrossEntropy softmaxCrossEntropy() {
        return softmaxCrossEntropy;
    }

    public ClSgd sgd() {
        return sgd;
    }

    public ClTuning tuning() {
        return launcher.tuning;
    }

    /**
     * With profiling on, every launch waits for its kernel and adds the device time to {@link #kernelTimes()};
     * for benchmarks, not training (it serialises host and device).
     */
    public void setProfiling(boolean on) {
        launcher.setProfiling(on);
    }

    /** Device time per "program.kernel" since the last {@link #resetKernelTimes()}, in launch order. */
    public Map<String, ClKernelTime> kernelTimes() {
        return launcher.times();
    }

    public void resetKernelTimes() {
        launcher.resetTimes();
    }

    @Override
    public void close() {
        launcher.close();
    }
}
