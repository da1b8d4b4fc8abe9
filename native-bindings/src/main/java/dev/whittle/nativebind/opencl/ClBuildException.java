package dev.whittle.nativebind.opencl;

/** A program failed to compile; the message carries the program name, the options and the full build log. */
public final class ClBuildException extends ClException {
    private final String programName;
    private final String buildLog;

    ClBuildException(String programName, String options, String device, int errorCode, String buildLog) {
        super(
                "OpenCL program '" + programName + "' failed to build on " + device + " with options [" + options
                        + "]: " + errorName(errorCode) + " (" + errorCode + ")\n--- build log ---\n" + buildLog,
                errorCode);
        this.programName = programName;
        this.buildLog = buildLog;
    }

    public String programName() {
        return programName;
    }

    public String buildLog() {
        return buildLog;
    }
}
