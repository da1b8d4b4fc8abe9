package dev.whittle.graph;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.kernels.KernelSet;
import dev.whittle.kernels.SoftmaxCrossEntropyScalar;
import dev.whittle.kernels.vector.VectorKernels;
import dev.whittle.nn.Param;
import dev.whittle.runtime.Parallel;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Gradient buffers that their only writer overwrites (NodeContext.dInFresh: batch norms and convs) are not zeroed
 * by the executor, so a writer that skipped any element would leak the previous batch's gradient into this one. An
 * executor that has already run a different, larger batch (inputs three times the scale) must give the parameter
 * gradients of a new executor, with and without channel masks (whose dead planes the writers must clear
 * themselves). Tolerance 1e-5 of the largest entry: the two can differ by a Vector API lane reduction that sums in
 * another order before the JIT compiles it than after, while a leaked gradient is of the order of the entries.
 */
class FreshGradientTest {
    private static final Parallel TWO = new Parallel(2);

    @ParameterizedTest(name = "{0} {1} masked={2}")
    @CsvSource({
        "vgg_small, vector, false",
        "resnet20, vector, false",
        "resnet20, scalar, true",
        "vgg_small, vector, true"
    })
    void aReusedExecutorGivesTheGradientsOfANewOne(String name, String kernels, boolean masked) {
        KernelSet k = kernels.equals("vector") ? VectorKernels.create() : KernelSet.scalar();
        Graph g = TrainingFusionTest.model(name, masked);
        Executor used = new Executor(g, 5, true, TWO, k), fresh = new Executor(g, 5, true, TWO, k);
        SplittableRandom r = new SplittableRandom(3);
        float[] earlier = new float[5 * g.inputShape().size()],
                x = new float[4 * g.inputShape().size()];
        for (int i = 0; i < earlier.length; i++) earlier[i] = (float) (3 * r.nextGaussian());
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        gradients(used, g, earlier, 5);
        float[][] want = gradients(fresh, g, x, 4), got = gradients(used, g, x, 4);
        List<Param> params = g.trainableParams();
        boolean nonZero = false;
        for (int p = 0; p < params.size(); p++) {
            double scale = 0;
            for (float v : want[p]) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < want[p].length; i++) {
                String what = name + " " + params.get(p).name() + "[" + i + "]";
                assertTrue(
                        Math.abs(want[p][i] - got[p][i]) <= 1e-5 * scale,
                        what + ": new " + want[p][i] + ", reused " + got[p][i]);
            }
            nonZero |= scale > 0;
        }
        assertTrue(nonZero, "the gradients must not all be zero");
    }

    /** One training forward and backward of n images from zeroed parameter gradients; returns copies of them. */
    static float[][] gradients(Executor e, Graph g, float[] x, int n) {
        List<Param> params = g.trainableParams();
        for (Param p : params) p.zeroGrad();
        int classes = g.classes();
        float[] logits = e.forward(x, n, true), losses = new float[n], dLogits = new float[n * classes];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = (3 * i + 1) % classes;
        SoftmaxCrossEntropyScalar.forwardBackward(classes, logits, labels, losses, dLogits, n, 0, n);
        e.backward(dLogits);
        float[][] out = new float[params.size()][];
        for (int p = 0; p < params.size(); p++) out[p] = params.get(p).grad().clone();
        return out;
    }
}
