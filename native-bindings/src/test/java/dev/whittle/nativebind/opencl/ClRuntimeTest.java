package dev.whittle.nativebind.opencl;

import static dev.whittle.nativebind.opencl.ClTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The runtime itself: description, transfers, program build errors and cache, device choice, profiling. */
class ClRuntimeTest {

    @Test
    void describesTheDevice() {
        String d = context().describe();
        ClDevice dev = context().device();
        assertTrue(
                d.contains(dev.name())
                        && d.contains(dev.vendor())
                        && d.contains("compute units")
                        && d.contains("local mem"),
                d);
        assertTrue(dev.computeUnits() > 0 && dev.maxWorkGroupSize() > 0 && dev.localMemBytes() > 0, d);
    }

    @Test
    void buffersRoundTripWithOffsetsAndZeroFill() {
        ClContext ctx = context();
        try (ClBuffer f = ctx.floats(10);
                ClBuffer i = ctx.ints(new int[] {4, 5, 6})) {
            assertArrayEquals(new float[10], read(f, 10), "new buffers are zero");
            f.write(3, new float[] {9, 1.5f, -2, 7}, 1, 3);
            assertArrayEquals(new float[] {0, 0, 0, 1.5f, -2, 7, 0, 0, 0, 0}, read(f, 10));
            float[] part = new float[4];
            f.read(4, part, 1, 2);
            assertArrayEquals(new float[] {0, -2, 7, 0}, part);
            assertArrayEquals(new int[] {4, 5, 6}, readInts(i, 3));
            f.fillZero(4, 1);
            assertArrayEquals(new float[] {0, 0, 0, 1.5f, 0, 7, 0, 0, 0, 0}, read(f, 10), "ranged zero fill");
            f.fillZero();
            assertArrayEquals(new float[10], read(f, 10));
            assertThrows(IndexOutOfBoundsException.class, () -> f.write(8, new float[3], 0, 3));
            assertThrows(IllegalArgumentException.class, () -> i.write(new float[1]));
        }
    }

    @Test
    void brokenProgramNamesItselfAndCarriesTheBuildLog() {
        ClContext ctx = context();
        int before = ClContext.livePrograms();
        String src = "__kernel void f(__global float* a) { a[0] = no_such_identifier_42; }";
        ClBuildException e = assertThrows(ClBuildException.class, () -> ctx.program("deliberately_broken", src, ""));
        assertEquals("deliberately_broken", e.programName());
        assertTrue(e.getMessage().contains("deliberately_broken"), e.getMessage());
        assertTrue(e.buildLog().contains("no_such_identifier_42"), e.buildLog());
        assertTrue(e.getMessage().contains(e.buildLog()), "message carries the full log");
        assertEquals(before, ClContext.livePrograms(), "a failed build leaves nothing open");
    }

    @Test
    void programsAreCachedBySourceAndOptions() {
        ClContext ctx = context();
        String src = "__kernel void g(__global float* a) { a[get_global_id(0)] += X; }";
        ClProgram a = ctx.program("cache_test", src, "-D X=1.0f");
        assertSame(a, ctx.program("cache_test", src, "-D X=1.0f"));
        ClProgram b = ctx.program("cache_test", src, "-D X=2.0f");
        assertNotSame(a, b);
        try (ClBuffer buf = ctx.floats(64)) {
            a.kernel("g").arg(0, buf).launch(new long[] {64}, new long[] {16});
            b.kernel("g").arg(0, buf).launch(new long[] {64}, new long[] {16});
            float[] out = read(buf, 64);
            for (float v : out) assertEquals(3f, v);
        }
        int open = ctx.openPrograms();
        a.close();
        b.close();
        assertEquals(open - 2, ctx.openPrograms(), "closing a program drops it from the cache");
    }

    @Test
    void choosePrefersGpuThenAcceleratorThenCpuAndHonoursTheProperty() {
        ClDevice cpu = dev(0, "Some CPU", "CPU"),
                acc = dev(1, "Accel X", "ACCELERATOR"),
                gpu = dev(2, "Big GPU", "GPU");
        assertSame(gpu, ClPlatforms.choose(List.of(cpu, acc, gpu), null));
        assertSame(acc, ClPlatforms.choose(List.of(cpu, acc), " "));
        assertSame(cpu, ClPlatforms.choose(List.of(cpu, acc, gpu), "0"));
        assertSame(acc, ClPlatforms.choose(List.of(cpu, acc, gpu), "accel"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ClPlatforms.choose(List.of(cpu, gpu), "7"));
        assertTrue(
                e.getMessage().contains(ClPlatforms.DEVICE_PROPERTY)
                        && e.getMessage().contains("Big GPU"),
                e.getMessage());
    }

    @Test
    void devicePropertySelectsOrRefuses() {
        ClDevice current = context().device();
        String old = System.getProperty(ClPlatforms.DEVICE_PROPERTY);
        try {
            String name = current.name();
            System.setProperty(
                    ClPlatforms.DEVICE_PROPERTY,
                    name.substring(name.length() / 3, name.length() / 3 + 4).toUpperCase());
            try (ClContext c = ClContext.tryCreate(r -> fail(r)).orElseThrow()) {
                assertEquals(name, c.device().name());
            }
            System.setProperty(ClPlatforms.DEVICE_PROPERTY, Integer.toString(current.index()));
            try (ClContext c = ClContext.tryCreate(r -> fail(r)).orElseThrow()) {
                assertEquals(current.index(), c.device().index());
            }
            System.setProperty(ClPlatforms.DEVICE_PROPERTY, "no-such-device-anywhere");
            StringBuilder why = new StringBuilder();
            Optional<ClContext> none = ClContext.tryCreate(why::append);
            assertTrue(none.isEmpty());
            assertTrue(
                    why.toString().contains("no-such-device-anywhere")
                            && !why.toString().contains("\n"),
                    why.toString());
        } finally {
            if (old == null) System.clearProperty(ClPlatforms.DEVICE_PROPERTY);
            else System.setProperty(ClPlatforms.DEVICE_PROPERTY, old);
        }
    }

    @Test
    void profilingReportsDeviceTimePerKernel() {
        ClKernels k = kernels();
        ClContext ctx = context();
        try (ClBuffer a = ctx.floats(4096);
                ClBuffer b = ctx.floats(4096)) {
            k.resetKernelTimes();
            k.setProfiling(true);
            k.elementwise().accumulate(4096, a, b);
            k.elementwise().accumulate(4096, a, b);
        } finally {
            k.setProfiling(false);
        }
        ClKernelTime t = k.kernelTimes().get("elementwise.accumulate");
        assertNotNull(t, k.kernelTimes().toString());
        assertEquals(2, t.launches());
        assertTrue(t.nanos() > 0, t.toString());
        k.resetKernelTimes();
    }

    private static ClDevice dev(int index, String name, String type) {
        return new ClDevice(index, 0, 0, "p", name, "v", "OpenCL 1.2", "OpenCL C 1.2", type, 1, 256, 1 << 15, 1 << 30);
    }
}
