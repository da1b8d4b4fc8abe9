package dev.whittle.opencl;

import dev.whittle.graph.Graph;
import dev.whittle.kernels.SoftmaxCrossEntropyScalar;
import dev.whittle.nativebind.opencl.ClBuffer;
import dev.whittle.nativebind.opencl.ClKernels;
import dev.whittle.train.HookSync;
import dev.whittle.train.StepEngine;
import dev.whittle.train.TrainConfig;
import dev.whittle.train.Trainer;

/**
 * A training step entirely on an OpenCL device: the batch and its labels go up once, forward, softmax
 * cross-entropy (writing dLogits straight into the executor's logits gradient), backward and the SGD update run
 * on device buffers, and only the per-sample losses and the logits (for accuracy; classes floats per image)
 * come back. Parameters stay resident in {@link DeviceParams}; pruning hooks see them through {@link HookSync}.
 */
public final class DeviceStepEngine implements StepEngine {
    private final OpenClSession session;
    private final ClKernels k;
    private final TrainConfig config;
    private final DeviceParams params;
    private final DeviceExecutor exec;
    private final ClBuffer labels, losses;
    private final HookSync hooks;
    private final int classes, imageSize;
    private final float[] hostLoss, hostLogits;

    public DeviceStepEngine(OpenClSession session, Graph graph, TrainConfig config) {
        this.session = session;
        this.k = session.kernels();
        this.config = config;
        int cap = config.batch();
        classes = graph.classes();
        imageSize = graph.inputShape().size();
        params = new DeviceParams(session.context(), graph);
        DeviceExecutor e = null;
        ClBuffer lb = null, ls = null;
        try {
            e = new DeviceExecutor(session, graph, params, cap, true);
            lb = session.context().ints(cap);
            ls = session.context().floats(cap);
        } catch (RuntimeException ex) {
            if (lb != null) lb.close();
            if (e != null) e.close();
            params.close();
            throw ex;
        }
        exec = e;
        labels = lb;
        losses = ls;
        hostLoss = new float[cap];
        hostLogits = new float[cap * classes];
        hooks = new HookSync(new HookSync.Transfer() {
            @Override
            public void pull() {
                params.download(true);
            }

            @Override
            public void push() {
                params.upload(true);
            }
        });
    }

    /** The factory that builds a device engine on {@code session} for each fit. */
    public static StepEngine.Factory factory(OpenClSession session) {
        return (g, c) -> new DeviceStepEngine(session, g, c);
    }

    @Override
    public int capacity() {
        return exec.capacity();
    }

    @Override
    public StepResult step(float[] x, int[] y, int n, float lr, long iteration, Trainer.Hooks h) {
        exec.input().write(0, x, 0, n * imageSize);
        labels.write(0, y, 0, n);
        params.zeroGrads();
        hooks.beforeForward(h, iteration);
        exec.forward(n, true);
        k.softmaxCrossEntropy().forwardBackward(classes, n, n, exec.logits(), labels, losses, exec.logitsGrad());
        losses.read(0, hostLoss, 0, n);
        exec.logits().read(0, hostLogits, 0, n * classes);
        double lossSum = 0;
        int correct = 0;
        for (int i = 0; i < n; i++) {
            lossSum += hostLoss[i];
            if (SoftmaxCrossEntropyScalar.argmax(classes, hostLogits, i) == y[i]) correct++;
        }
        // A diverged loss stops before the update, as on the CPU, so the last finite parameters remain.
        if (!Double.isFinite(lossSum)) return new StepResult(lossSum, correct);
        exec.backward();
        hooks.afterBackward(h, iteration);
        params.sgdStep(k.sgd(), lr, config.momentum(), config.weightDecay(), config.nesterov());
        hooks.afterStep(h, iteration);
        return new StepResult(lossSum, correct);
    }

    @Override
    public float[] infer(float[] x, int n) {
        exec.input().write(0, x, 0, n * imageSize);
        exec.forward(n, false);
        exec.logits().read(0, hostLogits, 0, n * classes);
        return hostLogits;
    }

    @Override
    public void syncToHost() {
        params.download(true);
    }

    @Override
    public String describe() {
        return "opencl (" + session.describe() + ")";
    }

    /** The device executor (for benchmarks that time forward/backward on their own). */
    public DeviceExecutor executor() {
        return exec;
    }

    @Override
    public void close() {
        labels.close();
        losses.close();
        exec.close();
        params.close();
    }
}
