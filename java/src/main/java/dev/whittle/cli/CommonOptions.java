package dev.whittle.cli;

import dev.whittle.data.FashionMnist;
import dev.whittle.runtime.BackendInfo;
import dev.whittle.runtime.Parallel;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every computing command shares. */
final class CommonOptions {
    @Option(names = "--threads", description = "Worker threads (default: all cores).")
    Integer threads;

    @Option(
            names = "--data",
            description = "Fashion-MNIST directory (default: ${DEFAULT-VALUE}).",
            defaultValue = "${sys:whittle.data:-${env:WHITTLE_DATA:-/usr/share/datasets/fashion-mnist}}")
    Path data = FashionMnist.DEFAULT_DIR;

    Parallel parallel() {
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (t < 1) throw new IllegalArgumentException("--threads must be >= 1, found " + t);
        Parallel.setGlobalThreads(t);
        BackendInfo.current(); // logs the backend choice once, before any work
        return Parallel.global();
    }
}
