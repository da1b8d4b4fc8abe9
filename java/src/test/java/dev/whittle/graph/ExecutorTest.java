package dev.whittle.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.model.Models;
import dev.whittle.nn.Conv2d;
import dev.whittle.nn.Flatten;
import dev.whittle.nn.Linear;
import dev.whittle.nn.Relu;
import dev.whittle.nn.Shape;
import dev.whittle.runtime.Parallel;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The executor's contracts: batch bounds, per-image independence, inference-only mode, shape checks. */
class ExecutorTest {
    private static final Parallel TWO = new Parallel(2);

    private static float[] randomInput(int n, Shape s, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * s.size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    @Test
    void anImagesLogitsDoNotDependOnTheBatchItIsIn() {
        var g = Models.vggSmall(new int[] {4, 4, 8, 8, 8, 8}, 10);
        g.initialize(3);
        float[] x = randomInput(5, g.inputShape(), 1);
        Executor e = new Executor(g, 5, false, TWO);
        float[] all = Arrays.copyOf(e.forward(x, 5, false), 50);
        float[] first = Arrays.copyOf(e.forward(x, 1, false), 10);
        assertArrayEquals(Arrays.copyOf(all, 10), first);
    }

    @Test
    void batchOutsideCapacityOrShortInputIsRejectedWithSizes() {
        var g = Models.lenet5(10);
        Executor e = new Executor(g, 4, false, TWO);
        var big = assertThrows(IllegalArgumentException.class, () -> e.forward(new float[5 * 784], 5, false));
        assertTrue(big.getMessage().contains("1..4") && big.getMessage().contains("5"), big.getMessage());
        var shortInput = assertThrows(IllegalArgumentException.class, () -> e.forward(new float[100], 2, false));
        assertTrue(
                shortInput.getMessage().contains("1568")
                        && shortInput.getMessage().contains("100"),
                shortInput.getMessage());
    }

    @Test
    void profileIntoTimesEveryNodeOnlyWhileSetAndRejectsWrongLengths() {
        var g = Models.lenet5(10);
        g.initialize(1);
        int nodes = g.nodes().size();
        Executor e = new Executor(g, 2, true, TWO);
        float[] x = randomInput(2, g.inputShape(), 2);
        long[] fwd = new long[nodes], bwd = new long[nodes];
        e.profileInto(fwd, bwd);
        e.forward(x, 2, true);
        e.backward(new float[20]);
        e.profileInto(null, null);
        assertTrue(
                Arrays.stream(fwd).allMatch(t -> t >= 0) && Arrays.stream(fwd).sum() > 0, Arrays.toString(fwd));
        assertTrue(Arrays.stream(bwd).sum() > 0, Arrays.toString(bwd));
        long[] before = fwd.clone();
        e.forward(x, 2, false);
        assertArrayEquals(before, fwd, "no timing is added after profiling stops");
        var bad = assertThrows(IllegalArgumentException.class, () -> e.profileInto(new long[3], null));
        assertTrue(
                bad.getMessage().contains(String.valueOf(nodes))
                        && bad.getMessage().contains("3"),
                bad.getMessage());
    }

    @Test
    void inferenceExecutorRefusesTrainingPasses() {
        Executor e = new Executor(Models.lenet5(10), 2, false, TWO);
        assertThrows(IllegalStateException.class, () -> e.forward(new float[2 * 784], 2, true));
        assertThrows(IllegalStateException.class, () -> e.backward(new float[20]));
    }

    @Test
    void mismatchedLayerShapesAreRejectedWhenTheGraphIsBuiltNamingTheNode() {
        GraphBuilder b = new GraphBuilder("bad", new Shape(3, 8, 8));
        int x = b.add("conv", new Conv2d(3, 4, 3, 1, 1, false), Graph.INPUT);
        int f = b.add("flatten", new Flatten(), x);
        var e = assertThrows(IllegalArgumentException.class, () -> b.add("fc", new Linear(100, 10), f));
        assertTrue(
                e.getMessage().contains("fc")
                        && e.getMessage().contains("256")
                        && e.getMessage().contains("100"),
                e.getMessage());
        var wrongIn =
                assertThrows(IllegalArgumentException.class, () -> b.add("conv2", new Conv2d(5, 4, 3, 1, 1, false), x));
        assertTrue(wrongIn.getMessage().contains("5") && wrongIn.getMessage().contains("4"), wrongIn.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.add("relu", new Relu(), 7));
    }

    @Test
    void flattenOfTheGraphInputCopiesInsteadOfAliasing() {
        GraphBuilder b = new GraphBuilder("mlp", new Shape(2, 3, 3));
        int f = b.add("flatten", new Flatten(), Graph.INPUT);
        b.add("fc", new Linear(18, 4), f);
        Graph g = b.build();
        g.initialize(5);
        float[] x = randomInput(3, g.inputShape(), 2);
        float[] y = new Executor(g, 3, false, TWO).forward(x, 3, false);
        Linear fc = (Linear) g.nodes().get(1).layer();
        float expect = fc.bias.value()[1];
        for (int i = 0; i < 18; i++) expect += fc.weight.value()[18 + i] * x[18 * 2 + i];
        assertTrue(Math.abs(expect - y[2 * 4 + 1]) < 1e-5, expect + " vs " + y[9]);
    }
}
