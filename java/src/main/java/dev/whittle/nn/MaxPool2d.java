package dev.whittle.nn;

import dev.whittle.runtime.Parallel;

/** Max pooling k×k with stride and padding (floor mode). */
public final class MaxPool2d extends Pool2d {
    public MaxPool2d(int kernel, int stride, int pad) {
        super(kernel, stride, pad);
    }

    @Override
    public String op() {
        return "maxpool2d";
    }

    @Override
    public BoundLayer bind(NodeContext ctx) {
        Shape s = ctx.inShapes[0];
        int outPlane = ctx.outShape.plane();
        // An inference-only executor (no gradient buffers) never runs a training forward, so needs no argmax.
        int[] argmax = ctx.dOut == null ? null : new int[ctx.capacity * ctx.outShape.size()];
        // Inference records no argmax: it is only read by backward, and skipping it lets the kernel vectorise.
        Parallel.RangeBody fwd = (lo, hi) -> {
            if (ctx.training)
                ctx.kernels.pool().maxForward(s.h(), s.w(), kernel, stride, pad, ctx.in[0], ctx.out, argmax, lo, hi);
            else ctx.kernels.pool().maxForwardInference(s.h(), s.w(), kernel, stride, pad, ctx.in[0], ctx.out, lo, hi);
        };
        Parallel.RangeBody back =
                (lo, hi) -> ctx.kernels.pool().maxBackward(outPlane, ctx.dOut, argmax, ctx.dIn[0], lo, hi);
        return new BoundLayer() {
            @Override
            public void forward() {
                ctx.parallel.forRange(ctx.batch * s.c(), Parallel.grainFor(s.plane()), fwd);
            }

            @Override
            public void backward() {
                if (ctx.dIn[0] != null) ctx.parallel.forRange(ctx.batch * s.c(), Parallel.grainFor(s.plane()), back);
            }
        };
    }
}
