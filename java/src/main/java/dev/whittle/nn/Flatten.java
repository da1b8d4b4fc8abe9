package dev.whittle.nn;

import dev.whittle.kernels.ElementwiseScalar;
import java.util.Map;

/** (C,H,W) → (C·H·W) in C,H,W order. NCHW memory already is that order, so the output aliases the input. */
public final class Flatten implements Layer {
    @Override
    public String op() {
        return "flatten";
    }

    @Override
    public Map<String, Integer> attrs() {
        return Map.of();
    }

    @Override
    public Shape outputShape(Shape[] in) {
        return Shape.features(in[0].size());
    }

    @Override
    public boolean aliasesInput() {
        return true;
    }

    @Override
    public BoundLayer bind(NodeContext ctx) {
        return new BoundLayer() {
            // Aliased (the usual case) both passes are free; only a flatten of the graph input copies.
            @Override
            public void forward() {
                if (ctx.in[0] != ctx.out) System.arraycopy(ctx.in[0], 0, ctx.out, 0, ctx.batch * ctx.outShape.size());
            }

            @Override
            public void backward() {
                if (ctx.dIn[0] != null && ctx.dIn[0] != ctx.dOut) {
                    ElementwiseScalar.accumulate(ctx.dOut, ctx.dIn[0], 0, ctx.batch * ctx.outShape.size());
                }
            }
        };
    }
}
