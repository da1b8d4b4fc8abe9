package dev.whittle.nn;

import dev.whittle.runtime.Parallel;
import java.util.Map;

/** y = max(x, 0). */
public final class Relu implements Layer {
    @Override
    public String op() {
        return "relu";
    }

    @Override
    public Map<String, Integer> attrs() {
        return Map.of();
    }

    @Override
    public Shape outputShape(Shape[] in) {
        return in[0];
    }

    @Override
    public BoundLayer bind(NodeContext ctx) {
        int size = ctx.outShape.size();
        Parallel.RangeBody fwd = (lo, hi) -> ctx.kernels.elementwise().reluForward(ctx.in[0], ctx.out, lo, hi);
        Parallel.RangeBody back =
                (lo, hi) -> ctx.kernels.elementwise().reluBackward(ctx.out, ctx.dOut, ctx.dIn[0], lo, hi);
        return new BoundLayer() {
            @Override
            public void forward() {
                ctx.parallel.forRange(ctx.batch * size, Parallel.grainFor(1), fwd);
            }

            @Override
            public void backward() {
                if (ctx.dIn[0] != null) ctx.parallel.forRange(ctx.batch * size, Parallel.grainFor(1), back);
            }
        };
    }
}
