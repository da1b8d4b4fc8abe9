package dev.whittle.nn;

import dev.whittle.kernels.PoolScalar;
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
        int[] argmax = new int[ctx.capacity * ctx.outShape.size()];
        Parallel.RangeBody fwd = (lo, hi) ->
                PoolScalar.maxForward(s.h(), s.w(), kernel, stride, pad, ctx.in[0], ctx.out, argmax, lo, hi);
        Parallel.RangeBody back = (lo, hi) -> PoolScalar.maxBackward(outPlane, ctx.dOut, argmax, ctx.dIn[0], lo, hi);
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
