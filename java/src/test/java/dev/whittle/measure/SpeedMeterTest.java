package dev.whittle.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The warm-up policy: at least the asked time, then until the JIT has been idle, but never past four times it. And
 * the latency loop's order: workloads alternate in blocks of timed calls, each block after a few untimed ones.
 */
class SpeedMeterTest {
    private static final long S = 1_000_000_000L;

    @Test
    void aWarmUpNeverEndsBeforeItsMinimum() {
        assertFalse(SpeedMeter.warm(S, 10 * S, 2.0));
        assertFalse(SpeedMeter.warm(2 * S - 1, 2 * S - 1, 2.0));
    }

    @Test
    void aWarmUpPastItsMinimumWaitsUntilTheJitHasBeenIdleLongEnough() {
        assertFalse(SpeedMeter.warm(3 * S, S / 2, 2.0), "compiled half a second ago");
        assertTrue(SpeedMeter.warm(3 * S, S, 2.0), "idle for a second");
        assertTrue(SpeedMeter.warm(2 * S, 2 * S, 2.0), "idle the whole time: done at the minimum");
    }

    @Test
    void aJitThatNeverSettlesEndsTheWarmUpAtFourTimesItsMinimum() {
        assertFalse(SpeedMeter.warm(8 * S - 1, 0, 2.0));
        assertTrue(SpeedMeter.warm(8 * S, 0, 2.0));
    }

    @Test
    void shortWarmUpsAskForAShorterQuietSpell() {
        assertEquals(S, SpeedMeter.quietNanos(8.0));
        assertEquals(S / 40, SpeedMeter.quietNanos(0.05));
        assertTrue(SpeedMeter.warm(S / 20, S / 40, 0.05));
        assertFalse(SpeedMeter.warm(S / 20, S / 50, 0.05));
    }

    @Test
    void latencyAlternatesWholeBlocksOfCallsEachAfterUntimedOnes() {
        StringBuilder order = new StringBuilder();
        Timed a = new Recorder('a', order), b = new Recorder('b', order);
        int runs = SpeedMeter.LATENCY_BLOCK + 5;
        Stats[] s = new SpeedMeter(0, 1, 0).latency(java.util.List.of(a, b), runs);
        int block = SpeedMeter.LATENCY_BLOCK, warm = SpeedMeter.LATENCY_BLOCK_WARM;
        String want = "a".repeat(warm + block) + "b".repeat(warm + block) + "a".repeat(warm + 5) + "b".repeat(warm + 5);
        assertEquals(want, order.toString());
        assertEquals(2, s.length);
    }

    /** A workload that records its calls' order. */
    private record Recorder(char name, StringBuilder order) implements Timed {
        @Override
        public int batch() {
            return 1;
        }

        @Override
        public float runOnce() {
            order.append(name);
            return 0;
        }
    }
}
