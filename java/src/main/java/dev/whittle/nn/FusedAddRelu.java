package dev.whittle.nn;

import dev.whittle.runtime.Parallel;

/**
 * Fusion of a residual add and the ReLU that reads it: each parallel chunk computes y = a + b and then max(y, 0) in
 * place while the chunk (≥ 16k floats) is still in cache, instead of two passes over the whole activation with two
 * parallel dispatches. The executor gives the ReLU node the add's buffers (output and, when training, gradient) and
 * no-op passes; backward adds the ReLU's gradient (dy where y > 0) straight into both inputs' gradients.
 */
public final class FusedAddRelu {
    private FusedAddRelu() {}

    /** The add node's fused forward; ctx is the add's context (two inputs, its output shared with the ReLU). */
    public static BoundLayer addNode(NodeContext ctx) {
        int size = ctx.outShape.size();
        Parallel.RangeBody body = (lo, hi) -> {
            ctx.kernels.elementwise().add(ctx.in[0], ctx.in[1], ctx.out, lo, hi);
            ctx.kernels.elementwise().reluForward(ctx.out, ctx.out, lo, hi);
        };
        Parallel.RangeBody back = (lo, hi) -> {
            for (int j = 0; j < ctx.dIn.length; j++) {
                float[] d = ctx.dIn[j];
                if (d == null) continue;
                if (ctx.dInFresh[j]) ctx.kernels.elementwise().reluMask(ctx.out, ctx.dOut, d, lo, hi);
                else ctx.kernels.elementwise().reluBackward(ctx.out, ctx.dOut, d, lo, hi);
            }
        };
        return new BoundLayer() {
            @Override
            public void forward() {
                ctx.parallel.forRange(ctx.batch * size, Parallel.grainFor(1), body);
            }

            @Override
            public void backward() {
                ctx.parallel.forRange(ctx.batch * size, Parallel.grainFor(1), back);
            }
        };
    }

    /**
     * A fused ReLU node's passes: nothing. Its producer (this add, or a training batch norm bound with its ReLU)
     * wrote max(·, 0) into the shared buffer, and reads the shared gradient buffer through the ReLU's rule.
     */
    public static BoundLayer reluNode() {
        return new BoundLayer() {
            @Override
            public void forward() {}

            @Override
            public void backward() {}
        };
    }
}
