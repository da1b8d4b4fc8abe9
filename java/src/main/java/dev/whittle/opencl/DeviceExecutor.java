package dev.whittle.opencl;

import dev.whittle.graph.Graph;
import dev.whittle.graph.Node;
import dev.whittle.nativebind.opencl.ClBuffer;
import dev.whittle.nativebind.opencl.ClContext;
import dev.whittle.nn.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a graph forward and backward on device buffers sized once for a maximum batch, the device twin of
 * {@code graph.Executor}: the same node order, the same fan-out rule (backward zeroes the activation gradients,
 * then layers ADD into their inputs' gradients, so a residual input gathers both contributions) and flatten
 * aliasing its input. Parameters come from a {@link DeviceParams}; nothing is copied to or from the host except
 * through {@link #input()} / {@link #logits()} or the convenience methods used by tests.
 */
public final class DeviceExecutor implements AutoCloseable {
    private final Graph graph;
    private final int capacity;
    private final boolean withGradients;
    private final ClBuffer input;
    private final ClBuffer[] outs, grads;
    private final boolean[] ownsOut;
    private final List<DeviceNode> nodes = new ArrayList<>();
    private int batch;

    public DeviceExecutor(
            OpenClSession session, Graph graph, DeviceParams params, int capacity, boolean withGradients) {
        if (capacity <= 0) throw new IllegalArgumentException("batch capacity must be positive, found " + capacity);
        this.graph = graph;
        this.capacity = capacity;
        this.withGradients = withGradients;
        ClContext ctx = session.context();
        List<Node> list = graph.nodes();
        int count = list.size();
        outs = new ClBuffer[count];
        grads = new ClBuffer[count];
        ownsOut = new boolean[count];
        input = ctx.floats((long) capacity * graph.inputShape().size());
        try {
            for (int i = 0; i < count; i++) {
                Node n = list.get(i);
                int src = n.inputs()[0];
                if (n.layer().aliasesInput()) {
                    outs[i] = src == Graph.INPUT ? input : outs[src];
                    grads[i] = src == Graph.INPUT ? null : grads[src];
                } else {
                    long size = (long) capacity * n.outShape().size();
                    outs[i] = ctx.floats(size);
                    grads[i] = withGradients ? ctx.floats(size) : null;
                    ownsOut[i] = true;
                }
            }
            for (int i = 0; i < count; i++) {
                Node n = list.get(i);
                int k = n.inputs().length;
                ClBuffer[] in = new ClBuffer[k], dIn = new ClBuffer[k];
                for (int j = 0; j < k; j++) {
                    int src = n.inputs()[j];
                    in[j] = src == Graph.INPUT ? input : outs[src];
                    dIn[j] = src == Graph.INPUT ? null : grads[src];
                }
                DeviceOps.Wiring w = new DeviceOps.Wiring(n.inShapes(), n.outShape(), in, dIn, outs[i], grads[i]);
                nodes.add(DeviceOps.create(n.name(), n.layer(), w, session.kernels(), params, ctx, capacity));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public Graph graph() {
        return graph;
    }

    public int capacity() {
        return capacity;
    }

    /** The input buffer (capacity × input size); write a batch here, then call {@link #forward(int, boolean)}. */
    public ClBuffer input() {
        return input;
    }

    /** The logits buffer (capacity × classes) of the last forward. */
    public ClBuffer logits() {
        return outs[outs.length - 1];
    }

    /** The gradient of the logits (capacity × classes): write dLogits here before {@link #backward()}. */
    public ClBuffer logitsGrad() {
        if (!withGradients) throw new IllegalStateException("inference executor has no gradients");
        return grads[grads.length - 1];
    }

    /** Forward over the first n images of {@link #input()}; enqueued, not waited for. */
    public void forward(int n, boolean training) {
        if (n <= 0 || n > capacity)
            throw new IllegalArgumentException("batch expected 1.." + capacity + " but found " + n);
        if (training && !withGradients)
            throw new IllegalStateException("inference executor cannot run a training forward");
        batch = n;
        for (DeviceNode node : nodes) node.forward(n, training);
    }

    /**
     * Backward from {@link #logitsGrad()} of the last training forward: zeroes the other activation gradients,
     * then walks the nodes in reverse, adding into parameter gradients (which the caller zeroes per step).
     */
    public void backward() {
        if (!withGradients) throw new IllegalStateException("inference executor has no gradients");
        List<Node> list = graph.nodes();
        int last = nodes.size() - 1;
        for (int i = 0; i < last; i++) {
            if (ownsOut[i])
                grads[i].fillZero(0, (long) batch * list.get(i).outShape().size());
        }
        for (int i = last; i >= 0; i--) nodes.get(i).backward(batch);
    }

    /** Uploads x (n × input size), runs forward and reads the logits back: for inference and tests. */
    public float[] forward(float[] x, int n, boolean training) {
        float[] out = new float[Math.max(n, 0) * graph.classes()]; // a bad n gets forwardInto's message
        forwardInto(x, n, training, out);
        return out;
    }

    /** {@link #forward(float[], int, boolean)} reading the logits into {@code out} (≥ n × classes): no allocation. */
    public void forwardInto(float[] x, int n, boolean training, float[] out) {
        Shape in = graph.inputShape();
        if (n <= 0 || n > capacity)
            throw new IllegalArgumentException("batch expected 1.." + capacity + " but found " + n);
        if (x.length < n * in.size()) {
            throw new IllegalArgumentException(
                    "input expected " + n + "x" + in + " = " + n * in.size() + " floats but found " + x.length);
        }
        input.write(0, x, 0, n * in.size());
        forward(n, training);
        logits().read(0, out, 0, n * graph.classes());
    }

    /** Uploads dLogits (n × classes) of the last training forward and runs backward: for tests. */
    public void backward(float[] dLogits) {
        logitsGrad().write(0, dLogits, 0, batch * graph.classes());
        backward();
    }

    /** Reads node i's output for the last batch (for tests). */
    public float[] output(int node) {
        float[] out = new float[batch * graph.nodes().get(node).outShape().size()];
        outs[node].read(0, out, 0, out.length);
        return out;
    }

    @Override
    public void close() {
        for (DeviceNode n : nodes) n.close();
        nodes.clear();
        for (int i = 0; i < outs.length; i++) {
            if (ownsOut[i]) {
                if (outs[i] != null) outs[i].close();
                if (grads[i] != null) grads[i].close();
            }
        }
        input.close();
    }
}
