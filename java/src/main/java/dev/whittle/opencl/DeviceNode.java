package dev.whittle.opencl;

/**
 * One graph node bound to device buffers, the device twin of {@code nn.BoundLayer}: forward writes the node's
 * output for n images, backward ADDS into the input gradients (those present) and the parameter gradients.
 * Launches are enqueued, not waited for.
 */
interface DeviceNode extends AutoCloseable {
    void forward(int n, boolean training);

    void backward(int n);

    /** Releases buffers the node owns (scratch, alive lists); the default owns none. */
    @Override
    default void close() {}
}
