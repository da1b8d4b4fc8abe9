package dev.whittle.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.whittle.graph.Executor;
import dev.whittle.graph.Graph;
import dev.whittle.kernels.KernelSet;
import dev.whittle.kernels.SparseKernels;
import dev.whittle.kernels.SparseRows;
import dev.whittle.kernels.vector.SparseVectorKernels;
import dev.whittle.model.Models;
import dev.whittle.nn.Conv2d;
import dev.whittle.runtime.Parallel;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A graph switched to sparse kernels computes the same logits as the dense graph, on every reference model at 90 %
 * weight sparsity; the per-layer choice follows the thresholds; training forwards ignore the sparse snapshot.
 */
class SparseInferenceTest {
    private static final Parallel TWO = new Parallel(2);

    /** Zeroes each conv/linear weight with probability {@code sparsity}. */
    static void sparsify(Graph g, double sparsity, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Graph.NamedParam p : g.namedParams()) {
            if (!p.name().endsWith(".weight") || p.param().shape().length < 2) continue;
            float[] v = p.param().value();
            for (int i = 0; i < v.length; i++) if (r.nextDouble() < sparsity) v[i] = 0f;
        }
    }

    static float[] input(Graph g, int n) {
        SplittableRandom r = new SplittableRandom(7);
        float[] x = new float[n * g.inputShape().size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    static float[] logits(Graph g, float[] x, int n) {
        return Arrays.copyOf(new Executor(g, n, false, TWO).forward(x, n, false), n * g.classes());
    }

    static void assertClose(String what, float[] e, float[] a) {
        double scale = 0;
        for (float v : e) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < e.length; i++)
            if (Math.abs(e[i] - a[i]) > 1e-4 * scale + 1e-6)
                fail(what + ": logit " + i + " expected " + e[i] + " but was " + a[i]);
    }

    @Test
    void sparseLogitsEqualDenseLogitsOnEveryReferenceModel() {
        for (String name : List.of("lenet5", "vgg_small", "resnet20")) {
            Graph g = Models.byName(name);
            g.initialize(3);
            CompactorTest.randomiseNorms(g, 4);
            sparsify(g, 0.9, 5);
            float[] x = input(g, 3);
            float[] dense = logits(g, x, 3);
            for (SparseKernels k : List.of(SparseKernels.scalar(), new SparseVectorKernels())) {
                List<SparseInference.Decision> ds = SparseInference.apply(g, 2, SparseInference.fixed(1, 1), k);
                assertTrue(ds.stream().allMatch(SparseInference.Decision::sparse), name + " all layers sparse");
                assertClose(name + " " + k.name(), dense, logits(g, x, 3));
            }
            SparseInference.clear(g);
            assertClose(name + " cleared", dense, logits(g, x, 3));
        }
    }

    @Test
    void eachLayerGoesSparseOnlyBelowItsThreshold() {
        Graph g = Models.byName("lenet5");
        g.initialize(1);
        sparsify(g, 0.5, 2);
        var th = SparseInference.fixed(0.4, 0.6); // convs near 0.5 density stay dense, linears go sparse
        for (SparseInference.Decision d : SparseInference.apply(g, 1, th, SparseKernels.scalar())) {
            assertEquals(d.density() < (d.op().equals("conv2d") ? 0.4 : 0.6), d.sparse(), d.toString());
        }
    }

    @Test
    void fullyDenseLayersAreNeverMeasuredOrSwitched() {
        Graph g = Models.byName("lenet5");
        g.initialize(1);
        var th = new SparseInference.Thresholds() {
            public double conv(dev.whittle.kernels.ConvGeometry geo) {
                throw new AssertionError("measured a dense conv");
            }

            public double linear(int in, int out, int batch) {
                throw new AssertionError("measured a dense linear");
            }
        };
        for (var d : SparseInference.apply(g, 1, th, SparseKernels.scalar())) assertFalse(d.sparse());
    }

    @Test
    void trainingForwardIgnoresTheSparseSnapshot() {
        Graph g = Models.byName("lenet5");
        g.initialize(1);
        float[] x = input(g, 2);
        float[] dense = Arrays.copyOf(new Executor(g, 2, true, TWO).forward(x, 2, true), 2 * g.classes());
        for (var n : g.nodes())
            if (n.layer() instanceof Conv2d c) // a snapshot of all-zero weights: visible if it were used
            c.setSparse(
                        SparseRows.fromDense(
                                new float[c.weight.size()], c.outChannels, c.weight.size() / c.outChannels),
                        SparseKernels.scalar());
        float[] training = Arrays.copyOf(new Executor(g, 2, true, TWO).forward(x, 2, true), 2 * g.classes());
        assertClose("training forward", dense, training);
    }

    @Test
    void propertyOverridesReplaceTheMeasurementAndBadValuesAreNamed() {
        Graph g = Models.byName("lenet5");
        g.initialize(1);
        sparsify(g, 0.9, 2);
        System.setProperty("whittle.sparse.conv", "0");
        System.setProperty("whittle.sparse.linear", "1");
        try {
            var th = SparseInference.measured(KernelSet.scalar(), SparseKernels.scalar(), null);
            for (var d : SparseInference.apply(g, 1, th, SparseKernels.scalar()))
                assertEquals(d.op().equals("linear"), d.sparse(), d.toString());
            System.setProperty("whittle.sparse.conv", "2");
            var e = assertThrows(
                    IllegalArgumentException.class, () -> SparseInference.apply(g, 1, th, SparseKernels.scalar()));
            assertEquals("-Dwhittle.sparse.conv expected a density in [0, 1] but found 2", e.getMessage());
        } finally {
            System.clearProperty("whittle.sparse.conv");
            System.clearProperty("whittle.sparse.linear");
        }
    }

    @Test
    void tableThresholdsMatchLayersByShapeNameAndLeaveUnknownShapesDense() {
        Graph g = Models.byName("lenet5");
        g.initialize(1);
        sparsify(g, 0.9, 2);
        Conv2d first = null;
        dev.whittle.graph.Node firstNode = null;
        for (var n : g.nodes())
            if (n.layer() instanceof Conv2d c && first == null) {
                first = c;
                firstNode = n;
            }
        String name = SparseBreakEven.describeConv(first.geometry(firstNode.inShapes()[0], 1));
        var ds =
                SparseInference.apply(g, 1, SparseInference.table(java.util.Map.of(name, 1.0)), SparseKernels.scalar());
        for (var d : ds) assertEquals(d.node().equals(firstNode.name()), d.sparse(), d.toString());
    }

    @Test
    void breakEvenIsWhereTheSparseCurveCrossesTheDenseTime() {
        double[] d = {0.1, 0.3, 0.5};
        assertEquals(0.2, SparseBreakEven.crossing(d, new double[] {1, 3, 5}, 2), 1e-12);
        assertEquals(0.0, SparseBreakEven.crossing(d, new double[] {3, 4, 5}, 2));
        assertEquals(0.5, SparseBreakEven.crossing(d, new double[] {1, 1, 1}, 2));
    }

    @Test
    void measuredBreakEvenIsADensityForBothLayerKinds() {
        var t = new SparseBreakEven.Timing(0.01, 1, 0.001);
        var conv = SparseBreakEven.measure(
                SparseBreakEven.conv(
                        dev.whittle.kernels.ConvGeometry.square(1, 8, 8, 8, 8, 3, 1, 1),
                        KernelSet.scalar(),
                        SparseKernels.scalar()),
                new double[] {0.1, 0.9},
                t);
        var lin = SparseBreakEven.measure(
                SparseBreakEven.linear(64, 10, 2, KernelSet.scalar(), SparseKernels.scalar()),
                new double[] {0.1, 0.9},
                t);
        for (var c : List.of(conv, lin)) {
            assertTrue(c.breakEven() >= 0 && c.breakEven() <= 0.9, c.toString());
            assertTrue(c.denseMs() > 0 && c.sparseMs()[0] > 0, c.toString());
        }
    }

    @Test
    void inferenceOnAGraphWithFusedConvBatchNormRunsTheSparseSnapshot() {
        // VGG-small's convs are fused with their batch norms in inference; a sparse snapshot must still be used.
        Graph g = Models.byName("vgg_small");
        g.initialize(1);
        float[] x = input(g, 2);
        float[] dense = logits(g, x, 2);
        for (var n : g.nodes())
            if (n.layer() instanceof Conv2d c) // all-zero weights: the logits change only if the snapshot is used
            c.setSparse(
                        SparseRows.fromDense(
                                new float[c.weight.size()], c.outChannels, c.weight.size() / c.outChannels),
                        SparseKernels.scalar());
        float[] sparse = logits(g, x, 2);
        assertFalse(Arrays.equals(dense, sparse), "inference ignored the sparse snapshot of fused convs");
        SparseInference.clear(g);
        assertClose("cleared", dense, logits(g, x, 2));
    }
}
