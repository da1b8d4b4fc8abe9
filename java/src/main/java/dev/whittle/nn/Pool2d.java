package dev.whittle.nn;

import dev.whittle.kernels.PoolScalar;
import java.util.LinkedHashMap;
import java.util.Map;

/** What max and average pooling share: a k×k window, stride and padding (floor mode), channels unchanged. */
public abstract sealed class Pool2d implements Layer permits MaxPool2d, AvgPool2d {
    public final int kernel, stride, pad;

    Pool2d(int kernel, int stride, int pad) {
        if (kernel <= 0 || stride <= 0 || pad < 0 || pad * 2 > kernel) {
            throw new IllegalArgumentException(op() + " needs kernel>0, stride>0, 0<=pad<=kernel/2; found k=" + kernel
                    + " s=" + stride + " p=" + pad);
        }
        this.kernel = kernel;
        this.stride = stride;
        this.pad = pad;
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
}
