package dev.whittle.runtime;

import dev.whittle.kernels.KernelSet;
import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compute backend in use and why, decided once per process and logged in one line
 * (style.md §4): Vector API kernels when {@code jdk.incubator.vector} is readable and C2 will compile them,
 * else the scalar references. {@code -Dwhittle.backend=scalar|vector} forces a choice.
 */
public record BackendInfo(String name, String reason, String vectorSpecies, int vectorBits, KernelSet kernels) {
    private static final Logger LOG = LoggerFactory.getLogger(BackendInfo.class);
    private static volatile BackendInfo chosen;

    public static BackendInfo current() {
        BackendInfo b = chosen;
        if (b == null) {
            synchronized (BackendInfo.class) {
                if (chosen == null) {
                    chosen = decide(System.getProperty("whittle.backend", ""));
                    LOG.info("backend: {} ({})", chosen.name, chosen.reason);
                }
                b = chosen;
            }
        }
        return b;
    }

    static BackendInfo decide(String forced) {
        boolean vectorModule =
                ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        String c2 = c2Missing();
        String species = "unavailable (start the JVM with --add-modules=jdk.incubator.vector)";
        int bits = 0;
        if (vectorModule) {
            var s = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
            species = s.toString();
            bits = s.vectorBitSize();
        }
        switch (forced) {
            case "scalar":
                return new BackendInfo(
                        "scalar", "forced by -Dwhittle.backend=scalar", species, bits, KernelSet.scalar());
            case "vector":
                if (!vectorModule) {
                    throw new IllegalArgumentException(
                            "-Dwhittle.backend=vector needs --add-modules=jdk.incubator.vector on the java command line");
                }
                return new BackendInfo(
                        "vector",
                        "forced by -Dwhittle.backend=vector" + (c2 == null ? "" : "; warning: " + c2),
                        species,
                        bits,
                        vectorSet());
            case "", "opencl": // opencl moves training steps to a device (opencl.EngineChoice); CPU work picks as usual
                break;
            default:
                throw new IllegalArgumentException(
                        "-Dwhittle.backend expected scalar, vector or opencl but found '" + forced + "'");
        }
        if (!vectorModule) {
            return new BackendInfo(
                    "scalar",
                    "jdk.incubator.vector is not readable; add --add-modules=jdk.incubator.vector for the Vector API kernels",
                    species,
                    bits,
                    KernelSet.scalar());
        }
        if (c2 != null)
            return new BackendInfo(
                    "scalar",
                    c2 + ", and Vector API code is ~1000x slower without C2",
                    species,
                    bits,
                    KernelSet.scalar());
        return new BackendInfo(
                "vector", "Vector API kernels, " + species + ", C2 available", species, bits, vectorSet());
    }

    private static KernelSet vectorSet() {
        return dev.whittle.kernels.vector.VectorKernels.create();
    }

    /** Why C2 will not compile vector code, or null when it will. */
    private static String c2Missing() {
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.equals("-Xint")) return "the JVM runs interpreted (-Xint)";
            if (arg.startsWith("-XX:TieredStopAtLevel=") && !arg.endsWith("=4")) return "C2 is disabled (" + arg + ")";
            if (arg.equals("-XX:-UseCompiler")) return "the JIT is disabled (-XX:-UseCompiler)";
        }
        String vm = System.getProperty("java.vm.name", "");
        if (!vm.contains("Server") && !vm.contains("HotSpot")) return "the VM '" + vm + "' may lack C2";
        return null;
    }
}
