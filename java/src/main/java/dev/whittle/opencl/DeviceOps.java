package dev.whittle.opencl;

import dev.whittle.nativebind.opencl.ClBuffer;
import dev.whittle.nativebind.opencl.ClContext;
import dev.whittle.nativebind.opencl.ClConvShape;
import dev.whittle.nativebind.opencl.ClKernels;
import dev.whittle.nn.Add;
import dev.whittle.nn.AvgPool2d;
import dev.whittle.nn.BatchNorm2d;
import dev.whittle.nn.Conv2d;
import dev.whittle.nn.Flatten;
import dev.whittle.nn.GlobalAvgPool;
import dev.whittle.nn.Layer;
import dev.whittle.nn.Linear;
import dev.whittle.nn.MaxPool2d;
import dev.whittle.nn.Relu;
import dev.whittle.nn.Shape;

/**
 * One {@link DeviceNode} per graph op, each a thin adapter from a layer's attributes and parameters to the
 * {@link ClKernels} call with the same math as the layer's CPU kernels. Masked layers hand their alive lists
 * (mirrored to the device by {@link AliveMirror}) to the mask-aware kernels, so dead filters and channels cost
 * no device work, with the CPU's semantics: dead outputs are zero, dead gradients untouched.
 */
final class DeviceOps {
    private DeviceOps() {}

    /** The buffers of one node inside a {@link DeviceExecutor}; a dIn entry is null where no gradient flows. */
    record Wiring(Shape[] inShapes, Shape outShape, ClBuffer[] in, ClBuffer[] dIn, ClBuffer out, ClBuffer dOut) {}

    static DeviceNode create(
            String name, Layer layer, Wiring w, ClKernels k, DeviceParams params, ClContext ctx, int capacity) {
        return switch (layer) {
            case Conv2d c -> conv(c, w, k, params, ctx);
            case Linear l -> linear(l, w, k, params, ctx);
            case BatchNorm2d b -> batchNorm(b, w, k, params, ctx);
            case Relu r -> relu(w, k);
            case MaxPool2d m -> maxPool(m, w, k, ctx, capacity);
            case AvgPool2d a -> avgPool(a, w, k);
            case GlobalAvgPool g -> globalAvgPool(w, k);
            case Flatten f -> flatten();
            case Add a -> add(w, k);
            default ->
                throw new IllegalArgumentException("node '" + name + "': op '" + layer.op()
                        + "' has no OpenCL implementation (supported: conv2d, linear, batchnorm2d, relu, maxpool2d,"
                        + " avgpool2d, globalavgpool, flatten, add)");
        };
    }

    private static DeviceNode conv(Conv2d c, Wiring w, ClKernels k, DeviceParams params, ClContext ctx) {
        Shape s = w.inShapes()[0];
        ClBuffer wt = params.value(c.weight), dwt = params.grad(c.weight);
        ClBuffer b = c.bias == null ? null : params.value(c.bias), db = c.bias == null ? null : params.grad(c.bias);
        AliveMirror kAlive = new AliveMirror(ctx), cAlive = new AliveMirror(ctx);
        return new DeviceNode() {
            private ClConvShape shape(int n) {
                return new ClConvShape(
                        n,
                        c.inChannels,
                        s.h(),
                        s.w(),
                        c.outChannels,
                        c.kernel,
                        c.kernel,
                        c.stride,
                        c.stride,
                        c.pad,
                        c.pad,
                        c.groups);
            }

            @Override
            public void forward(int n, boolean training) {
                k.conv()
                        .forward(
                                shape(n),
                                w.in()[0],
                                wt,
                                b,
                                w.out(),
                                kAlive.of(c.aliveFilters()),
                                cAlive.of(c.aliveInputs()));
            }

            @Override
            public void backward(int n) {
                ClConvShape g = shape(n);
                k.conv()
                        .backwardWeights(
                                g,
                                w.in()[0],
                                w.dOut(),
                                dwt,
                                db,
                                kAlive.of(c.aliveFilters()),
                                cAlive.of(c.aliveInputs()));
                if (w.dIn()[0] != null)
                    k.conv()
                            .backwardData(
                                    g,
                                    w.dOut(),
                                    wt,
                                    w.dIn()[0],
                                    kAlive.of(c.aliveFilters()),
                                    cAlive.of(c.aliveInputs()));
            }

            @Override
            public void close() {
                kAlive.close();
                cAlive.close();
            }
        };
    }

    private static DeviceNode linear(Linear l, Wiring w, ClKernels k, DeviceParams params, ClContext ctx) {
        ClBuffer wt = params.value(l.weight), dwt = params.grad(l.weight);
        ClBuffer b = params.value(l.bias), db = params.grad(l.bias);
        AliveMirror oAlive = new AliveMirror(ctx), iAlive = new AliveMirror(ctx);
        return new DeviceNode() {
            @Override
            public void forward(int n, boolean training) {
                k.linear()
                        .forward(
                                n,
                                l.in,
                                l.out,
                                w.in()[0],
                                wt,
                                b,
                                w.out(),
                                oAlive.of(l.aliveOut()),
                                iAlive.of(l.aliveIn()));
            }

            @Override
            public void backward(int n) {
                k.linear()
                        .backwardWeights(
                                n,
                                l.in,
                                l.out,
                                w.in()[0],
                                w.dOut(),
                                dwt,
                                db,
                                oAlive.of(l.aliveOut()),
                                iAlive.of(l.aliveIn()));
                if (w.dIn()[0] != null)
                    k.linear()
                            .backwardData(
                                    n,
                                    l.in,
                                    l.out,
                                    w.dOut(),
                                    wt,
                                    w.dIn()[0],
                                    oAlive.of(l.aliveOut()),
                                    iAlive.of(l.aliveIn()));
            }

            @Override
            public void close() {
                oAlive.close();
                iAlive.close();
            }
        };
    }

