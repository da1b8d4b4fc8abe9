package dev.whittle.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.whittle.graph.Executor;
import dev.whittle.graph.Graph;
import dev.whittle.model.Models;
import dev.whittle.nn.Shape;
import dev.whittle.prune.ChannelMasks;
import dev.whittle.prune.Compactor;
import dev.whittle.prune.MaskBinding;
import dev.whittle.prune.PruneFixtures;
import dev.whittle.runtime.Parallel;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * An exported ONNX file, run by ONNX Runtime, gives the logits Whittle computes: for every reference model
 * (random weights and non-trivial batch-norm statistics), at a batch size other than the one a file might have
 * been traced with, and for a pruned model exported after compaction.
 */
class OnnxExportTest {
    private static final Parallel ONE = new Parallel(1);
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @AfterAll
    static void close() {
        ONE.close();
    }

    @Test
    void onnxRuntimeComputesWhittlesLogitsOnEveryReferenceModel() throws OrtException {
        for (String name : Models.NAMES) {
            Graph g = Models.byName(name);
            g.initialize(5);
            PruneFixtures.randomiseNorms(g, 6);
            assertSameLogits(g, 3);
        }
    }

    @Test
    void onnxRuntimeComputesWhittlesLogitsOnACompactedResidualModel() throws OrtException {
        Graph g = Models.resnet20(new int[] {8, 16, 32}, null, new Shape(1, 28, 28), 10);
        g.initialize(7);
        PruneFixtures.randomiseNorms(g, 8);
        ChannelMasks masks = PruneFixtures.randomMasks(g, 0.5, 9);
        Graph compact = Compactor.compact(g, masks);
        assertTrue(compact.macs() < g.macs());
        assertSameLogits(compact, 2);
    }

    @Test
    void aMaskedModelIsRefusedWithTheAdviceToCompactItFirst() {
        Graph g = Models.byName("vgg_small");
        g.initialize(1);
        MaskBinding.apply(g, PruneFixtures.randomMasks(g, 0.5, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.encode(g));
        assertTrue(e.getMessage().contains("compact"), e.getMessage());
    }

    private static void assertSameLogits(Graph g, int n) throws OrtException {
        SplittableRandom r = new SplittableRandom(11);
        Shape in = g.inputShape();
        float[] x = new float[n * in.size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        float[] expected = Arrays.copyOf(new Executor(g, n, false, ONE).forward(x, n, false), n * g.classes());
        float[] actual;
        try (OrtSession s = ENV.createSession(OnnxExport.encode(g), new OrtSession.SessionOptions());
                OnnxTensor t =
                        OnnxTensor.createTensor(ENV, FloatBuffer.wrap(x), new long[] {n, in.c(), in.h(), in.w()});
                OrtSession.Result res = s.run(Map.of("input", t))) {
            float[][] out = (float[][]) res.get(0).getValue();
            assertEquals(n, out.length, "rows of " + g.name());
            actual = new float[n * g.classes()];
            for (int i = 0; i < n; i++) System.arraycopy(out[i], 0, actual, i * g.classes(), g.classes());
        }
        double scale = 0;
        for (float v : expected) scale = Math.max(scale, Math.abs(v));
        // Summation order differs (ORT folds the batch norm into the conv weights): ~1e-6 relative per layer.
        for (int i = 0; i < expected.length; i++)
            assertEquals(expected[i], actual[i], 1e-4 * Math.max(1, scale), "logit " + i + " of " + g.name());
    }
}
