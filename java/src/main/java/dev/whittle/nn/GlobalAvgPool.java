package dev.whittle.nn;

import dev.whittle.runtime.Parallel;
import java.util.Map;

/** (C,H,W) → (C): the mean of each channel plane. */
public final class GlobalAvgPool implements Layer {
    @Override
    public String op() {
        return "globalavgpool";
    }

    @Override
    public Map<String, Integer> attrs() {
        return Map.of();
    }

    @Override
    public Shape outputShape(Shape[] in) {
        return Shape.features(in[0].c());
    }

    @Override
    public BoundLayer bind(NodeContext ctx) {
        Shape s = ctx.inShapes[0];
        Parallel.RangeBody fwd = (lo, hi) -> ctx.kernels.pool().globalAvgForward(s.plane(), ctx.in[0], ctx.out, lo, hi);
        Parallel.RangeBody back =
                (lo, hi) -> ctx.kernels.pool().globalAvgBackward(s.plane(), ctx.dOut, ctx.dIn[0], lo, hi);
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
