package dev.whittle.nn;

/** A layer bound to one executor's buffers: its passes, with any per-batch scratch it needs. */
public interface BoundLayer {
    /** Writes ctx.out for ctx.batch images. */
    void forward();

    /** Adds into ctx.dIn (those not null) and into the layer's parameter gradients. */
    void backward();
}
