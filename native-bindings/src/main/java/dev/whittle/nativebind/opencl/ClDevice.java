package dev.whittle.nativebind.opencl;

/**
 * One OpenCL device as discovery found it: its handles and the facts a report or a tuning choice needs.
 *
 * @param index position in {@link ClPlatforms#devices()} (what {@code -Dwhittle.opencl.device=<index>} names)
 * @param type  "GPU", "ACCELERATOR", "CPU" or "OTHER"
 */
public record ClDevice(
        int index,
        long platform,
        long handle,
        String platformName,
        String name,
        String vendor,
        String version,
        String openclCVersion,
        String type,
        int computeUnits,
        long maxWorkGroupSize,
        long localMemBytes,
        long globalMemBytes) {

    /** Preference rank: lower is better (GPU, then accelerator, then CPU). */
    int rank() {
        return switch (type) {
            case "GPU" -> 0;
            case "ACCELERATOR" -> 1;
            case "CPU" -> 2;
            default -> 3;
        };
    }

    /** One line: name, vendor, versions, compute units, work-group and memory limits. */
    public String describe() {
        return String.format(
                "%s [%s] %s by %s, %s, %s, %d compute units, max work-group %d, local mem %d KiB, global mem %d MiB (platform %s)",
                name,
                type,
                version,
                vendor,
                openclCVersion,
                "device #" + index,
                computeUnits,
                maxWorkGroupSize,
                localMemBytes / 1024,
                globalMemBytes / (1024 * 1024),
                platformName);
    }
}
