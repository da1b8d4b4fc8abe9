package dev.whittle.opencl;

import dev.whittle.runtime.Parallel;
import dev.whittle.train.CpuStepEngine;
import dev.whittle.train.StepEngine;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a command's training steps run: {@code cpu} (the executor and host SGD) or {@code opencl} (a device
 * session, opened once per command). Asking for OpenCL on a machine without a device logs ONE line with the
 * reason and falls back to the CPU. The default comes from {@code -Dwhittle.backend=opencl}; any other value of
 * that property concerns the CPU kernels ({@code runtime.BackendInfo}) and means {@code cpu} here.
 */
public final class EngineChoice implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EngineChoice.class);
    public static final String PROPERTY = "whittle.backend";

    private final OpenClSession session; // null on the CPU
    private final StepEngine.Factory factory;
    private final String description;

    private EngineChoice(OpenClSession session, StepEngine.Factory factory, String description) {
        this.session = session;
        this.factory = factory;
        this.description = description;
    }

    /** "opencl" when {@code -Dwhittle.backend=opencl}, else "cpu". */
    public static String defaultBackend() {
        return "opencl".equalsIgnoreCase(System.getProperty(PROPERTY, "")) ? "opencl" : "cpu";
    }

    /**
     * Resolves {@code backend} (null = {@link #defaultBackend()}); throws IllegalArgumentException naming the
     * option for anything but cpu or opencl.
     */
    public static EngineChoice open(String backend, Parallel parallel) {
        String b = (backend == null ? defaultBackend() : backend).toLowerCase(Locale.ROOT);
        return switch (b) {
            case "cpu" -> cpu(parallel, "");
            case "opencl" -> {
                String[] why = {"unknown reason"};
                Optional<OpenClSession> s = OpenClSession.tryOpen(r -> why[0] = r);
                if (s.isEmpty()) {
                    LOG.warn("OpenCL unavailable ({}); using the CPU backend instead", why[0]);
                    yield cpu(parallel, "; OpenCL unavailable: " + why[0]);
                }
                OpenClSession session = s.get();
                LOG.info("OpenCL device: {}", session.describe());
                yield new EngineChoice(
                        session, DeviceStepEngine.factory(session), "opencl (" + session.describe() + ")");
            }
            default ->
                throw new IllegalArgumentException("--backend expected cpu or opencl but found '" + backend + "'");
        };
    }

    private static EngineChoice cpu(Parallel parallel, String note) {
        return new EngineChoice(
                null,
                CpuStepEngine.factory(parallel),
                "cpu (" + dev.whittle.runtime.BackendInfo.current().name() + ")" + note);
    }

    public StepEngine.Factory factory() {
        return factory;
    }

    /** The OpenCL session when steps run on a device. */
    public Optional<OpenClSession> session() {
        return Optional.ofNullable(session);
    }

    public boolean onDevice() {
        return session != null;
    }

    /** "cpu (vector)" or "opencl (device string)", with the fallback reason when OpenCL was asked for. */
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        if (session != null) session.close();
    }
}
