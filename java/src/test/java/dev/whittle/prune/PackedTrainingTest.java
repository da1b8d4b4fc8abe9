package dev.whittle.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.graph.Executor;
import dev.whittle.graph.Graph;
import dev.whittle.kernels.KernelSet;
import dev.whittle.kernels.SoftmaxCrossEntropyScalar;
import dev.whittle.kernels.vector.VectorKernels;
import dev.whittle.model.Models;
import dev.whittle.nn.Param;
import dev.whittle.nn.Shape;
import dev.whittle.runtime.Parallel;
import dev.whittle.train.Sgd;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Training executors store a masked model's packable channel groups packed (nn/Packed: alive planes only) and
 * scatter the gathered parameters' gradients and running statistics back. One SGD step of the masked model,
 * compacted afterwards, must equal the same step of the compact model in every parameter and buffer: conv weights
 * and biases, batch-norm scale, shift and running statistics, linear columns. That checks every gradient the packed
 * paths write back, not only the logits. Random masks over all groups, so packed and unpacked groups meet
 * (VGG-small's last conv group feeds a flatten, ResNet-20's residual groups an add), two threads.
 */
class PackedTrainingTest {
    private static final Parallel TWO = new Parallel(2);
    private static final int N = 6;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"lenet5, vector", "vgg_small, vector", "vgg_small, scalar", "resnet20, vector"})
    void oneSgdStepOfTheMaskedModelIsTheCompactModelsStep(String name, String kernels) {
        Graph g = model(name);
        g.initialize(5);
        PruneFixtures.randomiseNorms(g, 6);
        ChannelMasks masks = PruneFixtures.randomMasks(g, 0.6, 7);
        Graph compact = Compactor.compact(g, masks);
        MaskBinding.apply(g, masks);
        SplittableRandom r = new SplittableRandom(8);
        float[] x = new float[N * g.inputShape().size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        int[] labels = new int[N];
        for (int i = 0; i < N; i++) labels[i] = r.nextInt(g.classes());
        step(g, kernels, x, labels);
        step(compact, kernels, x, labels);

        List<Param> want = all(compact), got = all(Compactor.compact(g, masks));
        assertEquals(want.size(), got.size(), "parameter count");
        int compared = 0;
        for (int p = 0; p < want.size(); p++) {
            float[] a = want.get(p).value(), b = got.get(p).value();
            assertEquals(a.length, b.length, name + " " + want.get(p).name() + " size");
            for (int i = 0; i < a.length; i++) {
                assertEquals(
                        a[i],
                        b[i],
                        1e-4 * (1 + Math.abs(a[i])),
                        name + " param " + p + " " + want.get(p).name() + "[" + i + "]");
                compared++;
            }
        }
        assertTrue(compared > 1000, "compared " + compared + " values");
    }

    private static Graph model(String name) {
        return switch (name) {
            case "lenet5" -> Models.byName("lenet5");
            case "vgg_small" -> Models.vggSmall(new int[] {8, 8, 16, 16, 16, 16}, 10);
            default -> Models.resnet20(new int[] {8, 8, 16}, null, new Shape(1, 28, 28), 10);
        };
    }

    /** One forward, backward and SGD step (momentum, weight decay) of the graph on x. */
    private static void step(Graph g, String kernels, float[] x, int[] labels) {
        KernelSet k = kernels.equals("vector") ? VectorKernels.create() : KernelSet.scalar();
        Executor e = new Executor(g, N, true, TWO, k);
        Sgd sgd = new Sgd(g.trainableParams(), 0.9f, 5e-4f, false, TWO);
        for (Param p : g.trainableParams()) p.zeroGrad();
        float[] logits = e.forward(x, N, true);
        int classes = g.classes();
        float[] losses = new float[N], dLogits = new float[N * classes];
        SoftmaxCrossEntropyScalar.forwardBackward(classes, logits, labels, losses, dLogits, N, 0, N);
        e.backward(dLogits);
        sgd.step(0.1f);
    }

    /** Every node's parameters and buffers, in graph order. */
    private static List<Param> all(Graph g) {
        List<Param> ps = new ArrayList<>();
        for (var n : g.nodes()) ps.addAll(n.layer().params());
        return ps;
    }
}
