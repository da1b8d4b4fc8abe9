package dev.whittle.nativebind.opencl;

import static org.lwjgl.opencl.CL10.*;

import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.lwjgl.system.Configuration;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/**
 * One device's context with one in-order command queue (profiling enabled), and the owner of every buffer and
 * program made through it: closing the context closes whatever of those is still open, then the queue and the
 * context. Programs are cached by (source, options), so each kernel family compiles once per context.
 *
 * <p>Not thread-safe: one thread drives a context (OpenCL kernel arguments are per-kernel state). Host transfers
 * go through one reusable direct staging buffer, so reads and writes allocate no native memory per call.
 */
public final class ClContext implements AutoCloseable {
    private static final AtomicInteger LIVE_CONTEXTS = new AtomicInteger();
    static final AtomicInteger LIVE_BUFFERS = new AtomicInteger();
    static final AtomicInteger LIVE_PROGRAMS = new AtomicInteger();

    private final ClDevice device;
    private final long context;
    private final long queue;
    private final Set<ClBuffer> buffers = new LinkedHashSet<>();
    private final Map<List<String>, ClProgram> programs = new LinkedHashMap<>();
    private ByteBuffer staging;
    private boolean closed;

    private ClContext(ClDevice device) {
        this.device = device;
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer err = stack.mallocInt(1);
            context = clCreateContext(null, device.handle(), null, 0L, err);
            ClException.check(err.get(0), "clCreateContext(" + device.name() + ")");
            queue = clCreateCommandQueue(context, device.handle(), CL_QUEUE_PROFILING_ENABLE, err);
            if (err.get(0) != CL_SUCCESS) {
                clReleaseContext(context);
                ClException.check(err.get(0), "clCreateCommandQueue(" + device.name() + ")");
            }
        }
        LIVE_CONTEXTS.incrementAndGet();
    }

    /** A context on {@code device}; throws {@link ClException} when the driver refuses. */
    public static ClContext create(ClDevice device) {
        return new ClContext(device);
    }

    /**
     * A context on the chosen device (see {@link ClPlatforms}), or empty when there is no OpenCL library, platform
     * or device, or the device property matches nothing. The reason is logged in one line through
     * {@link System.Logger} (INFO); nothing is thrown and nothing is downloaded.
     */
    public static Optional<ClContext> tryCreate() {
        return tryCreate(reason -> System.getLogger(ClContext.class.getName())
                .log(System.Logger.Level.INFO, "OpenCL unavailable: " + reason));
    }

    /** As {@link #tryCreate()}, handing the one-line reason for an empty result to {@code whyNot}. */
    public static Optional<ClContext> tryCreate(Consumer<String> whyNot) {
        List<ClDevice> devices;
        try {
            preferVersionedLibraryName();
            devices = ClPlatforms.devices();
        } catch (Throwable t) { // UnsatisfiedLinkError, ExceptionInInitializerError, NoClassDefFoundError, ClException
            whyNot.accept("cannot load the OpenCL library (" + Configuration.OPENCL_LIBRARY_NAME.get("default name")
                    + "): " + oneLine(t)
                    + "; install an ICD loader and a driver, e.g. ocl-icd-libopencl1 + pocl-opencl-icd");
            return Optional.empty();
        }
        if (devices.isEmpty()) {
            whyNot.accept(
                    "the OpenCL library loaded but reports no platform/device (for PoCL, check that POCL_CACHE_DIR is writable)");
            return Optional.empty();
        }
        ClDevice chosen;
        try {
            chosen = ClPlatforms.choose(devices, System.getProperty(ClPlatforms.DEVICE_PROPERTY));
        } catch (IllegalArgumentException e) {
            whyNot.accept(e.getMessage());
            return Optional.empty();
        }
        try {
            return Optional.of(create(chosen));
        } catch (RuntimeException e) {
            whyNot.accept("cannot create a context on " + chosen.name() + ": " + oneLine(e));
            return Optional.empty();
        }
    }

    /**
     * Debian's runtime package ships only libOpenCL.so.1 (the unversioned name comes with -dev packages), so on
     * Linux, unless the user set {@code org.lwjgl.opencl.libname}, ask for the versioned soname.
     */
    private static void preferVersionedLibraryName() {
        if (System.getProperty("org.lwjgl.opencl.libname") == null
                && Configuration.OPENCL_LIBRARY_NAME.get() == null
                && System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            Configuration.OPENCL_LIBRARY_NAME.set("libOpenCL.so.1");
        }
    }

    private static String oneLine(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null) root = root.getCause();
        return (root.getClass().getSimpleName() + ": " + root.getMessage()).replace('\n', ' ');
    }

    public ClDevice device() {
        return device;
    }

    /** Device name, vendor, versions, compute units, max work-group size and memory sizes in one line. */
    public String describe() {
        return device.describe();
    }

    /** A new zero-initialised float buffer of {@code elements} floats. */
    public ClBuffer floats(long elements) {
        return register(new ClBuffer(this, ClBuffer.Kind.FLOAT, elements));
    }

    /** A new zero-initialised int buffer (labels, indices, argmax) of {@code elements} ints. */
    public ClBuffer ints(long elements) {
        return register(new ClBuffer(this, ClBuffer.Kind.INT, elements));
    }

    /** A float buffer holding a copy of {@code data}. */
    public ClBuffer floats(float[] data) {
        ClBuffer b = floats(Math.max(1, data.length));
        b.write(data);
        return b;
    }

    /** An int buffer holding a copy of {@code data}. */
    public ClBuffer ints(int[] data) {
        ClBuffer b = ints(Math.max(1, data.length));
        b.write(data);
        return b;
    }

    /**
     * The program built from {@code source} with {@code options}, compiled on first request and cached by
     * (source, options). {@code name} appears in error messages. Throws {@link ClBuildException} with the
     * build log when compilation fails (failures are not cached).
     */
    public ClProgram program(String name, String source, String options) {
        ensureOpen();
        List<String> key = List.of(source, options == null ? "" : options);
        ClProgram p = programs.get(key);
        if (p == null) {
            p = ClProgram.build(this, name, source, key.get(1));
            programs.put(key, p);
        }
        return p;
    }

    /** Blocks until every enqueued command has finished. */
    public void finish() {
        ensureOpen();
        ClException.check(clFinish(queue), "clFinish");
    }

    /** Buffers of this context that are still open. */
    public int openBuffers() {
        return buffers.size();
    }

    /** Programs of this context that are still open (the cache). */
    public int openPrograms() {
        return programs.size();
    }

    /** Process-wide count of open buffers, for leak tests. */
    public static int liveBuffers() {
        return LIVE_BUFFERS.get();
    }

    /** Process-wide count of open programs, for leak tests. */
    public static int livePrograms() {
        return LIVE_PROGRAMS.get();
    }

    /** Process-wide count of open contexts, for leak tests. */
    public static int liveContexts() {
        return LIVE_CONTEXTS.get();
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (ClProgram p : new ArrayList<>(programs.values())) p.close();
        for (ClBuffer b : new ArrayList<>(buffers)) b.close();
        clFinish(queue);
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
        if (staging != null) MemoryUtil.memFree(staging);
        staging = null;
        LIVE_CONTEXTS.decrementAndGet();
    }

    long handle() {
        return context;
    }

    long queue() {
        return queue;
    }

    /** The shared direct staging buffer, at least {@code bytes} long, position 0 and limit {@code bytes}. */
    ByteBuffer staging(long bytes) {
        if (bytes > Integer.MAX_VALUE)
            throw new IllegalArgumentException("transfer of " + bytes + " bytes exceeds 2 GiB");
        if (staging == null || staging.capacity() < bytes) {
            if (staging != null) MemoryUtil.memFree(staging);
            staging = MemoryUtil.memAlloc((int) Math.max(bytes, 1 << 16));
        }
        staging.clear().limit((int) bytes);
        return staging;
    }

    void ensureOpen() {
        if (closed) throw new IllegalStateException("OpenCL context on " + device.name() + " is closed");
    }

    private ClBuffer register(ClBuffer b) {
        buffers.add(b);
        return b;
    }

    void forget(ClBuffer b) {
        buffers.remove(b);
    }

    void forget(ClProgram p) {
        programs.values().remove(p);
    }
}
