package dev.whittle.graph;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.kernels.vector.VectorKernels;
import dev.whittle.nn.Param;
import dev.whittle.runtime.Parallel;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * On two threads a conv's backward lends some of its data-gradient images to the thread computing the weight
 * gradient, a share re-balanced from the timings of each call (or fixed by whittle.conv.lend). Which thread computes an image's gradient must not
 * change it: after several calls (so the share has moved), the two-thread executor's parameter gradients are the
 * one-thread executor's. Tolerance 1e-5 of the largest entry, for lane reductions that sum in another order before
 * the JIT compiles them than after; an image computed twice, or by neither thread, is off by O(1).
 */
class TwoThreadBackwardTest {
    @ParameterizedTest(name = "{0} lend={1}")
    @CsvSource({"resnet20, auto", "resnet20, 5", "vgg_small, 5", "resnet20, 0"})
    void aBalancedTwoThreadBackwardGivesTheOneThreadGradients(String name, String lend) {
        Graph g = TrainingFusionTest.model(name, false);
        int n = 12;
        Executor one = new Executor(g, n, true, new Parallel(1), VectorKernels.create());
        // The lent images are fixed (whittle.conv.lend, read when the executor binds its layers) so that lending
        // is exercised whatever this machine's timings; "auto" is the timed balance.
        String before = System.getProperty("whittle.conv.lend");
        Executor two;
        try {
            System.setProperty("whittle.conv.lend", lend);
            two = new Executor(g, n, true, new Parallel(2), VectorKernels.create());
        } finally {
            if (before == null) System.clearProperty("whittle.conv.lend");
            else System.setProperty("whittle.conv.lend", before);
        }
        SplittableRandom r = new SplittableRandom(4);
        float[] x = new float[n * g.inputShape().size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        for (int call = 0; call < 8; call++) FreshGradientTest.gradients(two, g, x, n);
        compare(name, g, FreshGradientTest.gradients(one, g, x, n), FreshGradientTest.gradients(two, g, x, n));
        // A smaller last batch, after the share settled on the larger one.
        compare(
                name + " batch 3",
                g,
                FreshGradientTest.gradients(one, g, x, 3),
                FreshGradientTest.gradients(two, g, x, 3));
    }

    private static void compare(String name, Graph g, float[][] want, float[][] got) {
        List<Param> params = g.trainableParams();
        for (int p = 0; p < params.size(); p++) {
            double scale = 0;
            for (float v : want[p]) scale = Math.max(scale, Math.abs(v));
            assertTrue(scale > 0, params.get(p).name() + " has no gradient");
            for (int i = 0; i < want[p].length; i++) {
                String what = name + " " + params.get(p).name() + "[" + i + "]";
                assertTrue(
                        Math.abs(want[p][i] - got[p][i]) <= 1e-5 * scale,
                        what + ": one thread " + want[p][i] + ", two " + got[p][i]);
            }
        }
    }
}
