package dev.whittle.opencl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.nativebind.opencl.ClPlatforms;
import dev.whittle.runtime.Parallel;
import dev.whittle.train.CpuStepEngine;
import org.junit.jupiter.api.Test;

/** Backend names are checked, and asking for OpenCL where no device matches falls back to the CPU with a reason. */
class EngineChoiceTest {

    @Test
    void anUnknownBackendNamesTheOptionAndTheValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> EngineChoice.open("cuda", new Parallel(1)));
        assertTrue(e.getMessage().contains("--backend expected cpu or opencl but found 'cuda'"), e.getMessage());
    }

    @Test
    void openclWithoutAMatchingDeviceFallsBackToTheCpuAndSaysWhy() {
        String old = System.getProperty(ClPlatforms.DEVICE_PROPERTY);
        System.setProperty(ClPlatforms.DEVICE_PROPERTY, "no-such-device-anywhere");
        try (EngineChoice c = EngineChoice.open("opencl", new Parallel(1))) {
            assertFalse(c.onDevice());
            assertTrue(c.describe().startsWith("cpu") && c.describe().contains("OpenCL unavailable"), c.describe());
            try (var engine =
                    c.factory().create(dev.whittle.model.Models.lenet5(10), dev.whittle.train.TrainConfig.recipe(1))) {
                assertTrue(engine instanceof CpuStepEngine, engine.describe());
            }
        } finally {
            if (old == null) System.clearProperty(ClPlatforms.DEVICE_PROPERTY);
            else System.setProperty(ClPlatforms.DEVICE_PROPERTY, old);
        }
    }

    @Test
    void theSystemPropertyChoosesOpenclAndOtherValuesMeanCpu() {
        String old = System.getProperty(EngineChoice.PROPERTY);
        try {
            System.setProperty(EngineChoice.PROPERTY, "opencl");
            assertTrue(EngineChoice.defaultBackend().equals("opencl"));
            System.setProperty(EngineChoice.PROPERTY, "vector"); // a CPU kernel choice: steps stay on the CPU
            assertTrue(EngineChoice.defaultBackend().equals("cpu"));
        } finally {
            if (old == null) System.clearProperty(EngineChoice.PROPERTY);
            else System.setProperty(EngineChoice.PROPERTY, old);
        }
    }
}
