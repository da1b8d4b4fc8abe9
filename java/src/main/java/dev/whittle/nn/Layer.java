package dev.whittle.nn;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * A node's operation: it holds parameters and configuration, infers shapes, counts cost, and binds to an
 * executor's buffers. The arithmetic lives in the kernels, so a layer is a thin adapter.
 */
public interface Layer {
    /** Stable op name used in model files, e.g. "conv2d". */
    String op();

    /** Integer attributes that, with {@link #op()} and the input shapes, rebuild this layer. */
    Map<String, Integer> attrs();

    Shape outputShape(Shape[] in);

    /** Multiply-adds per image (conv and linear only; the convention of the reference tables). */
    default long macs(Shape[] in) {
        return 0;
    }

    default List<Param> params() {
        return List.of();
    }

    /** Sets parameters to their training start values (no-op for parameter-free layers). */
    default void initialize(RandomGenerator rng) {}

    /** True when the output is the input's memory reinterpreted (flatten): no copy, no backward work. */
    /**
     * Whether backward honours {@link NodeContext#dInFresh} (overwrites an input gradient it alone writes, so the
     * executor need not zero it). Zeroing every gradient buffer before each backward was a serial pass over as many
     * bytes as the activations (ResNet-20, batch 128: ~265 MB, ~30 ms).
     */
    default boolean writesFreshGradient() {
        return false;
    }

    default boolean aliasesInput() {
        return false;
    }

    BoundLayer bind(NodeContext ctx);
}
