package dev.whittle.opencl;

import dev.whittle.nativebind.opencl.ClContext;
import dev.whittle.nativebind.opencl.ClKernels;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One OpenCL device for the life of a command: its context and queue, and the kernels built on it (the
 * context's program cache keeps each program compiled once, ~1 s on PoCL). Engines and executors made on a
 * session borrow it; closing the session releases every buffer and program still open on the device.
 */
public final class OpenClSession implements AutoCloseable {
    private final ClContext context;
    private final ClKernels kernels;

    private OpenClSession(ClContext context) {
        this.context = context;
        try {
            this.kernels = new ClKernels(context);
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
    }

    /** A session on the preferred device, or empty with the one-line reason handed to {@code whyNot}. */
    public static Optional<OpenClSession> tryOpen(Consumer<String> whyNot) {
        return ClContext.tryCreate(whyNot).map(OpenClSession::new);
    }

    public ClContext context() {
        return context;
    }

    public ClKernels kernels() {
        return kernels;
    }

    /** The device string: name, type, versions, compute units, memory, platform. */
    public String describe() {
        return context.describe();
    }

    @Override
    public void close() {
        kernels.close();
        context.close();
    }
}
