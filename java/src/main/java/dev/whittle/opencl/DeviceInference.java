package dev.whittle.opencl;

import dev.whittle.graph.Graph;
import dev.whittle.train.Evaluator;

/**
 * Inference on an OpenCL device: the graph's parameters are uploaded once, then each call uploads a batch
 * x (n × input size), runs the inference-mode forward (BN running statistics, masked layers skipping dead
 * channels) and reads back the logits (n × classes). The parameters are a snapshot: later host changes are
 * not seen.
 */
public final class DeviceInference implements Evaluator.Forward, AutoCloseable {
    private final DeviceParams params;
    private final DeviceExecutor exec;
    private final float[] logits; // reused: a service predicting in a loop allocates nothing per call

    public DeviceInference(OpenClSession session, Graph graph, int capacity) {
        params = new DeviceParams(session.context(), graph);
        try {
            exec = new DeviceExecutor(session, graph, params, capacity, false);
            logits = new float[capacity * graph.classes()];
        } catch (RuntimeException e) {
            params.close();
            throw e;
        }
    }

    public int capacity() {
        return exec.capacity();
    }

    /** Logits of the n images in [0, n × classes) of an array this object reuses on the next call. */
    @Override
    public float[] logits(float[] x, int n) {
        exec.forwardInto(x, n, false, logits);
        return logits;
    }

    @Override
    public void close() {
        exec.close();
        params.close();
    }
}
