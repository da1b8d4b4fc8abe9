package dev.whittle.graph;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.kernels.KernelSet;
import dev.whittle.kernels.SoftmaxCrossEntropyScalar;
import dev.whittle.kernels.vector.VectorKernels;
import dev.whittle.model.Models;
import dev.whittle.nn.Param;
import dev.whittle.nn.Shape;
import dev.whittle.prune.ChannelGroups;
import dev.whittle.prune.MaskBinding;
import dev.whittle.prune.PruneTarget;
import dev.whittle.runtime.Parallel;
import dev.whittle.train.Sgd;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A training executor that lets each batch norm or residual add do the work of the ReLU reading it computes what
 * the node-by-node executor computes: the same logits and the same gradient for every parameter, for two batches
 * in a row (the second finds the buffers the first left), on both kernel sets, with and without channel masks. The
 * arithmetic is the same up to a gradient of −0 becoming +0, and a Vector API lane reduction that sums in another
 * order before the JIT compiles it than after, so the tolerance is float rounding (1e-5 relative to the largest
 * entry); a missing ReLU mask on dy, or a ReLU applied twice in backward (the fused ReLU's no-op replaced by the
 * real one doubles the gradient), is off by O(1). No optimizer step runs between the batches: a step would let
 * that rounding grow through the batch norms.
 */
class TrainingFusionTest {
    private static final Parallel TWO = new Parallel(2);
    private static final int BATCH = 6;

    /** Small-width VGG-small or ResNet-20 (28×28 input), seeded, optionally with half of every group's channels masked. */
    static Graph model(String name, boolean masked) {
        Graph g = name.equals("vgg_small")
                ? Models.vggSmall(new int[] {4, 5, 8, 8, 16, 16}, 10)
                : Models.resnet20(new int[] {4, 8, 16}, null, new Shape(1, 28, 28), 10);
        g.initialize(21);
        if (masked) MaskBinding.apply(g, PruneTarget.evenlySpaced(g, ChannelGroups.derive(g), 0.5));
        return g;
    }

    @ParameterizedTest(name = "{0} {1} masked={2}")
    @CsvSource({
        "vgg_small, vector, false",
        "vgg_small, scalar, false",
        "resnet20, vector, false",
        "resnet20, scalar, false",
        "resnet20, vector, true"
    })
    void fusedReluTrainingGivesTheNodeByNodeLogitsAndGradients(String name, String kernels, boolean masked) {
        KernelSet k = kernels.equals("vector") ? VectorKernels.create() : KernelSet.scalar();
        Graph plainGraph = model(name, masked), fusedGraph = model(name, masked);
        Executor plain = new Executor(plainGraph, BATCH, true, TWO, k, false);
        Executor fused = new Executor(fusedGraph, BATCH, true, TWO, k, true);
        String bn = name.equals("vgg_small") ? "bn1" : "s1.b1.bn1",
                relu = name.equals("vgg_small") ? "relu1" : "s1.b1.relu1";
        assertSame(fused.output(index(fusedGraph, bn)), fused.output(index(fusedGraph, relu)), "bn → relu fused");
        assertNotSame(plain.output(index(plainGraph, bn)), plain.output(index(plainGraph, relu)));
        if (name.equals("resnet20")) {
            assertSame(
                    fused.output(index(fusedGraph, "s1.b1.add")),
                    fused.output(index(fusedGraph, "s1.b1.relu2")),
                    "add → relu fused");
        }
        Sgd plainSgd = new Sgd(plainGraph.trainableParams(), 0.9f, 5e-4f, false, TWO);
        Sgd fusedSgd = new Sgd(fusedGraph.trainableParams(), 0.9f, 5e-4f, false, TWO); // zeroGrad only
        SplittableRandom r = new SplittableRandom(8);
        int classes = plainGraph.classes();
        float[] x = new float[BATCH * plainGraph.inputShape().size()];
        int[] labels = new int[BATCH];
        for (int call = 0; call < 2; call++) {
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            for (int i = 0; i < BATCH; i++) labels[i] = r.nextInt(classes);
            String at = name + " " + kernels + (masked ? " masked" : "") + " batch " + call;
            float[] a = stepGradients(plain, plainSgd, x, labels, classes);
            float[] b = stepGradients(fused, fusedSgd, x, labels, classes);
            assertClose(at + " logits", a, b);
            List<Param> pa = plainGraph.trainableParams(), pb = fusedGraph.trainableParams();
            for (int p = 0; p < pa.size(); p++)
                assertClose(
                        at + " " + pa.get(p).name(), pa.get(p).grad(), pb.get(p).grad());
        }
    }

    /** Zeroes the gradients, runs one training forward and backward; returns a copy of the logits. */
    private static float[] stepGradients(Executor e, Sgd sgd, float[] x, int[] labels, int classes) {
        sgd.zeroGrad();
        float[] logits = e.forward(x, BATCH, true).clone();
        float[] losses = new float[BATCH], dLogits = new float[BATCH * classes];
        SoftmaxCrossEntropyScalar.forwardBackward(classes, logits, labels, losses, dLogits, BATCH, 0, BATCH);
        e.backward(dLogits);
        return logits;
    }

    private static void assertClose(String what, float[] want, float[] got) {
        double scale = 0;
        for (float v : want) scale = Math.max(scale, Math.abs(v));
        assertTrue(scale > 0, what + ": all zero, the comparison would prove nothing");
        for (int i = 0; i < want.length; i++) {
            double tol = 1e-5 * scale;
            assertTrue(
                    Math.abs(want[i] - got[i]) <= tol,
                    what + "[" + i + "]: node by node " + want[i] + ", fused " + got[i]);
        }
    }

    private static int index(Graph g, String node) {
        for (int i = 0; i < g.nodes().size(); i++) if (g.nodes().get(i).name().equals(node)) return i;
        throw new IllegalArgumentException("no node " + node + " in " + g.name());
    }
}
