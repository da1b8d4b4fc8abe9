package dev.whittle.nativebind.opencl;

import static dev.whittle.nativebind.opencl.ClTestSupport.context;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Tile sizes are real compile-time parameters: a different setting builds its own program and stays correct. */
class ClTuningTest {

    @Test
    void otherTileSizesStayCorrect() {
        ClContext ctx = context();
        // Narrow rows, 8-deep slices, 2 rows per item: local size (32, 8), many partial tiles on these shapes.
        ClTuning t = new ClTuning(16, 32, 8, 2, 64, 64, 32, 64);
        try (ClLauncher l = new ClLauncher(ctx, t)) {
            ClConv2d conv = new ClConv2d(l);
            ClConv2dTest.check(conv, ClConvShape.square(2, 17, 9, 9, 33, 3, 2, 1), false);
            ClConv2dTest.check(conv, ClConvShape.square(3, 5, 7, 7, 17, 5, 1, 2), true);
            ClLinear lin = new ClLinear(l);
            ClLinearTest.check(lin, 37, 100, 33, false);
            ClLinearTest.check(lin, 3, 17, 7, true);
        }
    }

    @Test
    void optionsCarryEveryParameter() {
        String o = new ClTuning(16, 32, 8, 2, 64, 128, 32, 64).options();
        for (String d :
                new String[] {"TS_M=16", "TS_N=32", "TS_K=8", "WPT_M=2", "RED_WG=64", "BN_WG=128", "SM_WG=32"}) {
            assertTrue(o.contains("-D " + d), o);
        }
        assertThrows(IllegalArgumentException.class, () -> new ClTuning(30, 32, 8, 4, 64, 64, 64, 64));
        assertThrows(IllegalArgumentException.class, () -> new ClTuning(32, 32, 8, 4, 100, 64, 64, 64));
    }

    @Test
    void forDeviceShrinksWorkGroupsToTheDeviceLimit() {
        ClDevice small =
                new ClDevice(0, 0, 0, "p", "tiny", "v", "OpenCL 1.2", "OpenCL C 1.2", "GPU", 1, 64, 16384, 1 << 30);
        ClTuning t = ClTuning.forDevice(small);
        assertTrue(t.largestWorkGroup() <= 64, t.toString());
        assertEquals(
                ClTuning.defaults(),
                ClTuning.forDevice(new ClDevice(0, 0, 0, "p", "big", "v", "v", "c", "GPU", 1, 1024, 1, 1)));
    }
}
