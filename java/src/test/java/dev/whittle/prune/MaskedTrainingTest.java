package dev.whittle.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.whittle.graph.Executor;
import dev.whittle.graph.Graph;
import dev.whittle.kernels.SoftmaxCrossEntropyScalar;
import dev.whittle.model.Models;
import dev.whittle.nn.Conv2d;
import dev.whittle.nn.Param;
import dev.whittle.runtime.Parallel;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A training step of a masked model (convolutions, batch norm, ReLU, max pooling and the classifier's columns
 * working on alive channels only) computes what the compact model computes: the same
 * training-mode logits, and the same gradient for the first convolution's alive filters, which every layer's
 * backward pass reaches. After the masks shrink, the same holds against the new compact model: planes that
 * died are cleared, not left holding their old values.
 */
class MaskedTrainingTest {
    private static final Parallel TWO = new Parallel(2);
    private static final int N = 6;

    private record Step(float[] logits, float[] conv1Grad) {}

    private static Step step(Graph g, float[] x, int[] labels, Executor e) {
        for (Param p : g.trainableParams()) p.zeroGrad();
        float[] logits = e.forward(x, N, true).clone();
        int classes = g.classes();
        float[] losses = new float[N], dLogits = new float[N * classes];
        SoftmaxCrossEntropyScalar.forwardBackward(classes, logits, labels, losses, dLogits, N, 0, N);
        e.backward(dLogits);
        Conv2d conv1 = (Conv2d) g.nodes().get(0).layer();
        return new Step(
                java.util.Arrays.copyOf(logits, N * classes),
                conv1.weight.grad().clone());
    }

    private static void assertSameStep(Graph masked, Executor me, Graph compact, ChannelMasks m, float[] x, int[] y) {
        Step a = step(masked, x, y, me), b = step(compact, x, y, new Executor(compact, N, true, TWO));
        for (int i = 0; i < a.logits().length; i++)
            assertEquals(b.logits()[i], a.logits()[i], 1e-4 * (1 + Math.abs(b.logits()[i])), "logit " + i);
        // conv1's output group: the compact conv1's filter f is the masked one's alive filter alive[f].
        ChannelGroup g1 = m.groups().stream()
                .filter(grp -> grp.producers().contains(0))
                .findFirst()
                .orElseThrow();
        int[] alive = m.aliveIndices(g1.id());
        int per = a.conv1Grad().length / g1.channels();
        for (int f = 0; f < alive.length; f++) {
            for (int j = 0; j < per; j++) {
                float want = b.conv1Grad()[f * per + j], got = a.conv1Grad()[alive[f] * per + j];
                assertEquals(want, got, 1e-4 * (1 + Math.abs(want)), "conv1 filter " + alive[f] + " grad " + j);
            }
        }
    }

    @Test
    void aMaskedTrainingStepEqualsTheCompactModelsAndStaysEqualWhenFiltersDie() {
        Graph g = Models.vggSmall(new int[] {8, 8, 16, 16, 16, 16}, 10);
        g.initialize(3);
        CompactorTest.randomiseNorms(g, 4);
        SplittableRandom r = new SplittableRandom(5);
        float[] x = new float[N * g.inputShape().size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        int[] labels = new int[N];
        for (int i = 0; i < N; i++) labels[i] = r.nextInt(10);

        ChannelMasks half = CompactorTest.randomMasks(g, 0.6, 7);
        Graph compact = Compactor.compact(g, half);
        MaskBinding.apply(g, half);
        Executor masked = new Executor(g, N, true, TWO);
        assertSameStep(g, masked, compact, half, x, labels);

        // Fewer alive channels in every group, on the same executor (buffers still hold the old planes).
        ChannelMasks fewer = new ChannelMasks(half.groups());
        for (ChannelGroup grp : half.groups()) {
            if (!grp.prunable()) continue;
            int[] alive = half.aliveIndices(grp.id());
            boolean[] keep = new boolean[grp.channels()];
            for (int i = 0; i < alive.length; i += 2) keep[alive[i]] = true;
            fewer.set(grp.id(), keep);
        }
        MaskBinding.clear(g);
        Graph compact2 = Compactor.compact(g, fewer);
        MaskBinding.apply(g, fewer);
        assertSameStep(g, masked, compact2, fewer, x, labels);
    }
}
