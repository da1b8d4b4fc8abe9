package dev.whittle.nativebind.opencl;

import static dev.whittle.nativebind.opencl.ClTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Every native handle has an owner: counts of live buffers, programs and contexts return to where they started. */
class ClHygieneTest {

    @Test
    void manyLaunchesAndAllocationsLeakNothing() {
        ClKernels k = kernels();
        ClContext ctx = context();
        ClConvShape g = ClConvShape.square(1, 3, 7, 7, 4, 3, 1, 1);
        warmUp(k, ctx, g); // the identity index list is allocated lazily, once
        int buffers = ClContext.liveBuffers(), programs = ClContext.livePrograms(), open = ctx.openBuffers();
        for (int i = 0; i < 300; i++) {
            try (ClBuffer x = ctx.floats(3 * 49);
                    ClBuffer w = ctx.floats(4 * 27);
                    ClBuffer y = ctx.floats(4 * 49);
                    ClAlive alive = ClAlive.of(ctx, new int[] {0, 2})) {
                k.conv().forward(g, x, w, null, y, alive, null);
                k.elementwise().reluForward(4 * 49, y, y);
            }
        }
        ctx.finish();
        assertEquals(buffers, ClContext.liveBuffers(), "live buffers");
        assertEquals(open, ctx.openBuffers(), "context's open buffers");
        assertEquals(programs, ClContext.livePrograms(), "live programs");
    }

    @Test
    void closingTheContextClosesWhatIsStillOpen() {
        ClDevice device = context().device();
        int buffers = ClContext.liveBuffers(), programs = ClContext.livePrograms(), contexts = ClContext.liveContexts();
        ClBuffer leaked;
        try (ClContext ctx = ClContext.create(device)) {
            ClKernels k = new ClKernels(ctx); // builds every program (PoCL cache hits by now)
            leaked = ctx.floats(100);
            ClConvShape g = ClConvShape.square(1, 3, 7, 7, 4, 3, 1, 1);
            warmUp(k, ctx, g);
            assertTrue(ClContext.livePrograms() > programs && ClContext.liveBuffers() > buffers);
            assertEquals(contexts + 1, ClContext.liveContexts());
        }
        assertTrue(leaked.isClosed(), "buffer closed with its context");
        assertEquals(buffers, ClContext.liveBuffers(), "live buffers");
        assertEquals(programs, ClContext.livePrograms(), "live programs");
        assertEquals(contexts, ClContext.liveContexts(), "live contexts");
        assertThrows(IllegalStateException.class, () -> leaked.read(new float[1]));
    }

    private static void warmUp(ClKernels k, ClContext ctx, ClConvShape g) {
        try (ClBuffer x = ctx.floats(3 * 49);
                ClBuffer w = ctx.floats(4 * 27);
                ClBuffer y = ctx.floats(4 * 49)) {
            k.conv().forward(g, x, w, null, y, null, null);
        }
    }
}
