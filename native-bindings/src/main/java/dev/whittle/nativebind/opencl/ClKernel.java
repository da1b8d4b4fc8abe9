package dev.whittle.nativebind.opencl;

import static org.lwjgl.opencl.CL10.*;

import java.nio.LongBuffer;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;

/**
 * One kernel of a {@link ClProgram} (which owns and releases it) and the launch helper: set arguments with
 * the fluent {@code arg} calls, then {@link #launch} or {@link #launchTimed}. Global sizes are rounded up to a
 * multiple of the local size, so every kernel bounds-checks its global ids.
 */
public final class ClKernel {
    private final ClContext ctx;
    private final String name;
    private long handle;

    ClKernel(ClContext ctx, String name, long handle) {
        this.ctx = ctx;
        this.name = name;
        this.handle = handle;
    }

    /** "program.kernel", for messages. */
    public String name() {
        return name;
    }

    public ClKernel arg(int index, ClBuffer buffer) {
        ClException.check(
                clSetKernelArg1p(handle, index, buffer.handle()), "clSetKernelArg(" + name + ", " + index + ")");
        return this;
    }

    public ClKernel arg(int index, int value) {
        ClException.check(clSetKernelArg1i(handle, index, value), "clSetKernelArg(" + name + ", " + index + ")");
        return this;
    }

    public ClKernel arg(int index, float value) {
        ClException.check(clSetKernelArg1f(handle, index, value), "clSetKernelArg(" + name + ", " + index + ")");
        return this;
    }

    /** A {@code __local} argument of {@code bytes} bytes. */
    public ClKernel argLocal(int index, long bytes) {
        ClException.check(clSetKernelArg(handle, index, bytes), "clSetKernelArg(" + name + ", " + index + ", local)");
        return this;
    }

    /** Enqueues the kernel over {@code global} work-items in work-groups of {@code local}; does not wait. */
    public void launch(long[] global, long[] local) {
        enqueue(global, local, false);
    }

    /** Enqueues the kernel, waits for it, and returns its device execution time in nanoseconds. */
    public long launchTimed(long[] global, long[] local) {
        return enqueue(global, local, true);
    }

    private long enqueue(long[] global, long[] local, boolean timed) {
        ctx.ensureOpen();
        if (handle == 0) throw new IllegalStateException("kernel " + name + " is released");
        if (global.length != local.length || global.length < 1 || global.length > 3) {
            throw new IllegalArgumentException(name + ": global and local sizes need 1-3 equal dimensions");
        }
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer g = stack.mallocPointer(global.length), l = stack.mallocPointer(local.length);
            for (int d = 0; d < global.length; d++) {
                if (global[d] <= 0) return 0; // empty launch: nothing to do
                g.put(d, (global[d] + local[d] - 1) / local[d] * local[d]);
                l.put(d, local[d]);
            }
            PointerBuffer event = timed ? stack.mallocPointer(1) : null;
            ClException.check(
                    clEnqueueNDRangeKernel(ctx.queue(), handle, global.length, null, g, l, null, event),
                    "clEnqueueNDRangeKernel(" + name + ")");
            if (!timed) return 0;
            long ev = event.get(0);
            try {
                ClException.check(clWaitForEvents(ev), "clWaitForEvents(" + name + ")");
                LongBuffer t = stack.mallocLong(2);
                ClException.check(
                        clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START, t.slice(0, 1), null), "profiling");
                ClException.check(
                        clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, t.slice(1, 1), null), "profiling");
                return t.get(1) - t.get(0);
            } finally {
                clReleaseEvent(ev);
            }
        }
    }

    void release() {
        if (handle != 0) clReleaseKernel(handle);
        handle = 0;
    }
}
