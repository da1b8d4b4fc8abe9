package dev.whittle.nn;

import dev.whittle.runtime.Parallel;
import java.util.Map;

/** Residual add of two equally shaped inputs; the gradient flows unchanged to both. */
public final class Add implements Layer {
    @Override
    public String op() {
        return "add";
    }

    @Override
    public Map<String, Integer> attrs() {
        return Map.of();
    }

    @Override
    public Shape outputShape(Shape[] in) {
        if (in.length != 2 || !in[0].equals(in[1])) {
            throw new IllegalArgumentException(
                    "add needs two inputs of one shape but found " + java.util.Arrays.toString(in));
        }
        return in[0];
    }

    @Override
    public boolean writesFreshGradient() {
        return true;
    }

    @Override
    public BoundLayer bind(NodeContext ctx) {
        int size = ctx.outShape.size();
        Parallel.RangeBody fwd = (lo, hi) -> ctx.kernels.elementwise().add(ctx.in[0], ctx.in[1], ctx.out, lo, hi);
        Parallel.RangeBody back = (lo, hi) -> {
            for (int j = 0; j < ctx.dIn.length; j++) {
                float[] d = ctx.dIn[j];
                if (d == null) continue;
                // A gradient only this add writes (ctx.dInFresh) is a copy; one shared with other readers adds.
                if (ctx.dInFresh[j]) System.arraycopy(ctx.dOut, lo, d, lo, hi - lo);
                else ctx.kernels.elementwise().accumulate(ctx.dOut, d, lo, hi);
            }
        };
        return new BoundLayer() {
            @Override
            public void forward() {
                ctx.parallel.forRange(ctx.batch * size, Parallel.grainFor(1), fwd);
            }

            @Override
            public void backward() {
                ctx.parallel.forRange(ctx.batch * size, Parallel.grainFor(1), back);
            }
        };
    }
}
