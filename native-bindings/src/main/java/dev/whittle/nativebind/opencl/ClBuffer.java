package dev.whittle.nativebind.opencl;

import static org.lwjgl.opencl.CL10.*;
import static org.lwjgl.opencl.CL12.clEnqueueFillBuffer;

import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.util.Objects;
import org.lwjgl.system.MemoryStack;

/**
 * A device buffer of 32-bit floats or ints, owned by its {@link ClContext}. Transfers are blocking and go
 * through the context's staging buffer; offsets and lengths are in elements. New buffers are zero-filled.
 */
public final class ClBuffer implements AutoCloseable {
    public enum Kind {
        FLOAT,
        INT
    }

    private final ClContext ctx;
    private final Kind kind;
    private final long elements;
    private long handle;

    ClBuffer(ClContext ctx, Kind kind, long elements) {
        ctx.ensureOpen();
        if (elements <= 0) throw new IllegalArgumentException("buffer size must be positive, got " + elements);
        this.ctx = ctx;
        this.kind = kind;
        this.elements = elements;
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer err = stack.mallocInt(1);
            handle = clCreateBuffer(ctx.handle(), CL_MEM_READ_WRITE, elements * 4L, err);
            ClException.check(err.get(0), "clCreateBuffer(" + elements + " " + kind + ")");
        }
        ClContext.LIVE_BUFFERS.incrementAndGet();
        fillZero();
    }

    public Kind kind() {
        return kind;
    }

    /** Capacity in elements. */
    public long elements() {
        return elements;
    }

    /** The cl_mem handle, for kernel arguments. */
    public long handle() {
        ensureOpen();
        return handle;
    }

    public boolean isClosed() {
        return handle == 0;
    }

    public void write(float[] src) {
        write(0, src, 0, src.length);
    }

    /** Copies {@code src[off, off+len)} to elements [{@code at}, at+len). */
    public void write(long at, float[] src, int off, int len) {
        expect(Kind.FLOAT);
        Objects.checkFromIndexSize(off, len, src.length);
        ByteBuffer s = staging(at, len);
        s.asFloatBuffer().put(src, off, len);
        ClException.check(
                clEnqueueWriteBuffer(ctx.queue(), handle, true, at * 4L, s, null, null), "clEnqueueWriteBuffer");
    }

    public void write(int[] src) {
        write(0, src, 0, src.length);
    }

    public void write(long at, int[] src, int off, int len) {
        expect(Kind.INT);
        Objects.checkFromIndexSize(off, len, src.length);
        ByteBuffer s = staging(at, len);
        s.asIntBuffer().put(src, off, len);
        ClException.check(
                clEnqueueWriteBuffer(ctx.queue(), handle, true, at * 4L, s, null, null), "clEnqueueWriteBuffer");
    }

    /** Reads the first {@code dst.length} elements. */
    public void read(float[] dst) {
        read(0, dst, 0, dst.length);
    }

    /** Reads elements [{@code at}, at+len) into {@code dst[off, off+len)}. */
    public void read(long at, float[] dst, int off, int len) {
        expect(Kind.FLOAT);
        Objects.checkFromIndexSize(off, len, dst.length);
        ByteBuffer s = staging(at, len);
        ClException.check(
                clEnqueueReadBuffer(ctx.queue(), handle, true, at * 4L, s, null, null), "clEnqueueReadBuffer");
        s.asFloatBuffer().get(dst, off, len);
    }

    public void read(int[] dst) {
        read(0, dst, 0, dst.length);
    }

    public void read(long at, int[] dst, int off, int len) {
        expect(Kind.INT);
        Objects.checkFromIndexSize(off, len, dst.length);
        ByteBuffer s = staging(at, len);
        ClException.check(
                clEnqueueReadBuffer(ctx.queue(), handle, true, at * 4L, s, null, null), "clEnqueueReadBuffer");
        s.asIntBuffer().get(dst, off, len);
    }

    /** Sets every element to 0 (0.0f and 0 share the bit pattern); enqueued, not waited for. */
    public void fillZero() {
        fillZero(0, elements);
    }

    /** Sets elements [{@code at}, at+len) to 0; enqueued, not waited for. */
    public void fillZero(long at, long len) {
        ensureOpen();
        if (at < 0 || len < 0 || at + len > elements) {
            throw new IndexOutOfBoundsException(
                    "elements [" + at + ", " + (at + len) + ") outside buffer of " + elements);
        }
        if (len == 0) return;
        try (MemoryStack stack = MemoryStack.stackPush()) {
            ByteBuffer zero = stack.calloc(4);
            ClException.check(
                    clEnqueueFillBuffer(ctx.queue(), handle, zero, at * 4L, len * 4L, null, null),
                    "clEnqueueFillBuffer");
        }
    }

    @Override
    public void close() {
        if (handle == 0) return;
        clReleaseMemObject(handle);
        handle = 0;
        ClContext.LIVE_BUFFERS.decrementAndGet();
        ctx.forget(this);
    }

    private ByteBuffer staging(long at, int len) {
        ensureOpen();
        if (at < 0 || at + len > elements) {
            throw new IndexOutOfBoundsException(
                    "elements [" + at + ", " + (at + len) + ") outside buffer of " + elements);
        }
        return ctx.staging(len * 4L);
    }

    private void expect(Kind k) {
        if (kind != k) throw new IllegalArgumentException("buffer holds " + kind + ", not " + k);
    }

    private void ensureOpen() {
        if (handle == 0) throw new IllegalStateException("OpenCL buffer is closed");
    }
}
