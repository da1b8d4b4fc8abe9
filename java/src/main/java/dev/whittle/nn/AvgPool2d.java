package dev.whittle.nn;

import dev.whittle.kernels.PoolScalar;
import dev.whittle.runtime.Parallel;
import java.util.LinkedHashMap;
import java.util.Map;

/** Average pooling k×k with stride and padding; padding is not counted in the divisor. */
public final class AvgPool2d implements Layer {
    public final int kernel, stride, pad;

    public AvgPool2d(int kernel, int stride, int pad) {
        if (kernel <= 0 || stride <= 0 || pad < 0 || pad * 2 > kernel) {
            throw new IllegalArgumentException("avgpool2d needs kernel>0, stride>0, 0<=pad<=kernel/2; found k=" + kernel
                    + " s=" + stride + " p=" + pad);
        }
        this.kernel = kernel;
        this.stride = stride;
        this.pad = pad;
    }

    @Override
    public String op() {
        return "avgpool2d";
    }

    @Override
    public Map<String, Integer> attrs() {
        Map<String, Integer> a = new LinkedHashMap<>();
        a.put("kernel", kernel);
        a.put("stride", stride);
        a.put("pad", pad);
        return a;
    }

    @Override
    public Shape outputShape(Shape[] in) {
        return new Shape(
                in[0].c(),
                PoolScalar.outSize(in[0].h(), kernel, stride, pad),
                PoolScalar.outSize(in[0].w(), kernel, stride, pad));
    }

    @Override
    public BoundLayer bind(NodeContext ctx) {
        Shape s = ctx.inShapes[0];
        Parallel.RangeBody fwd =
                (lo, hi) -> PoolScalar.avgForward(s.h(), s.w(), kernel, stride, pad, ctx.in[0], ctx.out, lo, hi);
        Parallel.RangeBody back =
                (lo, hi) -> PoolScalar.avgBackward(s.h(), s.w(), kernel, stride, pad, ctx.dOut, ctx.dIn[0], lo, hi);
        return new BoundLayer() {
            @Override
            public void forward() {
                ctx.parallel.forRange(ctx.batch * s.c(), fwd);
            }

            @Override
            public void backward() {
                if (ctx.dIn[0] != null) ctx.parallel.forRange(ctx.batch * s.c(), back);
            }
        };
    }
}
