package dev.whittle.nn;

import dev.whittle.runtime.Parallel;

/**
 * Inference-only fusion of a residual add and the ReLU that reads it: each parallel chunk computes y = a + b and
 * then max(y, 0) in place while the chunk (≥ 16k floats) is still in cache, instead of two passes over the whole
 * activation with two parallel dispatches. The executor gives the ReLU node the add's buffer and a no-op forward.
 */
public final class FusedAddRelu {
    private FusedAddRelu() {}

    /** The add node's fused forward; ctx is the add's context (two inputs, its output shared with the ReLU). */
    public static BoundLayer addNode(NodeContext ctx, BoundLayer original) {
        int size = ctx.outShape.size();
        Parallel.RangeBody body = (lo, hi) -> {
            ctx.kernels.elementwise().add(ctx.in[0], ctx.in[1], ctx.out, lo, hi);
            ctx.kernels.elementwise().reluForward(ctx.out, ctx.out, lo, hi);
        };
        return new BoundLayer() {
            @Override
            public void forward() {
                ctx.parallel.forRange(ctx.batch * size, Parallel.grainFor(1), body);
            }

            @Override
            public void backward() {
                original.backward();
            }
        };
    }

    /** The ReLU node's forward: nothing, the add node already wrote max(a + b, 0) into the shared buffer. */
    public static BoundLayer reluNode(BoundLayer original) {
        return new BoundLayer() {
            @Override
            public void forward() {}

            @Override
            public void backward() {
                original.backward();
            }
        };
    }
}
