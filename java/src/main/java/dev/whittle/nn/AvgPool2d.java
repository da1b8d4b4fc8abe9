package dev.whittle.nn;

import dev.whittle.runtime.Parallel;

/** Average pooling k×k with stride and padding; padding is not counted in the divisor. */
public final class AvgPool2d extends Pool2d {
    public AvgPool2d(int kernel, int stride, int pad) {
        super(kernel, stride, pad);
    }

    @Override
    public String op() {
        return "avgpool2d";
    }

    @Override
    public BoundLayer bind(NodeContext ctx) {
        Shape s = ctx.inShapes[0];
        Parallel.RangeBody fwd = (lo, hi) ->
                ctx.kernels.pool().avgForward(s.h(), s.w(), kernel, stride, pad, ctx.in[0], ctx.out, lo, hi);
        Parallel.RangeBody back = (lo, hi) ->
                ctx.kernels.pool().avgBackward(s.h(), s.w(), kernel, stride, pad, ctx.dOut, ctx.dIn[0], lo, hi);
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
