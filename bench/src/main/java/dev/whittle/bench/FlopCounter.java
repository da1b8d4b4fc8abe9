package dev.whittle.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Per-thread floating-point operation counter. Each benchmark invocation adds the flops it performed; JMH reports
 * the counter as a rate (secondary result {@code ":flop"}, unit {@code ops/s} = flop/s, summed over threads), so
 * GFLOP/s = flop/s / 1e9 comes straight out of the run with no post-hoc arithmetic on times.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class FlopCounter {
    /** Floating-point operations (an FMA counts 2) performed in the current iteration. */
    public long flop;

    @Setup(Level.Iteration)
    public void reset() {
        flop = 0;
    }
}
