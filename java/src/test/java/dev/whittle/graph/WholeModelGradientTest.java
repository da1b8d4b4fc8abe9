package dev.whittle.graph;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.kernels.PoolScalar;
import dev.whittle.kernels.SoftmaxCrossEntropyScalar;
import dev.whittle.model.Models;
import dev.whittle.nn.Add;
import dev.whittle.nn.BatchNorm2d;
import dev.whittle.nn.Conv2d;
import dev.whittle.nn.GlobalAvgPool;
import dev.whittle.nn.Linear;
import dev.whittle.nn.MaxPool2d;
import dev.whittle.nn.Param;
import dev.whittle.nn.Relu;
import dev.whittle.nn.Shape;
import dev.whittle.runtime.Parallel;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Backpropagation through whole graphs agrees with finite differences of the loss: this checks the executor's
 * wiring (fan-out accumulation into a residual input, aliasing, reverse order) on top of each kernel's own check.
 */
class WholeModelGradientTest {
    private static final Parallel ONE = new Parallel(1);

    /** conv → BN → ReLU → conv → BN, plus a conv1×1 → BN stride-2 shortcut, add, ReLU, GAP, linear. */
    static Graph tinyResidualBlock() {
        GraphBuilder b = new GraphBuilder("tiny_resblock", new Shape(3, 7, 7));
        int stem = b.add("stem", new Conv2d(3, 4, 3, 1, 1, false), Graph.INPUT);
        int x = b.add("stem.relu", new Relu(), stem);
        int y = b.add("conv1", new Conv2d(4, 5, 3, 2, 1, false), x);
        y = b.add("bn1", new BatchNorm2d(5), y);
        y = b.add("relu1", new Relu(), y);
        y = b.add("conv2", new Conv2d(5, 6, 3, 1, 1, false), y);
        y = b.add("bn2", new BatchNorm2d(6), y);
        int s = b.add("down.conv", new Conv2d(4, 6, 1, 2, 0, false), x);
        s = b.add("down.bn", new BatchNorm2d(6), s);
        int a = b.add("add", new Add(), y, s);
        a = b.add("relu2", new Relu(), a);
        // an identity-shortcut block too, so one tensor feeds both a conv and the add
        int z = b.add("conv3", new Conv2d(6, 6, 3, 1, 1, true), a);
        z = b.add("relu3", new Relu(), z);
        int a2 = b.add("add2", new Add(), z, a);
        int g = b.add("gap", new GlobalAvgPool(), a2);
        b.add("fc", new Linear(6, 3), g);
        return b.build();
    }

    /**
     * Which side of every kink the network is on: the sign pattern of each ReLU output and the winner of each
     * max-pool window. Finite differences are only valid when +h and −h land on the same pattern.
     */
    private static int kinkPattern(Executor e, int n) {
        int hash = 1;
        var nodes = e.graph().nodes();
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            float[] out = e.output(i);
            int size = n * node.outShape().size();
            if (node.layer() instanceof Relu) {
                for (int j = 0; j < size; j++) hash = 31 * hash + (out[j] > 0 ? 1 : 0);
            } else if (node.layer() instanceof MaxPool2d mp) {
                Shape in = node.inShapes()[0];
                int[] argmax = new int[size];
                PoolScalar.maxForward(
                        in.h(),
                        in.w(),
                        mp.kernel,
                        mp.stride,
                        mp.pad,
                        e.output(node.inputs()[0]),
                        new float[size],
                        argmax,
                        0,
                        n * in.c());
                hash = 31 * hash + java.util.Arrays.hashCode(argmax);
            }
        }
        return hash;
    }

    private static double loss(Executor e, float[] x, int[] labels, int n) {
        float[] logits = e.forward(x, n, true);
        int k = e.graph().classes();
        float[] l = new float[n];
        SoftmaxCrossEntropyScalar.forwardBackward(k, logits, labels, l, null, n, 0, n);
        double s = 0;
        for (float v : l) s += v;
        return s / n;
    }

    private static void assertGradientsMatchFiniteDifferences(Graph g, int n, long seed, float h) {
        g.initialize(seed);
        SplittableRandom rnd = new SplittableRandom(seed + 1);
        int inSize = g.inputShape().size();
        float[] x = new float[n * inSize];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = rnd.nextInt(g.classes());
        Executor e = new Executor(g, n, true, ONE);
        for (Param p : g.trainableParams()) p.zeroGrad();
        float[] logits = e.forward(x, n, true);
        float[] dLogits = new float[n * g.classes()];
        SoftmaxCrossEntropyScalar.forwardBackward(g.classes(), logits, labels, new float[n], dLogits, n, 0, n);
        e.backward(dLogits);

        int base = kinkPattern(e, n);
        int checked = 0, skipped = 0, worstAt = -1;
        double worst = 0;
        String worstName = "";
        for (Graph.NamedParam np : g.namedParams()) {
            Param p = np.param();
            if (!p.trainable()) continue;
            for (int t = 0; t < Math.min(12, p.size()); t++) {
                int i = rnd.nextInt(p.size());
                float orig = p.value()[i];
                p.value()[i] = orig + h;
                double up = loss(e, x, labels, n);
                boolean kinked = kinkPattern(e, n) != base;
                p.value()[i] = orig - h;
                double down = loss(e, x, labels, n);
                kinked |= kinkPattern(e, n) != base;
                p.value()[i] = orig;
                if (kinked) {
                    skipped++;
                    continue;
                }
                double numeric = (up - down) / (2 * h);
                double analytic = p.grad()[i];
                // float32 forward: the loss carries ~1e-6 rounding, so with h ≈ 1e-3 the numeric gradient is good to
                // ~2e-6/h absolute; the bound is relative with that absolute floor. BN couples every element of a
                // channel, so deeper BN nets need a smaller h to stay off kinks.
                double err = Math.abs(numeric - analytic) / Math.max(2e-6 / h, Math.abs(numeric) + Math.abs(analytic));
                if (err > worst) {
                    worst = err;
                    worstName = np.name();
                    worstAt = i;
                }
                checked++;
            }
        }
        assertTrue(checked > 50 && skipped < checked / 3, "checked " + checked + ", skipped at kinks " + skipped);
        assertTrue(worst < 3e-2, "worst relative error " + worst + " at " + worstName + "[" + worstAt + "]");
    }

    @Test
    void residualBlockGradientsMatchFiniteDifferences() {
        assertGradientsMatchFiniteDifferences(tinyResidualBlock(), 3, 7, 1e-3f);
    }

    @Test
    void lenet5GradientsMatchFiniteDifferences() {
        assertGradientsMatchFiniteDifferences(Models.lenet5(10), 2, 11, 1e-3f);
    }
}
