package dev.whittle.nn;

import dev.whittle.runtime.Parallel;

/** Max pooling k×k with stride and padding (floor mode). In a masked model it pools the alive channels only. */
public final class MaxPool2d extends Pool2d {
    /** Alive channels when the model is masked, else null; set by mask binding. */
    private volatile int[] alive;

    public MaxPool2d(int kernel, int stride, int pad) {
        super(kernel, stride, pad);
    }

    /**
     * Pool only these channels (strictly increasing), or all when null. Dead channels of the output read 0 (cleared
     * when the set changes); their gradients are never scattered.
     */
    public void setAlive(int[] channels) {
        this.alive = channels;
    }

    // Whether a training executor stores these channels packed (Packed); set by mask binding.
    private volatile boolean packed;

    public void setPacked(boolean packed) {
        this.packed = packed;
    }

    public int[] aliveChannels() {
        return alive;
    }

    @Override
    public String op() {
        return "maxpool2d";
    }

    @Override
    public boolean writesFreshGradient() {
        return true;
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
        int[][] now = new int[1][]; // the alive set of the call in flight (bodies are built once: no allocation)
        int inPlane = s.plane();
        Parallel.RangeBody back = (lo, hi) -> {
            // A fresh input gradient (this pool its only writer): the planes are zeroed here, range by range on the
            // thread that scatters into them, not by the executor in a serial pass (masked: the alive planes; the
            // dead ones, which nothing writes, once per alive set, below).
            if (ctx.dInFresh[0]) java.util.Arrays.fill(ctx.dIn[0], lo * inPlane, hi * inPlane, 0f);
            ctx.kernels.pool().maxBackward(outPlane, ctx.dOut, argmax, ctx.dIn[0], lo, hi);
        };
        // Masked, the forward pools the list of alive planes in one kernel call per thread (see maxForwardPlanes).
        int[][] list = new int[1][]; // the alive planes of all capacity images, made when the alive set changes
        Parallel.RangeBody fwdList = (lo, hi) -> ctx.kernels
                .pool()
                .maxForwardPlanes(
                        s.h(),
                        s.w(),
                        kernel,
                        stride,
                        pad,
                        ctx.in[0],
                        ctx.out,
                        ctx.training ? argmax : null,
                        list[0],
                        lo,
                        hi);
        Parallel.RangeBody backUnits = (lo, hi) -> ChannelSubset.forPlanes(now[0], s.c(), lo, hi, back);
        return new BoundLayer() {
            private int[] cleared; // the alive set whose dead planes the output last had cleared
            private int[] gradCleared; // the same for a fresh input gradient
            private int[] listed; // the alive set list[0] was made for

            /** Planes of a packed activation (alive planes only), or -1 when not packed. */
            private int packedPlanes() {
                int[] a = alive;
                return Packed.now(packed, a, ctx) ? ctx.batch * a.length : -1;
            }

            @Override
            public void forward() {
                int planes = packedPlanes();
                if (planes >= 0) {
                    ctx.parallel.forRange(planes, Parallel.grainFor(s.plane()), fwd);
                    return;
                }
                // An output shared with another node (never the case for pooling today) would need every plane.
                int[] a = ctx.outShared ? null : alive;
                if (a != null && a != cleared) {
                    java.util.Arrays.fill(ctx.out, 0f);
                    cleared = a;
                }
                int units = ChannelSubset.units(ctx.batch, s.c(), a);
                if (a == null) {
                    ctx.parallel.forRange(units, Parallel.grainFor(s.plane()), fwd);
                    return;
                }
                if (listed != a) {
                    list[0] = ChannelSubset.planes(a, s.c(), ctx.capacity);
                    listed = a;
                }
                ctx.parallel.forRange(units, Parallel.grainFor(s.plane()), fwdList);
            }

            @Override
            public void backward() {
                if (ctx.dIn[0] == null) return;
                int planes = packedPlanes();
                if (planes >= 0) {
                    ctx.parallel.forRange(planes, Parallel.grainFor(s.plane()), back);
                    return;
                }
                now[0] = ctx.outShared ? null : alive;
                if (ctx.dInFresh[0] && now[0] != null && gradCleared != now[0]) {
                    java.util.Arrays.fill(ctx.dIn[0], 0f);
                    gradCleared = now[0];
                }
                ctx.parallel.forRange(
                        ChannelSubset.units(ctx.batch, s.c(), now[0]), Parallel.grainFor(s.plane()), backUnits);
            }
        };
    }
}
