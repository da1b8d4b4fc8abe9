package dev.whittle.nn;

import dev.whittle.runtime.Parallel;
import java.util.Map;

/** y = max(x, 0). In a masked model it works on the alive channels only ({@link #setAlive}). */
public final class Relu implements Layer {
    /** Alive channels when the model is masked, else null; set by mask binding. */
    private volatile int[] alive;

    /**
     * Work only on these channels (strictly increasing), or on all when null. Dead channels of the output read 0:
     * every consumer of a masked activation skips them too, and they are cleared when the set changes.
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
        // Masked work comes in planes: C·H·W inputs (before a flatten) have channels; a flat input is one "channel".
        int channels = ctx.outShape.c(), plane = size / channels;
        Parallel.RangeBody fwdElems = (lo, hi) -> ctx.kernels.elementwise().reluForward(ctx.in[0], ctx.out, lo, hi);
        Parallel.RangeBody backElems =
                (lo, hi) -> ctx.kernels.elementwise().reluBackward(ctx.out, ctx.dOut, ctx.dIn[0], lo, hi);
        Parallel.RangeBody fwdPlanes = (p0, p1) -> fwdElems.run(p0 * plane, p1 * plane);
        Parallel.RangeBody backPlanes = (p0, p1) -> backElems.run(p0 * plane, p1 * plane);
        int[][] now = new int[1][]; // the alive set of the call in flight (bodies are built once: no allocation)
        Parallel.RangeBody fwdAlive = (lo, hi) -> ChannelSubset.forPlanes(now[0], channels, lo, hi, fwdPlanes);
        Parallel.RangeBody backAlive = (lo, hi) -> ChannelSubset.forPlanes(now[0], channels, lo, hi, backPlanes);
        return new BoundLayer() {
            private int[] cleared; // the alive set whose dead planes the output last had cleared

            /** Elements of a packed activation (alive planes only), or -1 when not packed. */
            private int packedElements() {
                int[] a = alive;
                return Packed.now(packed, a, ctx) ? ctx.batch * a.length * plane : -1;
            }

            @Override
            public void forward() {
                int packedSize = packedElements();
                if (packedSize >= 0) {
                    ctx.parallel.forRange(packedSize, Parallel.grainFor(1), fwdElems);
                    return;
                }
                // In place on a shared buffer (a fused inference chain), the producer decides the dead planes:
                // every element is processed, as without a mask.
                int[] a = ctx.out == ctx.in[0] || ctx.outShared ? null : alive;
                if (a == null) {
                    ctx.parallel.forRange(ctx.batch * size, Parallel.grainFor(1), fwdElems);
                    return;
                }
                if (a != cleared) {
                    java.util.Arrays.fill(ctx.out, 0f);
                    cleared = a;
                }
                now[0] = a;
                ctx.parallel.forRange(ChannelSubset.units(ctx.batch, channels, a), Parallel.grainFor(plane), fwdAlive);
            }

            @Override
            public void backward() {
                if (ctx.dIn[0] == null) return;
                int packedSize = packedElements();
                if (packedSize >= 0) {
                    ctx.parallel.forRange(packedSize, Parallel.grainFor(1), backElems);
                    return;
                }
                int[] a = ctx.out == ctx.in[0] || ctx.outShared ? null : alive;
                if (a == null) {
                    ctx.parallel.forRange(ctx.batch * size, Parallel.grainFor(1), backElems);
                    return;
                }
                // Gradients accumulate into buffers zeroed per step, so dead planes stay 0.
                now[0] = a;
                ctx.parallel.forRange(ChannelSubset.units(ctx.batch, channels, a), Parallel.grainFor(plane), backAlive);
            }
        };
    }
}
