package dev.whittle.nativebind.opencl;

import static org.lwjgl.opencl.CL10.*;

import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/**
 * A built program and the kernels made from it, owned by its {@link ClContext} (get one through
 * {@link ClContext#program}); closing it releases its kernels, then the program.
 */
public final class ClProgram implements AutoCloseable {
    private final ClContext ctx;
    private final String name;
    private final String options;
    private final Map<String, ClKernel> kernels = new LinkedHashMap<>();
    private long handle;

    private ClProgram(ClContext ctx, String name, String options, long handle) {
        this.ctx = ctx;
        this.name = name;
        this.options = options;
        this.handle = handle;
        ClContext.LIVE_PROGRAMS.incrementAndGet();
    }

    static ClProgram build(ClContext ctx, String name, String source, String options) {
        long device = ctx.device().handle();
        long program;
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer err = stack.mallocInt(1);
            program = clCreateProgramWithSource(ctx.handle(), source, err);
            ClException.check(err.get(0), "clCreateProgramWithSource(" + name + ")");
        }
        int err = clBuildProgram(program, device, options, null, 0L);
        if (err != CL_SUCCESS) {
            String log = buildLog(program, device);
            clReleaseProgram(program);
            throw new ClBuildException(name, options, ctx.device().name(), err, log);
        }
        return new ClProgram(ctx, name, options, program);
    }

    private static String buildLog(long program, long device) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            if (clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, (ByteBuffer) null, size) != CL_SUCCESS) {
                return "(build log unavailable)";
            }
            ByteBuffer buf = MemoryUtil.memAlloc((int) Math.max(1, size.get(0)));
            try {
                clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, buf, null);
                return MemoryUtil.memUTF8(buf, Math.max(0, (int) size.get(0) - 1))
                        .strip();
            } finally {
                MemoryUtil.memFree(buf);
            }
        }
    }

    public String name() {
        return name;
    }

    public String options() {
        return options;
    }

    /** The kernel called {@code kernelName}, created on first request and owned by this program. */
    public ClKernel kernel(String kernelName) {
        if (handle == 0) throw new IllegalStateException("program '" + name + "' is closed");
        ClKernel k = kernels.get(kernelName);
        if (k == null) {
            try (MemoryStack stack = MemoryStack.stackPush()) {
                IntBuffer err = stack.mallocInt(1);
                long h = clCreateKernel(handle, kernelName, err);
                ClException.check(err.get(0), "clCreateKernel(" + name + "." + kernelName + ")");
                k = new ClKernel(ctx, name + "." + kernelName, h);
            }
            kernels.put(kernelName, k);
        }
        return k;
    }

    public boolean isClosed() {
        return handle == 0;
    }

    @Override
    public void close() {
        if (handle == 0) return;
        for (ClKernel k : kernels.values()) k.release();
        kernels.clear();
        clReleaseProgram(handle);
        handle = 0;
        ClContext.LIVE_PROGRAMS.decrementAndGet();
        ctx.forget(this);
    }
}
