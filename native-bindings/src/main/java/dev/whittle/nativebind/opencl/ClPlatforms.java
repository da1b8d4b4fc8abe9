package dev.whittle.nativebind.opencl;

import static org.lwjgl.opencl.CL10.*;
import static org.lwjgl.opencl.CL11.CL_DEVICE_OPENCL_C_VERSION;

import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/**
 * Device discovery and choice. Devices are listed platform by platform in driver order; the choice prefers
 * GPU, then accelerator, then CPU (first found within a type), unless {@value #DEVICE_PROPERTY} names one
 * by index into {@link #devices()} or by a case-insensitive substring of its name.
 */
public final class ClPlatforms {
    /** System property choosing the device: an index into {@link #devices()} or a substring of its name. */
    public static final String DEVICE_PROPERTY = "whittle.opencl.device";

    private static final int CL_PLATFORM_NOT_FOUND_KHR = -1001;

    private ClPlatforms() {}

    /** Every device of every platform; empty when the ICD loader finds no platform. Needs the CL library loaded. */
    public static List<ClDevice> devices() {
        List<ClDevice> out = new ArrayList<>();
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer count = stack.mallocInt(1);
            int err = clGetPlatformIDs(null, count);
            if (err == CL_PLATFORM_NOT_FOUND_KHR || (err == CL_SUCCESS && count.get(0) == 0)) return out;
            ClException.check(err, "clGetPlatformIDs");
            PointerBuffer platforms = stack.mallocPointer(count.get(0));
            ClException.check(clGetPlatformIDs(platforms, (IntBuffer) null), "clGetPlatformIDs");
            for (int p = 0; p < platforms.capacity(); p++) {
                long platform = platforms.get(p);
                String platformName = platformString(platform, CL_PLATFORM_NAME);
                IntBuffer nd = stack.mallocInt(1);
                err = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, null, nd);
                if (err == CL_DEVICE_NOT_FOUND || (err == CL_SUCCESS && nd.get(0) == 0)) continue;
                ClException.check(err, "clGetDeviceIDs(" + platformName + ")");
                PointerBuffer ids = stack.mallocPointer(nd.get(0));
                ClException.check(
                        clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, ids, (IntBuffer) null), "clGetDeviceIDs");
                for (int d = 0; d < ids.capacity(); d++)
                    out.add(describe(out.size(), platform, platformName, ids.get(d)));
            }
        }
        return out;
    }

    /**
     * The device {@code spec} names (index or name substring), or the preferred one when {@code spec} is null or
     * blank. Throws IllegalArgumentException naming the spec and the devices when nothing matches.
     */
    public static ClDevice choose(List<ClDevice> devices, String spec) {
        if (devices.isEmpty()) throw new IllegalArgumentException("no OpenCL device");
        if (spec == null || spec.isBlank()) {
            return devices.stream()
                    .min(Comparator.comparingInt(ClDevice::rank).thenComparingInt(ClDevice::index))
                    .orElseThrow();
        }
        String s = spec.strip();
        if (s.chars().allMatch(Character::isDigit)) {
            int i = Integer.parseInt(s);
            if (i < devices.size()) return devices.get(i);
        } else {
            String needle = s.toLowerCase(Locale.ROOT);
            for (ClDevice d : devices) if (d.name().toLowerCase(Locale.ROOT).contains(needle)) return d;
        }
        throw new IllegalArgumentException(DEVICE_PROPERTY + "=" + spec + " matches none of "
                + devices.stream().map(d -> "#" + d.index() + " " + d.name()).toList());
    }

    private static ClDevice describe(int index, long platform, String platformName, long device) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            LongBuffer type = stack.mallocLong(1);
            ClException.check(clGetDeviceInfo(device, CL_DEVICE_TYPE, type, null), "clGetDeviceInfo(TYPE)");
            long t = type.get(0);
            String typeName = (t & CL_DEVICE_TYPE_GPU) != 0
                    ? "GPU"
                    : (t & CL_DEVICE_TYPE_ACCELERATOR) != 0
                            ? "ACCELERATOR"
                            : (t & CL_DEVICE_TYPE_CPU) != 0 ? "CPU" : "OTHER";
            IntBuffer cu = stack.mallocInt(1);
            ClException.check(clGetDeviceInfo(device, CL_DEVICE_MAX_COMPUTE_UNITS, cu, null), "clGetDeviceInfo(CU)");
            PointerBuffer wg = stack.mallocPointer(1);
            ClException.check(clGetDeviceInfo(device, CL_DEVICE_MAX_WORK_GROUP_SIZE, wg, null), "clGetDeviceInfo(WG)");
            LongBuffer local = stack.mallocLong(1), global = stack.mallocLong(1);
            ClException.check(
                    clGetDeviceInfo(device, CL_DEVICE_LOCAL_MEM_SIZE, local, null), "clGetDeviceInfo(LOCAL_MEM)");
            ClException.check(
                    clGetDeviceInfo(device, CL_DEVICE_GLOBAL_MEM_SIZE, global, null), "clGetDeviceInfo(GLOBAL_MEM)");
            return new ClDevice(
                    index,
                    platform,
                    device,
                    platformName,
                    deviceString(device, CL_DEVICE_NAME),
                    deviceString(device, CL_DEVICE_VENDOR),
                    deviceString(device, CL_DEVICE_VERSION),
                    deviceString(device, CL_DEVICE_OPENCL_C_VERSION),
                    typeName,
                    cu.get(0),
                    wg.get(0),
                    local.get(0),
                    global.get(0));
        }
    }

    private static String platformString(long platform, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            ClException.check(clGetPlatformInfo(platform, param, (ByteBuffer) null, size), "clGetPlatformInfo");
            ByteBuffer buf = stack.malloc((int) size.get(0));
            ClException.check(clGetPlatformInfo(platform, param, buf, null), "clGetPlatformInfo");
            return MemoryUtil.memASCII(buf, buf.remaining() - 1).strip();
        }
    }

    private static String deviceString(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            ClException.check(clGetDeviceInfo(device, param, (ByteBuffer) null, size), "clGetDeviceInfo");
            ByteBuffer buf = stack.malloc((int) size.get(0));
            ClException.check(clGetDeviceInfo(device, param, buf, null), "clGetDeviceInfo");
            return MemoryUtil.memASCII(buf, buf.remaining() - 1).strip();
        }
    }
}
