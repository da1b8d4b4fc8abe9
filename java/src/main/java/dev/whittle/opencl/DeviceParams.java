package dev.whittle.opencl;

import dev.whittle.graph.Graph;
import dev.whittle.nativebind.opencl.ClBuffer;
import dev.whittle.nativebind.opencl.ClContext;
import dev.whittle.nativebind.opencl.ClSgd;
import dev.whittle.nn.Param;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A graph's parameters resident on the device: a value buffer for every parameter and buffer (BN running
 * statistics), plus gradient and SGD velocity buffers for trainable ones. The host arrays are copied up once at
 * construction and copied back only on request ({@link #download}), e.g. to save the model or to let a pruning
 * hook read them.
 */
public final class DeviceParams implements AutoCloseable {
    private record Slot(Param param, ClBuffer value, ClBuffer grad, ClBuffer velocity) {}

    private final Map<Param, Slot> slots = new IdentityHashMap<>();
    private final List<Slot> order = new ArrayList<>();

    public DeviceParams(ClContext ctx, Graph graph) {
        try {
            for (Graph.NamedParam np : graph.namedParams()) {
                Param p = np.param();
                ClBuffer v = ctx.floats(p.value());
                ClBuffer g = p.trainable() ? ctx.floats(p.size()) : null;
                ClBuffer m = p.trainable() ? ctx.floats(p.size()) : null;
                Slot s = new Slot(p, v, g, m);
                slots.put(p, s);
                order.add(s);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public ClBuffer value(Param p) {
        return slot(p).value;
    }

    /** The gradient buffer of a trainable parameter. */
    public ClBuffer grad(Param p) {
        ClBuffer g = slot(p).grad;
        if (g == null) throw new IllegalArgumentException("parameter " + p + " is not trainable and has no gradient");
        return g;
    }

    /** Zeroes every gradient (enqueued). */
    public void zeroGrads() {
        for (Slot s : order) if (s.grad != null) s.grad.fillZero();
    }

    /** One SGD step on every trainable parameter (PyTorch's formula, as the host {@code Sgd}). */
    public void sgdStep(ClSgd sgd, float lr, float momentum, float weightDecay, boolean nesterov) {
        for (Slot s : order) {
            if (s.grad != null)
                sgd.step(s.param.size(), s.value, s.grad, s.velocity, lr, momentum, weightDecay, nesterov);
        }
    }

    /** Copies device values (and, with {@code grads}, gradients) into the parameters' host arrays. */
    public void download(boolean grads) {
        for (Slot s : order) {
            s.value.read(s.param.value());
            if (grads && s.grad != null) s.grad.read(s.param.grad());
        }
    }

    /** Copies the host arrays to the device: values, and with {@code grads} gradients too. */
    public void upload(boolean grads) {
        for (Slot s : order) {
            s.value.write(s.param.value());
            if (grads && s.grad != null) s.grad.write(s.param.grad());
        }
    }

    private Slot slot(Param p) {
        Slot s = slots.get(p);
        if (s == null) throw new IllegalArgumentException("parameter " + p + " is not part of this graph");
        return s;
    }

    @Override
    public void close() {
        for (Slot s : order) {
            s.value.close();
            if (s.grad != null) s.grad.close();
            if (s.velocity != null) s.velocity.close();
        }
        order.clear();
        slots.clear();
    }
}
