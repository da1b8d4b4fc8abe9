package dev.whittle.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Images processed, reported by JMH as a rate (secondary result {@code ":images"}, in images per second), so
 * img/s comes out of the run itself for any batch size.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class ImageCounter {
    /** Images processed in the current iteration. */
    public long images;

    @Setup(Level.Iteration)
    public void reset() {
        images = 0;
    }
}
