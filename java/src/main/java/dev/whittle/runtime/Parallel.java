package dev.whittle.runtime;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * One long-lived pool that splits a range [0, n) into contiguous chunks, one per thread, the caller taking
 * the first. Kernels write disjoint outputs per chunk, so results do not depend on the thread count.
 *
 * <p>Why not ForkJoinPool: a parallel region here is a few microseconds to milliseconds, called thousands of
 * times per epoch; a fixed set of parked workers with a countdown costs no allocation per call. A call made
 * while another is in flight (nested, or from a second serving thread) runs inline on its caller instead of
 * queueing, so many request threads each get their own core rather than waiting for the pool.
 */
public final class Parallel implements AutoCloseable {

    /** A body over a half-open index range. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int lo, int hi);
    }

    private static volatile Parallel global;

    private final int threads;
    private final Worker[] workers;
    // Not a reentrant lock: a nested call from the caller's own chunk must run inline, never re-dispatch.
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Thread caller;
    private volatile Throwable failure;
    private volatile boolean resting;
    private final int spins;

    /** Polls an idle worker spins before parking: parallel regions come back-to-back during a training step. */
    static final int SPINS = 20_000;

    public Parallel(int threads) {
        this(threads, true);
    }

    /** With {@code startWorkers} false the workers never run, so the caller takes every chunk (tests). */
    Parallel(int threads, boolean startWorkers) {
        this(threads, startWorkers, SPINS);
    }

    /** With {@code spins} polls of an idle worker before it parks (tests: a worker that would never park). */
    Parallel(int threads, boolean startWorkers, int spins) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, found " + threads);
        this.threads = threads;
        this.spins = spins;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker("whittle-worker-" + (i + 1));
            if (startWorkers) workers[i].start();
        }
    }

    /** The process-wide pool; {@link #setGlobalThreads} replaces it (default: all available processors). */
    public static Parallel global() {
        Parallel p = global;
        if (p == null) {
            synchronized (Parallel.class) {
                if (global == null) global = new Parallel(Runtime.getRuntime().availableProcessors());
                p = global;
            }
        }
        return p;
    }

    /** Indices per chunk so that a chunk holds at least ~16k elements when one index covers {@code elementsPerIndex}. */
    public static int grainFor(int elementsPerIndex) {
        return Math.max(1, MIN_ELEMENTS_PER_CHUNK / Math.max(1, elementsPerIndex));
    }

    static final int MIN_ELEMENTS_PER_CHUNK = 16_384;

    public static synchronized void setGlobalThreads(int threads) {
        Parallel old = global;
        if (old != null && old.threads == threads) return;
        global = new Parallel(threads);
        if (old != null) old.close();
    }

    public int threads() {
        return threads;
    }

    /**
     * Workers waiting for the next region park now instead of spinning first; the next {@link #forRange} wakes
     * them as usual. For a benchmark that times another runtime right after this pool's call: a spinning worker
     * would take a core from it for about a millisecond (ONNX Runtime's pool does the same on request,
     * {@code session.force_spinning_stop}).
     */
    public void rest() {
        resting = true;
    }

    /** Worker i's thread state (tests). */
    Thread.State workerState(int i) {
        return workers[i].getState();
    }

    /** Runs body over [0, n) split into at most {@code threads} chunks; returns when all are done. */
    public void forRange(int n, RangeBody body) {
        forRange(n, 1, body);
    }

    /**
     * As {@link #forRange(int, RangeBody)}, but no chunk gets fewer than {@code grain} indices: waking a worker
     * costs microseconds, more than a small element-wise op over a batch-1 activation takes.
     */
    public void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        if (chunks == 1 || !busy.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        try {
            resting = false;
            failure = null;
            caller = Thread.currentThread();
            pending.set(chunks - 1);
            for (int i = 1; i < chunks; i++) {
                Worker w = workers[i - 1];
                w.lo = (int) ((long) n * i / chunks);
                w.hi = (int) ((long) n * (i + 1) / chunks);
                w.task.set(body); // volatile write publishes lo/hi
                LockSupport.unpark(w);
            }
            Throwable mine = null;
            try {
                body.run(0, (int) ((long) n / chunks));
            } catch (Throwable t) {
                mine = t;
            }
            // A chunk no worker has claimed by now is run here: its worker is descheduled or still waking, and
            // would start it no sooner than this. On this VM a late wake-up had put 5–16 ms into batch-1 p99.
            for (int i = 1; i < chunks; i++) {
                Worker w = workers[i - 1];
                RangeBody t = w.task.get();
                if (t == null || !w.task.compareAndSet(t, null)) continue;
                try {
                    t.run(w.lo, w.hi);
                } catch (Throwable e) {
                    if (mine == null) mine = e;
                }
                pending.decrementAndGet();
            }
            awaitWorkers();
            Throwable t = mine != null ? mine : failure;
            if (t instanceof RuntimeException re) throw re;
            if (t instanceof Error e) throw e;
            if (t != null) throw new IllegalStateException(t);
        } finally {
            busy.set(false);
        }
    }

    private void awaitWorkers() {
        for (int spins = 0; pending.get() != 0; spins++) {
            if (spins < SPINS) Thread.onSpinWait();
            else LockSupport.parkNanos(this, 50_000);
        }
    }

    @Override
    public void close() {
        for (Worker w : workers) {
            w.stopped = true;
            LockSupport.unpark(w);
        }
    }

    private final class Worker extends Thread {
        /** The chunk to run, claimed by whichever of this worker and the caller takes it first. */
        final AtomicReference<RangeBody> task = new AtomicReference<>();

        volatile boolean stopped;
        int lo, hi;

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        @Override
        public void run() {
            int idle = 0;
            while (!stopped) {
                RangeBody t = task.get();
                if (t == null) {
                    if (idle++ < spins && !resting) Thread.onSpinWait();
                    else LockSupport.park(this);
                    continue;
                }
                if (!task.compareAndSet(t, null)) continue; // the caller took it
                idle = 0;
                try {
                    t.run(lo, hi);
                } catch (Throwable e) {
                    failure = e;
                }
                if (pending.decrementAndGet() == 0) LockSupport.unpark(caller);
            }
        }
    }
}
