package dev.whittle.nn;

import dev.whittle.kernels.KernelSet;
import dev.whittle.runtime.Parallel;

/**
 * The buffers one layer works on inside one executor: inputs and output (N × per-sample size, sized for the
 * executor's capacity), their gradients, and the per-call batch size and mode. Created once per executor,
 * so a forward or backward pass allocates nothing.
 */
public final class NodeContext {
    public final Shape[] inShapes;
    public final Shape outShape;
    public final float[][] in;
    public final float[][] dIn; // an entry is null where no gradient is needed (the graph input)
    public float[] out;
    public float[] dOut;
    public final int capacity;
    public final Parallel parallel;
    public final KernelSet kernels;
    public int batch;
    public boolean training;
    /**
     * Another node writes this node's output buffer too (a fused inference chain): planes this node leaves alone
     * may change between its calls.
     */
    public boolean outShared;
    /**
     * dInFresh[j]: this node is the only writer of dIn[j] in a backward pass, and the executor does not zero that
     * buffer first: the node's backward must set every element of dIn[j] for the batch (zero where it computes
     * nothing) instead of adding to it. Only set for layers that say they can ({@link Layer#writesFreshGradient}).
     */
    public final boolean[] dInFresh;

    public NodeContext(
            Shape[] inShapes,
            Shape outShape,
            float[][] in,
            float[][] dIn,
            int capacity,
            Parallel parallel,
            KernelSet kernels) {
        this.inShapes = inShapes;
        this.outShape = outShape;
        this.in = in;
        this.dIn = dIn;
        this.capacity = capacity;
        this.parallel = parallel;
        this.kernels = kernels;
        this.dInFresh = new boolean[in.length];
    }
}
