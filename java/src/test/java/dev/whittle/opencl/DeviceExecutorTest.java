package dev.whittle.opencl;

import static dev.whittle.opencl.DeviceTestSupport.assertClose;
import static dev.whittle.opencl.DeviceTestSupport.session;

import dev.whittle.graph.Executor;
import dev.whittle.graph.Graph;
import dev.whittle.kernels.KernelSet;
import dev.whittle.model.Models;
import dev.whittle.nn.BatchNorm2d;
import dev.whittle.nn.Shape;
import dev.whittle.prune.ChannelGroup;
import dev.whittle.prune.ChannelGroups;
import dev.whittle.prune.ChannelMasks;
import dev.whittle.prune.MaskBinding;
import dev.whittle.runtime.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The device executor computes what the CPU executor (scalar kernels) computes on the reference model families,
 * dense and with masked layers: training-mode logits, every parameter gradient and the BN running statistics
 * after one forward/backward, and inference-mode logits. rtol 1e-3: the device sums in tile and tree order.
 */
class DeviceExecutorTest {
    private static final double RTOL = 1e-3, ATOL = 1e-4;

    static Graph model(String name) {
        return switch (name) {
            case "lenet5" -> Models.lenet5(10);
            case "vgg_tiny" -> Models.vggSmall(new int[] {4, 4, 8, 8, 8, 8}, 10);
            case "resnet_tiny" -> Models.resnet20(new int[] {4, 8, 8}, null, new Shape(1, 12, 12), 10);
            case "avgpool_net" -> avgPoolNet();
            default -> throw new IllegalArgumentException(name);
        };
    }

    /**
     * The ops the reference models do not use: average pooling with padding and an odd window, ReLU and BN on a
     * feature vector, linear after linear; masked, the linear layers get alive row and column lists.
     */
    static Graph avgPoolNet() {
        var b = new dev.whittle.graph.GraphBuilder("avgpool_net", new Shape(2, 9, 9));
        int x = b.add("conv", new dev.whittle.nn.Conv2d(2, 5, 3, 1, 1, true), Graph.INPUT);
        x = b.add("pool", new dev.whittle.nn.AvgPool2d(3, 2, 1), x);
        x = b.add("flat", new dev.whittle.nn.Flatten(), x);
        x = b.add("fc1", new dev.whittle.nn.Linear(5 * 5 * 5, 12), x);
        // ReLU before BN: a BN right after fc1 would cancel the conv bias's (batch-constant) effect, leaving its
        // gradient as rounding noise that no relative tolerance can compare.
        x = b.add("relu", new dev.whittle.nn.Relu(), x);
        x = b.add("bn", new BatchNorm2d(12), x);
        b.add("fc2", new dev.whittle.nn.Linear(12, 10), x);
        return b.build();
    }

    /** Masks keeping about half of every prunable group (at least one channel), bound as alive lists. */
    static void mask(Graph g, long seed) {
        List<ChannelGroup> groups = ChannelGroups.derive(g);
        ChannelMasks m = new ChannelMasks(groups);
        SplittableRandom r = new SplittableRandom(seed);
        for (ChannelGroup grp : groups) {
            if (!grp.prunable()) continue;
            boolean[] alive = new boolean[grp.channels()];
            for (int i = 0; i < alive.length; i++) alive[i] = r.nextDouble() < 0.5;
            alive[r.nextInt(alive.length)] = true;
            m.set(grp.id(), alive);
        }
        MaskBinding.apply(g, m);
    }

    static void randomiseNorms(Graph g, long seed) {
        dev.whittle.prune.PruneFixtures.randomiseNorms(g, seed);
    }

    static float[] gaussian(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    @ParameterizedTest(name = "{0} masked={1}")
    @CsvSource({
        "lenet5,false",
        "lenet5,true",
        "vgg_tiny,false",
        "vgg_tiny,true",
        "resnet_tiny,false",
        "resnet_tiny,true",
        "avgpool_net,false",
        "avgpool_net,true"
    })
    void forwardAndBackwardMatchTheCpuExecutor(String name, boolean masked) {
        OpenClSession s = session();
        Graph g = model(name);
        g.initialize(7);
        randomiseNorms(g, 8);
        if (masked) mask(g, 9);
        int n = 3, classes = g.classes();
        float[] x = gaussian(n * g.inputShape().size(), 10), dLogits = gaussian(n * classes, 11);

        try (DeviceParams params = new DeviceParams(s.context(), g);
                DeviceExecutor dev = new DeviceExecutor(s, g, params, 4, true)) {
            // CPU reference first (the device holds its own copy of the starting parameters).
            Executor cpu = new Executor(g, 4, true, new Parallel(1), KernelSet.scalar());
            g.trainableParams().forEach(p -> p.zeroGrad());
            float[] cpuLogits = Arrays.copyOf(cpu.forward(x, n, true), n * classes);
            cpu.backward(dLogits);
            List<float[]> cpuValues = new ArrayList<>(), cpuGrads = new ArrayList<>();
            for (Graph.NamedParam p : g.namedParams()) {
                cpuValues.add(p.param().value().clone());
                cpuGrads.add(p.param().grad() == null ? null : p.param().grad().clone());
            }
            float[] cpuEval = Arrays.copyOf(cpu.forward(x, n, false), n * classes);

            params.zeroGrads();
            String tag = name + (masked ? " masked" : "");
            assertClose(tag + " training logits", cpuLogits, dev.forward(x, n, true), RTOL, ATOL);
            dev.backward(dLogits);
            params.download(true);
            List<Graph.NamedParam> named = g.namedParams();
            for (int i = 0; i < named.size(); i++) {
                var p = named.get(i);
                assertClose(
                        tag + " " + p.name() + " (value/running stat)",
                        cpuValues.get(i),
                        p.param().value(),
                        RTOL,
                        ATOL);
                if (cpuGrads.get(i) != null)
                    assertClose(
                            tag + " d" + p.name(), cpuGrads.get(i), p.param().grad(), RTOL, ATOL);
            }
            assertClose(tag + " inference logits", cpuEval, dev.forward(x, n, false), RTOL, ATOL);
        }
    }

    @org.junit.jupiter.api.Test
    void deviceInferenceEvaluatesLikeTheCpu() {
        OpenClSession s = session();
        Graph g = model("vgg_tiny");
        g.initialize(3);
        randomiseNorms(g, 4);
        mask(g, 5);
        var data = dev.whittle.data.Synthetic.make(40, 10, 1, 28, 28, 5, 6);
        var cpu = dev.whittle.train.Evaluator.evaluate(new Executor(g, 16, false, new Parallel(1)), data);
        try (DeviceInference inf = new DeviceInference(s, g, 16)) {
            var onDevice = dev.whittle.train.Evaluator.evaluate(inf, inf.capacity(), g.classes(), data);
            org.junit.jupiter.api.Assertions.assertEquals(cpu.samples(), onDevice.samples());
            org.junit.jupiter.api.Assertions.assertEquals(
                    cpu.accuracy(), onDevice.accuracy(), 1.0 / 40 + 1e-9, "at most one tie flips");
            org.junit.jupiter.api.Assertions.assertEquals(cpu.loss(), onDevice.loss(), 1e-3 * Math.abs(cpu.loss()));
        }
    }
}
