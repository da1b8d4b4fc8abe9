package dev.whittle.runtime;

import dev.whittle.kernels.KernelSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compute backend in use and why, decided once per process and logged in one line. Today the only CPU
 * backend is the scalar reference; the Vector API and OpenCL backends plug in here, and
 * {@code -Dwhittle.backend=} will force one.
 */
public record BackendInfo(String name, String reason, String vectorSpecies, int vectorBits, KernelSet kernels) {
    private static final Logger LOG = LoggerFactory.getLogger(BackendInfo.class);
    private static volatile BackendInfo chosen;

    public static BackendInfo current() {
        BackendInfo b = chosen;
        if (b == null) {
            synchronized (BackendInfo.class) {
                if (chosen == null) {
                    chosen = decide();
                    LOG.info("backend: {} ({})", chosen.name, chosen.reason);
                }
                b = chosen;
            }
        }
        return b;
    }

    private static BackendInfo decide() {
        String forced = System.getProperty("whittle.backend", "");
        if (!forced.isEmpty() && !forced.equals("scalar")) {
            throw new IllegalArgumentException("-Dwhittle.backend expected 'scalar' (the only backend built so far) but found '" + forced + "'");
        }
        String species = "unavailable";
        int bits = 0;
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            var s = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
            species = s.toString();
            bits = s.vectorBitSize();
        }
        String reason = forced.isEmpty() ? "scalar reference kernels; no faster CPU backend is built yet" : "forced by -Dwhittle.backend=scalar";
        return new BackendInfo("scalar", reason, species, bits, KernelSet.scalar());
    }
}
