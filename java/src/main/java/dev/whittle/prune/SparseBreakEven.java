package dev.whittle.prune;

import dev.whittle.kernels.ConvGeometry;
import dev.whittle.kernels.KernelSet;
import dev.whittle.kernels.SparseKernels;
import dev.whittle.kernels.SparseRows;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The weight density below which the sparse kernel beats the dense kernel, measured on the machine for one
 * layer shape and batch size (dense and sparse calls interleaved, medians of trials, after a warm-up).
 * {@code -Dwhittle.sparse.conv=D} and {@code -Dwhittle.sparse.linear=D} replace the measurement by a fixed
 * threshold D in [0, 1] (0 = never sparse, 1 = always sparse); {@code -Dwhittle.sparse=off} disables the sparse
 * path altogether.
 *
 * <p>Why measured and not a constant: the break-even depends on the dense kernel's efficiency for the shape (a
 * GEMM on a large map is near peak, on a 2×2 map it is not), the batch, the vector width and the caches.
 */
public final class SparseBreakEven {
    private SparseBreakEven() {}

    /** One layer shape, runnable with dense weights or with sparse weights of a chosen density. */
    public interface Probe {
        String describe();

        void runDense();

        void runSparse(SparseRows w);

        SparseRows weightsAt(double density);

        /** Multiply-adds of one dense call, for GFLOP/s in reports. */
        long denseMacs();
    }

    /** Median milliseconds per call: the dense kernel, and the sparse kernel at each density. */
    public record Curve(String layer, double[] densities, double denseMs, double[] sparseMs, double breakEven) {}

    /** How long to time: warm-up per kernel and density, interleaved trials, minimum time per trial. */
    public record Timing(double warmupSeconds, int trials, double trialSeconds) {
        /** For deciding at run time: short, but five interleaved trials so one noisy trial does not decide. */
        public static Timing quick() {
            return new Timing(0.05, 5, 0.01);
        }
    }

