package dev.whittle.cli;

import dev.whittle.opencl.EngineChoice;
import dev.whittle.runtime.Parallel;
import picocli.CommandLine.Option;

/** {@code --backend cpu|opencl} for the commands that train. */
final class BackendOption {
    @Option(
            names = "--backend",
            description = "Where training steps run: cpu or opencl (default: opencl under -Dwhittle.backend=opencl, "
                    + "else cpu). Without an OpenCL device, opencl logs one line and trains on the cpu.")
    String backend;

    /** Checks the name (before any data is read) and opens the device when asked for. */
    EngineChoice open(Parallel parallel) {
        return EngineChoice.open(backend, parallel);
    }
}
