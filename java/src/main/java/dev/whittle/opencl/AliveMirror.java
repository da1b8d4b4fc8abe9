package dev.whittle.opencl;

import dev.whittle.nativebind.opencl.ClAlive;
import dev.whittle.nativebind.opencl.ClContext;

/**
 * The device copy of one host alive-index list (a layer's alive filters, input channels or BN channels).
 * Layers replace their list array whenever a mask changes ({@code setAlive} clones), so comparing the array
 * reference tells whether to upload again: masks changed by pruning hooks between steps reach the device, and
 * an unchanged mask costs one reference comparison per launch.
 */
final class AliveMirror implements AutoCloseable {
    private final ClContext ctx;
    private int[] host;
    private ClAlive device;

    AliveMirror(ClContext ctx) {
        this.ctx = ctx;
    }

    /** The device list for the layer's current {@code alive} array; null (all alive) stays null. */
    ClAlive of(int[] alive) {
        if (alive != host) {
            if (device != null) device.close();
            device = alive == null ? null : ClAlive.of(ctx, alive);
            host = alive;
        }
        return device;
    }

    @Override
    public void close() {
        if (device != null) device.close();
        device = null;
        host = null;
    }
}
