package dev.whittle.bench;

import dev.whittle.kernels.ConvGeometry;
import dev.whittle.kernels.KernelSet;
import dev.whittle.kernels.SparseKernels;
import dev.whittle.kernels.SparseRows;
import dev.whittle.kernels.vector.SparseVectorKernels;
import dev.whittle.kernels.vector.VectorKernels;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One convolution forward, one thread, with weights at a given density: the dense Vector API kernel (which
 * multiplies the zeros too) against the sparse-weight kernels (scalar reference and Vector API), so the
 * break-even density of each VGG-small layer can be read off the calls/s of {@code kernel} across {@code density}.
 * Layers as in {@link ConvLayerBenchmark}. {@code :flop} counts the multiply-adds actually needed (2 × MACs ×
 * density); the primary score is layer calls per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class SparseConvBenchmark {
    @Param({"vgg2", "vgg4", "vgg6"})
    public String layer;

    @Param({"dense-vector", "sparse-scalar", "sparse-vector"})
    public String kernel;

    @Param({"0.05", "0.1", "0.25", "0.5"})
    public double density;

    @Param({"1", "32"})
    public int batch;

    ConvGeometry g;
    float[] x, w, b, y;
    SparseRows sw;
    KernelSet dense;
    SparseKernels sparse;
    long flopPerCall;

    @Setup
    public void setup() {
        g = ConvLayerBenchmark.geometry(layer, batch);
        Random rnd = new Random(42);
        x = new float[g.n() * g.c() * g.h() * g.w()];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        w = new float[g.weightSize()];
        for (int i = 0; i < w.length; i++) if (rnd.nextDouble() < density) w[i] = (float) rnd.nextGaussian() + 1e-3f;
        b = new float[g.k()];
        y = new float[g.n() * g.k() * g.p() * g.q()];
        sw = SparseRows.fromDense(w, g.k(), g.cPerGroup() * g.r() * g.s());
        dense = VectorKernels.create();
        sparse = kernel.equals("sparse-scalar") ? SparseKernels.scalar() : new SparseVectorKernels();
        flopPerCall = (long) (2 * g.macsPerImage() * g.n() * sw.density());
    }

    @Benchmark
    public float run(FlopCounter counter) {
        counter.flop += flopPerCall;
        if (kernel.equals("dense-vector")) dense.conv().forward(g, x, w, b, y, 0, g.n());
        else sparse.convForward(g, x, sw, b, y, 0, g.n());
        return y[0];
    }
}
