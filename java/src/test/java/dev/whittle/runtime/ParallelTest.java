package dev.whittle.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pool covers every index exactly once, respects the grain, propagates failures and never deadlocks on nesting. */
class ParallelTest {
    @Test
    void everyIndexIsVisitedExactlyOnceForAnySizeAndGrain() {
        try (Parallel p = new Parallel(3)) {
            for (int n : new int[] {1, 2, 3, 7, 100, 1001}) {
                for (int grain : new int[] {1, 5, 64, 5000}) {
                    AtomicIntegerArray seen = new AtomicIntegerArray(n);
                    p.forRange(n, grain, (lo, hi) -> {
                        for (int i = lo; i < hi; i++) seen.incrementAndGet(i);
                    });
                    for (int i = 0; i < n; i++)
                        assertEquals(1, seen.get(i), "n=" + n + " grain=" + grain + " index " + i);
                }
            }
        }
    }

    @Test
    // Without the caller taking their chunks this would wait for the workers forever, which an interrupt does not
    // end: the test runs on a thread of its own that the timeout abandons.
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theCallerRunsTheChunksOfWorkersThatNeverWake() {
        // Workers that never run stand for ones the scheduler has not woken: the caller must take their chunks.
        try (Parallel p = new Parallel(3, false)) {
            for (int n : new int[] {3, 100, 1001}) {
                AtomicIntegerArray seen = new AtomicIntegerArray(n);
                Thread caller = Thread.currentThread();
                p.forRange(n, (lo, hi) -> {
                    assertTrue(Thread.currentThread() == caller, "chunk [" + lo + ", " + hi + ") on another thread");
                    for (int i = lo; i < hi; i++) seen.incrementAndGet(i);
                });
                for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "n=" + n + " index " + i);
            }
            IllegalStateException e = assertThrows(
                    IllegalStateException.class,
                    () -> p.forRange(9, (lo, hi) -> {
                        if (lo > 0) throw new IllegalStateException("chunk " + lo);
                    }));
            assertTrue(e.getMessage().startsWith("chunk "), e.getMessage());
        }
    }

    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aRestedWorkerParksInsteadOfSpinningAndTheNextRegionWakesIt() throws InterruptedException {
        // Workers that would spin for ever between regions: only rest() makes them park.
        try (Parallel p = new Parallel(2, true, Integer.MAX_VALUE)) {
            AtomicInteger visited = new AtomicInteger();
            p.forRange(1000, (lo, hi) -> visited.addAndGet(hi - lo));
            p.rest();
            while (p.workerState(0) != Thread.State.WAITING) Thread.sleep(1);
            p.forRange(1000, (lo, hi) -> visited.addAndGet(hi - lo));
            assertEquals(2000, visited.get());
        }
    }

    @Test
    void workSmallerThanTheGrainRunsAsOneChunkOnTheCaller() {
        try (Parallel p = new Parallel(2)) {
            AtomicInteger chunks = new AtomicInteger();
            Thread caller = Thread.currentThread();
            AtomicInteger onCaller = new AtomicInteger();
            p.forRange(100, Parallel.grainFor(1), (lo, hi) -> {
                chunks.incrementAndGet();
                if (Thread.currentThread() == caller) onCaller.incrementAndGet();
            });
            assertEquals(1, chunks.get());
            assertEquals(1, onCaller.get());
            AtomicInteger big = new AtomicInteger();
            p.forRange(100_000, Parallel.grainFor(1), (lo, hi) -> big.incrementAndGet());
            assertEquals(2, big.get(), "large work is split over both threads");
        }
    }

    @Test
    void aFailureInAWorkerChunkReachesTheCaller() {
        try (Parallel p = new Parallel(2)) {
            var e = assertThrows(
                    IllegalStateException.class,
                    () -> p.forRange(10, (lo, hi) -> {
                        if (lo > 0) throw new IllegalStateException("chunk " + lo);
                    }));
            assertTrue(e.getMessage().startsWith("chunk"), e.getMessage());
            AtomicInteger after = new AtomicInteger();
            p.forRange(10, (lo, hi) -> after.addAndGet(hi - lo));
            assertEquals(10, after.get(), "the pool keeps working after a failure");
        }
    }

    @Test
    void nestedCallsRunInlineInsteadOfDeadlocking() {
        try (Parallel p = new Parallel(2)) {
            AtomicInteger total = new AtomicInteger();
            p.forRange(4, (lo, hi) -> p.forRange(10, (a, b) -> total.addAndGet(b - a)));
            assertEquals(20, total.get());
        }
    }
}