    private static DeviceNode batchNorm(BatchNorm2d bn, Wiring w, ClKernels k, DeviceParams params, ClContext ctx) {
        int channels = bn.channels, hw = w.inShapes()[0].plane();
        ClBuffer gamma = params.value(bn.gamma), beta = params.value(bn.beta);
        ClBuffer rm = params.value(bn.runningMean), rv = params.value(bn.runningVar);
        ClBuffer dGamma = params.grad(bn.gamma), dBeta = params.grad(bn.beta);
        ClBuffer mean = ctx.floats(channels), invStd = ctx.floats(channels);
        AliveMirror alive = new AliveMirror(ctx);
        return new DeviceNode() {
            private boolean trained; // backward needs the batch statistics of a training forward

            @Override
            public void forward(int n, boolean training) {
                trained = training;
                if (training)
                    k.batchNorm()
                            .forwardTrain(
                                    n,
                                    channels,
                                    hw,
                                    w.in()[0],
                                    gamma,
                                    beta,
                                    w.out(),
                                    mean,
                                    invStd,
                                    rm,
                                    rv,
                                    BatchNorm2d.MOMENTUM,
                                    BatchNorm2d.EPS,
                                    alive.of(bn.aliveChannels()));
                else
                    k.batchNorm()
                            .forwardEval(
                                    n,
                                    channels,
                                    hw,
                                    w.in()[0],
                                    gamma,
                                    beta,
                                    rm,
                                    rv,
                                    BatchNorm2d.EPS,
                                    w.out(),
                                    alive.of(bn.aliveChannels()));
            }

            @Override
            public void backward(int n) {
                if (!trained) throw new IllegalStateException("batchnorm2d backward needs a training-mode forward");
                ClBuffer dx = w.dIn()[0];
                if (dx == null)
                    throw new IllegalStateException("batchnorm2d on the graph input is not supported on OpenCL");
                k.batchNorm()
                        .backward(
                                n,
                                channels,
                                hw,
                                w.in()[0],
                                w.dOut(),
                                gamma,
                                mean,
                                invStd,
                                dx,
                                dGamma,
                                dBeta,
                                alive.of(bn.aliveChannels()));
            }

            @Override
            public void close() {
                mean.close();
                invStd.close();
                alive.close();
            }
        };
    }

    private static DeviceNode relu(Wiring w, ClKernels k) {
        int size = w.outShape().size();
        return new DeviceNode() {
            @Override
            public void forward(int n, boolean training) {
                k.elementwise().reluForward(n * size, w.in()[0], w.out());
            }

            @Override
            public void backward(int n) {
                if (w.dIn()[0] != null) k.elementwise().reluBackward(n * size, w.out(), w.dOut(), w.dIn()[0]);
            }
        };
    }

    private static DeviceNode maxPool(MaxPool2d m, Wiring w, ClKernels k, ClContext ctx, int capacity) {
        Shape s = w.inShapes()[0];
        ClBuffer argmax = ctx.ints((long) capacity * w.outShape().size());
        return new DeviceNode() {
            @Override
            public void forward(int n, boolean training) {
                k.pool().maxForward(n * s.c(), s.h(), s.w(), m.kernel, m.stride, m.pad, w.in()[0], w.out(), argmax);
            }

            @Override
            public void backward(int n) {
                if (w.dIn()[0] != null)
                    k.pool()
                            .maxBackward(
                                    n * s.c(), s.h(), s.w(), m.kernel, m.stride, m.pad, w.dOut(), argmax, w.dIn()[0]);
            }

            @Override
            public void close() {
                argmax.close();
            }
        };
    }

    private static DeviceNode avgPool(AvgPool2d a, Wiring w, ClKernels k) {
        Shape s = w.inShapes()[0];
        return new DeviceNode() {
            @Override
            public void forward(int n, boolean training) {
                k.pool().avgForward(n * s.c(), s.h(), s.w(), a.kernel, a.stride, a.pad, w.in()[0], w.out());
            }

            @Override
            public void backward(int n) {
                if (w.dIn()[0] != null)
                    k.pool().avgBackward(n * s.c(), s.h(), s.w(), a.kernel, a.stride, a.pad, w.dOut(), w.dIn()[0]);
            }
        };
    }

    private static DeviceNode globalAvgPool(Wiring w, ClKernels k) {
        Shape s = w.inShapes()[0];
        return new DeviceNode() {
            @Override
            public void forward(int n, boolean training) {
                k.pool().globalAvgForward(n * s.c(), s.plane(), w.in()[0], w.out());
            }

            @Override
            public void backward(int n) {
                if (w.dIn()[0] != null) k.pool().globalAvgBackward(n * s.c(), s.plane(), w.dOut(), w.dIn()[0]);
            }
        };
    }

    /** Flatten aliases its input's buffers (the executor wires it so), so it does nothing. */
    private static DeviceNode flatten() {
        return new DeviceNode() {
            @Override
            public void forward(int n, boolean training) {}

            @Override
            public void backward(int n) {}
        };
    }

    private static DeviceNode add(Wiring w, ClKernels k) {
        int size = w.outShape().size();
        return new DeviceNode() {
            @Override
            public void forward(int n, boolean training) {
                k.elementwise().add(n * size, w.in()[0], w.in()[1], w.out());
            }

            @Override
            public void backward(int n) {
                for (ClBuffer d : w.dIn()) if (d != null) k.elementwise().accumulate(n * size, w.dOut(), d);
            }
        };
    }
}
