package dev.whittle.opencl;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * One OpenCL session shared by the test classes of this JVM (building the programs is the slow part on PoCL),
 * skipping a test cleanly, with the reason, when the machine has no OpenCL device.
 */
final class DeviceTestSupport {
    private static Optional<OpenClSession> session;
    private static String unavailable = "";

    private DeviceTestSupport() {}

    static synchronized OpenClSession session() {
        if (session == null) {
            session = OpenClSession.tryOpen(reason -> unavailable = reason);
            session.ifPresent(s -> System.out.println("OpenCL device: " + s.describe()));
        }
        Assumptions.assumeTrue(session.isPresent(), () -> "no OpenCL device, test skipped: " + unavailable);
        return session.get();
    }

    /** |actual − expected| ≤ rtol·|expected| + atol·max|expected| element-wise, naming the first offender. */
    static void assertClose(String what, float[] expected, float[] actual, double rtol, double atol) {
        if (expected.length != actual.length) fail(what + ": length " + actual.length + " != " + expected.length);
        double scale = 0;
        for (float v : expected) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs((double) actual[i] - expected[i]);
            if (!(err <= rtol * Math.abs(expected[i]) + atol * Math.max(scale, 1e-3))) {
                fail(String.format(
                        "%s[%d]: expected %.7g, got %.7g (rtol %.1g, atol %.1g of max %.3g)",
                        what, i, expected[i], actual[i], rtol, atol, scale));
            }
        }
    }
}
