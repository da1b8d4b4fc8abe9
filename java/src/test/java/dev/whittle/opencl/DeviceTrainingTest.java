package dev.whittle.opencl;

import static dev.whittle.opencl.DeviceTestSupport.assertClose;
import static dev.whittle.opencl.DeviceTestSupport.session;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.data.Dataset;
import dev.whittle.data.Synthetic;
import dev.whittle.graph.Graph;
import dev.whittle.model.Models;
import dev.whittle.nativebind.opencl.ClContext;
import dev.whittle.nn.Conv2d;
import dev.whittle.runtime.Parallel;
import dev.whittle.train.StepEngine;
import dev.whittle.train.TrainConfig;
import dev.whittle.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Training on the device: LeNet-5 follows the CPU's loss trajectory, pruning hooks see and change the device's
 * parameters, bad labels fail as on the CPU, and many steps leave no device buffer or program behind.
 */
class DeviceTrainingTest {
    // Small batches keep these quick on PoCL's CPU device, where a LeNet-5 conv step costs ~0.1 s per 8 images.
    private static final TrainConfig CFG = new TrainConfig(1, 8, 0.02f, "cosine", 0.9f, 5e-4f, false, 3);

    private static Dataset data(int n) {
        return Synthetic.make(n, 10, 1, 28, 28, 5, 1);
    }

    /** Per-step training losses of one epoch. */
    private static List<Double> losses(Graph g, StepEngine.Factory engines, Dataset train, Trainer.Hooks hooks) {
        List<Double> out = new ArrayList<>();
        new Trainer(g, CFG, engines)
                .fit(
                        train,
                        null,
                        new Trainer.Listener() {
                            @Override
                            public void batchDone(int epoch, int batch, double loss, double imagesPerSecond) {
                                out.add(loss);
                            }
                        },
                        hooks);
        return out;
    }

    private static float[] flat(Graph g) {
        List<float[]> parts = new ArrayList<>();
        int n = 0;
        for (Graph.NamedParam p : g.namedParams()) {
            parts.add(p.param().value());
            n += p.param().size();
        }
        float[] out = new float[n];
        int o = 0;
        for (float[] a : parts) {
            System.arraycopy(a, 0, out, o, a.length);
            o += a.length;
        }
        return out;
    }

    @Test
    void lenet5FollowsTheCpuLossTrajectoryFor20Steps() {
        OpenClSession s = session();
        Graph cpu = Models.lenet5(10), dev = Models.lenet5(10);
        cpu.initialize(5);
        dev.initialize(5);
        Dataset train = data(20 * 8);
        List<Double> a = losses(
                cpu, (g, c) -> new dev.whittle.train.CpuStepEngine(g, c, new Parallel(1)), train, Trainer.Hooks.NONE);
        List<Double> b = losses(dev, DeviceStepEngine.factory(s), train, Trainer.Hooks.NONE);
        assertEquals(20, a.size());
        assertEquals(20, b.size());
        for (int i = 0; i < 20; i++) {
            // Float sums in another order drift apart slowly along a trajectory; 2 % after 20 steps is tight
            // enough to catch any wrong gradient (which moves the loss by far more) and loose enough for that.
            assertEquals(
                    a.get(i),
                    b.get(i),
                    0.02 * Math.abs(a.get(i)) + 1e-3,
                    "loss at step " + (i + 1) + ": " + a + " vs " + b);
        }
        assertTrue(b.getLast() < b.getFirst(), "device training lowers the loss: " + b);
        // The trainer copies the device's parameters back into the graph when the fit ends.
        assertClose("parameters after 20 steps", flat(cpu), flat(dev), 5e-2, 5e-3);
    }

    /** A regularizer-like hook: adds a penalty gradient after backward, kills filter 0 and masks it after step 4. */
    private static final class PenaltyHooks implements Trainer.Hooks {
        private final Conv2d conv;
        int calls;

        PenaltyHooks(Graph g) {
            conv = (Conv2d) g.nodes().getFirst().layer();
        }

        @Override
        public void afterBackward(long iteration) {
            calls++;
            float[] w = conv.weight.value(), gr = conv.weight.grad();
            for (int i = 0; i < w.length; i++) gr[i] += 0.5f * w[i];
        }