    /** Threshold override from a system property, or NaN when none is set. */
    static double override(String kind) {
        String v = System.getProperty("whittle.sparse." + kind);
        if (v == null || v.isBlank()) return Double.NaN;
        double d;
        try {
            d = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "-Dwhittle.sparse." + kind + " expected a density in [0, 1] but found '" + v + "'");
        }
        if (!(d >= 0 && d <= 1))
            throw new IllegalArgumentException(
                    "-Dwhittle.sparse." + kind + " expected a density in [0, 1] but found " + v);
        return d;
    }

    /** Whether -Dwhittle.sparse=off disables the sparse path. */
    static boolean disabled() {
        return "off".equalsIgnoreCase(System.getProperty("whittle.sparse", "").trim());
    }

    /**
     * Times the dense kernel and the sparse kernel at each density (interleaved: dense, d₀, d₁, …, repeated
     * {@code trials} times) and finds where the sparse time crosses the dense time, interpolating linearly
     * between the two measured densities around the crossing. Sparse faster at every density gives the
     * largest density measured; slower at every density gives 0.
     */
    public static Curve measure(Probe p, double[] densities, Timing t) {
        int d = densities.length;
        SparseRows[] ws = new SparseRows[d];
        for (int i = 0; i < d; i++) ws[i] = p.weightsAt(densities[i]);
        Runnable[] runs = new Runnable[d + 1];
        runs[0] = p::runDense;
        for (int i = 0; i < d; i++) {
            SparseRows w = ws[i];
            runs[i + 1] = () -> p.runSparse(w);
        }
        for (Runnable r : runs) {
            long end = System.nanoTime() + (long) (t.warmupSeconds() * 1e9);
            do r.run();
            while (System.nanoTime() < end);
        }
        double[][] ms = new double[runs.length][t.trials()];
        for (int trial = 0; trial < t.trials(); trial++) {
            for (int i = 0; i < runs.length; i++) {
                long start = System.nanoTime(), end = start + (long) (t.trialSeconds() * 1e9), now;
                int calls = 0;
                do {
                    runs[i].run();
                    calls++;
                } while ((now = System.nanoTime()) < end);
                ms[i][trial] = (now - start) / 1e6 / calls;
            }
        }
        double dense = median(ms[0]);
        double[] sparse = new double[d];
        for (int i = 0; i < d; i++) sparse[i] = median(ms[i + 1]);
        return new Curve(p.describe(), densities.clone(), dense, sparse, crossing(densities, sparse, dense));
    }

    /** The density where the (density, sparse time) polyline meets the dense time; densities increasing. */
    static double crossing(double[] densities, double[] sparseMs, double denseMs) {
        if (sparseMs[0] >= denseMs) return 0;
        for (int i = 1; i < densities.length; i++) {
            if (sparseMs[i] >= denseMs) {
                double d0 = densities[i - 1], d1 = densities[i], t0 = sparseMs[i - 1], t1 = sparseMs[i];
                return d0 + (d1 - d0) * (denseMs - t0) / (t1 - t0);
            }
        }
        return densities[densities.length - 1];
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    /** Random weights (seeded) with each entry kept with probability {@code density}. */
    static float[] randomWeights(int size, double density, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[size];
        for (int i = 0; i < size; i++) {
            float v = (float) r.nextGaussian();
            w[i] = r.nextDouble() < density ? (v == 0f ? 1e-3f : v) : 0f;
        }
        return w;
    }

    /** The name of a conv shape in reports and threshold tables, e.g. "conv 32x28x28 -> 32 k3 s1 p1, batch 1". */
    public static String describeConv(ConvGeometry g) {
        return String.format(
                "conv %dx%dx%d -> %d k%d s%d p%d%s, batch %d",
                g.c(),
                g.h(),
                g.w(),
                g.k(),
                g.r(),
                g.strideH(),
                g.padH(),
                g.groups() > 1 ? " g" + g.groups() : "",
                g.n());
    }

    public static String describeLinear(int in, int out, int batch) {
        return "linear " + in + " -> " + out + ", batch " + batch;
    }

    /** A conv layer's probe: images [0, n) on one thread, the backend's dense kernel against the sparse one. */
    public static Probe conv(ConvGeometry g, KernelSet dense, SparseKernels sparse) {
        SplittableRandom r = new SplittableRandom(1);
        float[] x = new float[g.n() * g.c() * g.h() * g.w()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        float[] w = randomWeights(g.weightSize(), 1, 2), b = new float[g.k()];
        float[] y = new float[g.n() * g.k() * g.p() * g.q()];
        int cols = g.cPerGroup() * g.r() * g.s();
        return new Probe() {
            public String describe() {
                return describeConv(g);
            }

            public void runDense() {
                dense.conv().forward(g, x, w, b, y, 0, g.n());
            }

            public void runSparse(SparseRows sw) {
                sparse.convForward(g, x, sw, b, y, 0, g.n());
            }

            public SparseRows weightsAt(double density) {
                return SparseRows.fromDense(randomWeights(g.weightSize(), density, 3), g.k(), cols);
            }

            public long denseMacs() {
                return g.macsPerImage() * g.n();
            }
        };
    }

    /** A linear layer's probe: rows [0, batch) on one thread. */
    public static Probe linear(int in, int out, int batch, KernelSet dense, SparseKernels sparse) {
        SplittableRandom r = new SplittableRandom(4);
        float[] x = new float[batch * in];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        float[] w = randomWeights(in * out, 1, 5), b = new float[out], y = new float[batch * out];
        return new Probe() {
            public String describe() {
                return describeLinear(in, out, batch);
            }

            public void runDense() {
                dense.linear().forward(in, out, x, w, b, y, 0, batch);
            }

            public void runSparse(SparseRows sw) {
                sparse.linearForward(in, out, x, sw, b, y, 0, batch);
            }

            public SparseRows weightsAt(double density) {
                return SparseRows.fromDense(randomWeights(in * out, density, 6), out, in);
            }

            public long denseMacs() {
                return (long) in * out * batch;
            }
        };
    }
}
