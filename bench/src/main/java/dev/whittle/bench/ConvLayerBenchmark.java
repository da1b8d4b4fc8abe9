package dev.whittle.bench;

import dev.whittle.kernels.ConvGeometry;
import dev.whittle.kernels.ConvKernels;
import dev.whittle.kernels.KernelSet;
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
 * One convolution layer, whole batch, one thread: forward, backwardData or backwardWeights, on the scalar
 * reference or the Vector API kernels.
 *
 * <p>Layers ({@code layer}): the VGG-small convolutions, all 3×3 pad 1 stride 1 — vgg1 1→32 @28×28, vgg2 32→32
 * @28×28, vgg3 32→64 @14×14, vgg4 64→64 @14×14, vgg5 64→128 @7×7, vgg6 128→128 @7×7 — and LeNet-5's conv2, 6→16
 * 5×5 pad 0 @14×14 (→10×10). Batch {@code batch} (default 64).
 *
 * <p>Flops per invocation = 2 × MACs per image × batch for every op: backwardData and backwardWeights are GEMMs of
 * the same size as the forward one (bias and padding work is not counted). They are reported through
 * {@link FlopCounter} as the secondary result {@code :flop} in flop/s; the primary score is layer calls per second.
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
public class ConvLayerBenchmark {
    @Param({"vgg1", "vgg2", "vgg3", "vgg4", "vgg5", "vgg6", "lenet2"})
    public String layer;

    @Param({"scalar", "vector"})
    public String backend;

    @Param({"forward", "backwardData", "backwardWeights"})
    public String op;

    @Param({"64"})
    public int batch;

    ConvGeometry g;
    ConvKernels conv;
    float[] x, w, b, y, dy, dx, dw, db;
    long flopPerCall;

    /** The benchmarked layers, by name. */
    public static ConvGeometry geometry(String layer, int batch) {
        return switch (layer) {
            case "vgg1" -> ConvGeometry.square(batch, 1, 28, 28, 32, 3, 1, 1);
            case "vgg2" -> ConvGeometry.square(batch, 32, 28, 28, 32, 3, 1, 1);
            case "vgg3" -> ConvGeometry.square(batch, 32, 14, 14, 64, 3, 1, 1);
            case "vgg4" -> ConvGeometry.square(batch, 64, 14, 14, 64, 3, 1, 1);
            case "vgg5" -> ConvGeometry.square(batch, 64, 7, 7, 128, 3, 1, 1);
            case "vgg6" -> ConvGeometry.square(batch, 128, 7, 7, 128, 3, 1, 1);
            // VGG-small at the progressive s42 model's widths 16,16,31,31,63,63 (issue 5's 4x-MACs shape).
            case "pvgg1" -> ConvGeometry.square(batch, 1, 28, 28, 16, 3, 1, 1);
            case "pvgg2" -> ConvGeometry.square(batch, 16, 28, 28, 16, 3, 1, 1);
            case "pvgg3" -> ConvGeometry.square(batch, 16, 14, 14, 31, 3, 1, 1);
            case "pvgg4" -> ConvGeometry.square(batch, 31, 14, 14, 31, 3, 1, 1);
            case "pvgg5" -> ConvGeometry.square(batch, 31, 7, 7, 63, 3, 1, 1);
            case "pvgg6" -> ConvGeometry.square(batch, 63, 7, 7, 63, 3, 1, 1);
            case "lenet1" -> ConvGeometry.square(batch, 1, 28, 28, 6, 5, 1, 2);
            case "lenet2" -> ConvGeometry.square(batch, 6, 14, 14, 16, 5, 1, 0);
            case "resnet16" -> ConvGeometry.square(batch, 16, 32, 32, 16, 3, 1, 1);
            case "resnet32s2" -> ConvGeometry.square(batch, 16, 32, 32, 32, 3, 2, 1);
            case "resnet64" -> ConvGeometry.square(batch, 64, 8, 8, 64, 3, 1, 1);
            // ResNet-20 on Fashion-MNIST (28×28): the two 3×3 stride-2 convolutions and a 1×1 stride-2 shortcut.
            case "r20s2" -> ConvGeometry.square(batch, 16, 28, 28, 32, 3, 2, 1);
            case "r20s3" -> ConvGeometry.square(batch, 32, 14, 14, 64, 3, 2, 1);
            case "r20down" -> ConvGeometry.square(batch, 16, 28, 28, 32, 1, 2, 0);
            default -> throw new IllegalArgumentException("unknown layer " + layer);
        };
    }

    public static KernelSet kernels(String backend) {
        return switch (backend) {
            case "scalar" -> KernelSet.scalar();
            case "vector" -> VectorKernels.create();
            default -> throw new IllegalArgumentException("unknown backend " + backend);
        };
    }

    @Setup
    public void setup() {
        g = geometry(layer, batch);
        conv = kernels(backend).conv();
        Random rnd = new Random(42);
        x = randn(rnd, g.n() * g.c() * g.h() * g.w());
        w = randn(rnd, g.weightSize());
        b = randn(rnd, g.k());
        y = new float[g.n() * g.k() * g.p() * g.q()];
        dy = randn(rnd, y.length);
        dx = new float[x.length];
        dw = new float[w.length];
        db = new float[g.k()];
        flopPerCall = 2L * g.macsPerImage() * g.n();
    }

    private static float[] randn(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian() * 0.1);
        return a;
    }

    @Benchmark
    public float run(FlopCounter counter) {
        counter.flop += flopPerCall;
        switch (op) {
            case "forward" -> {
                conv.forward(g, x, w, b, y, 0, g.n());
                return y[0];
            }
            case "backwardData" -> {
                conv.backwardData(g, dy, w, dx, 0, g.n());
                return dx[0];
            }
            case "backwardWeights" -> {
                conv.backwardWeights(g, x, dy, dw, db, 0, g.k());
                return dw[0];
            }
            default -> throw new IllegalArgumentException("unknown op " + op);
        }
    }
}
