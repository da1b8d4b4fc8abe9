package dev.whittle.nativebind.opencl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Loads the OpenCL C sources, which ship as resources {@code opencl/<name>.cl} of the whittle-kernels jar
 * (next to the scalar references they must match). This module does not depend on that jar at compile
 * time; the library puts both on the class path.
 */
public final class ClSources {
    private ClSources() {}

    /** The text of {@code opencl/<name>.cl}; throws IllegalStateException naming the resource when it is absent. */
    public static String load(String name) {
        String path = "opencl/" + name + ".cl";
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        if (cl == null) cl = ClSources.class.getClassLoader();
        try (InputStream in = cl.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(
                        "OpenCL source " + path + " not on the class path (it ships in the whittle-kernels jar)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}