        @Override
        public void afterStep(long iteration) {
            int per = conv.weight.size() / conv.outChannels;
            java.util.Arrays.fill(conv.weight.value(), 0, per, 0f);
            if (conv.bias != null) conv.bias.value()[0] = 0f;
            if (iteration == 4) {
                int[] alive = new int[conv.outChannels - 1];
                for (int i = 0; i < alive.length; i++) alive[i] = i + 1;
                conv.setAlive(alive, null);
            }
        }
    }

    @Test
    void pruningHooksReadAndWriteTheDeviceParameters() {
        OpenClSession s = session();
        Graph cpu = Models.lenet5(10), dev = Models.lenet5(10);
        cpu.initialize(6);
        dev.initialize(6);
        Dataset train = data(10 * 8);
        PenaltyHooks hc = new PenaltyHooks(cpu), hd = new PenaltyHooks(dev);
        List<Double> a = losses(cpu, (g, c) -> new dev.whittle.train.CpuStepEngine(g, c, new Parallel(1)), train, hc);
        List<Double> b = losses(dev, DeviceStepEngine.factory(s), train, hd);
        assertEquals(10, hd.calls, "afterBackward ran every step");
        for (int i = 0; i < a.size(); i++)
            assertEquals(a.get(i), b.get(i), 0.02 * Math.abs(a.get(i)) + 1e-3, "loss at step " + (i + 1));
        Conv2d conv = (Conv2d) dev.nodes().getFirst().layer();
        int per = conv.weight.size() / conv.outChannels;
        for (int i = 0; i < per; i++) assertEquals(0f, conv.weight.value()[i], "filter 0 stays zero on the device");
        assertClose("parameters with hooks", flat(cpu), flat(dev), 5e-2, 5e-3);
    }

    @Test
    void anOutOfRangeLabelFailsWithTheSameErrorAsOnTheCpu() {
        OpenClSession s = session();
        Graph g = Models.lenet5(10);
        g.initialize(1);
        Dataset bad = data(64);
        bad.labels()[40] = -3;
        var e = assertThrows(IllegalArgumentException.class, () -> new Trainer(g, CFG, DeviceStepEngine.factory(s))
                .fit(bad, null, new Trainer.Listener() {}));
        assertTrue(e.getMessage().contains("label expected 0..9 but found -3"), e.getMessage());
    }

    @Test
    void sixtyStepsLeaveNoDeviceBufferOrProgramBehind() {
        session(); // skips without a device
        int buffers0 = ClContext.liveBuffers(),
                programs0 = ClContext.livePrograms(),
                contexts0 = ClContext.liveContexts();
        Optional<OpenClSession> opened = OpenClSession.tryOpen(r -> {});
        Assumptions.assumeTrue(opened.isPresent());
        try (OpenClSession s = opened.get()) {
            Graph g = Models.lenet5(10);
            g.initialize(2);
            // A first short fit lets the kernels' shared helper buffers (index lists) reach their final size.
            TrainConfig warm = new TrainConfig(1, 2, 0.02f, "cosine", 0.9f, 5e-4f, false, 3);
            new Trainer(g, warm, DeviceStepEngine.factory(s)).fit(data(4), data(4), new Trainer.Listener() {});
            int buffers1 = ClContext.liveBuffers(), programs1 = ClContext.livePrograms();
            TrainConfig cfg = new TrainConfig(3, 2, 0.02f, "cosine", 0.9f, 5e-4f, false, 3);
            int[] steps = {0};
            new Trainer(g, cfg, DeviceStepEngine.factory(s)).fit(data(20 * 2), data(4), new Trainer.Listener() {
                @Override
                public void batchDone(int epoch, int batch, double loss, double imagesPerSecond) {
                    steps[0]++;
                }
            });
            assertEquals(60, steps[0], "steps run");
            assertEquals(buffers1, ClContext.liveBuffers(), "an engine closes every buffer it made");
            assertEquals(programs1, ClContext.livePrograms(), "programs are built once per session, not per step");
        }
        assertEquals(buffers0, ClContext.liveBuffers(), "closing the session releases its buffers");
        assertEquals(programs0, ClContext.livePrograms(), "closing the session releases its programs");
        assertEquals(contexts0, ClContext.liveContexts(), "closing the session releases its context");
    }
}
