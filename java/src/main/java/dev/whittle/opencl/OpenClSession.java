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

    /**
     * A session on the preferred device, or empty with the one-line reason handed to {@code whyNot}: no driver,
     * no device, or a driver that cannot build the kernels (its build log starts the reason).
     */
    public static Optional<OpenClSession> tryOpen(Consumer<String> whyNot) {
        Optional<ClContext> ctx = ClContext.tryCreate(whyNot);
        if (ctx.isEmpty()) return Optional.empty();
        try {
            return Optional.of(new OpenClSession(ctx.get()));
        } catch (RuntimeException e) { // ClBuildException, ClException: the context is closed already
            String msg = String.valueOf(e.getMessage()).replace('\n', ' ');
            whyNot.accept("the kernels do not build on " + ctx.get().device().name() + ": "
                    + (msg.length() > 400 ? msg.substring(0, 400) + "…" : msg));
            return Optional.empty();
        }
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
