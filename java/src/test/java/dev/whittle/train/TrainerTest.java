package dev.whittle.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.data.Dataset;
import dev.whittle.data.Synthetic;
import dev.whittle.graph.Graph;
import dev.whittle.model.Models;
import dev.whittle.nn.Param;
import dev.whittle.nn.Shape;
import dev.whittle.runtime.Parallel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Training learns, is reproducible for a seed whatever the thread count, and stops clearly on divergence. */
class TrainerTest {
    private static final Trainer.Listener QUIET = new Trainer.Listener() {};

    private static Dataset data(int n, long sampleSeed) {
        return Synthetic.make(n, 10, 1, 28, 28, 5, sampleSeed);
    }

    private static TrainConfig config(int epochs, float lr) {
        return new TrainConfig(epochs, 32, lr, "cosine", 0.9f, 5e-4f, false, 3);
    }

    private static float[] allParams(Graph g) {
        int n = 0;
        for (Graph.NamedParam p : g.namedParams()) n += p.param().size();
        float[] out = new float[n];
        int o = 0;
        for (Graph.NamedParam p : g.namedParams()) {
            System.arraycopy(p.param().value(), 0, out, o, p.param().size());
            o += p.param().size();
        }
        return out;
    }

    @Test
    void lenet5LearnsASyntheticTaskWellAboveChance() {
        Graph g = Models.lenet5(10);
        g.initialize(1);
        List<EpochMetrics> h = new Trainer(g, config(3, 0.02f), new Parallel(2)).fit(data(640, 1), data(320, 2), QUIET);
        assertEquals(3, h.size());
        assertTrue(h.getLast().trainLoss() < h.getFirst().trainLoss(), "loss falls: " + h);
        assertTrue(
                h.getLast().testAccuracy() > 0.8, "test accuracy " + h.getLast().testAccuracy());
    }

    @Test
    void smallResnet20ReducesItsLossOnASyntheticTask() {
        Graph g = Models.resnet20(new int[] {4, 8, 8}, null, new Shape(1, 28, 28), 10);
        g.initialize(1);
        // Few steps: BN running statistics are not settled yet, so only the training loss is meaningful here.
        List<EpochMetrics> h = new Trainer(g, config(3, 0.05f), new Parallel(2)).fit(data(128, 1), null, QUIET);
        assertTrue(
                h.getLast().trainLoss() < 0.95 * h.getFirst().trainLoss()
                        && h.getLast().trainAccuracy() > 0.2,
                "history " + h);
    }

    @Test
    void sameSeedGivesBitwiseIdenticalWeightsWithOneOrTwoThreads() {
        Graph a = Models.vggSmall(new int[] {4, 4, 8, 8, 8, 8}, 10);
        Graph b = Models.vggSmall(new int[] {4, 4, 8, 8, 8, 8}, 10);
        a.initialize(9);
        b.initialize(9);
        Dataset d = data(96, 4);
        new Trainer(a, config(1, 0.05f), new Parallel(1)).fit(d, null, QUIET);
        new Trainer(b, config(1, 0.05f), new Parallel(2)).fit(d, null, QUIET);
        assertArrayEquals(allParams(a), allParams(b));
    }

    @Test
    void divergingLossStopsWithAMessageNamingEpochBatchAndLearningRate() {
        Graph g = Models.lenet5(10);
        g.initialize(1);
        var e = assertThrows(TrainingDivergedException.class, () -> new Trainer(g, config(2, 1e6f), new Parallel(1))
                .fit(data(320, 1), null, QUIET));
        assertTrue(
                e.getMessage().contains("epoch 1")
                        && e.getMessage().contains("lr")
                        && e.getMessage().contains("--lr"),
                e.getMessage());
    }

    @Test
    void dataOfTheWrongShapeIsRejectedBeforeTraining() {
        Graph g = Models.lenet5(10);
        Dataset wrong = Synthetic.make(32, 10, 3, 32, 32, 1);
        var e = assertThrows(IllegalArgumentException.class, () -> new Trainer(g, config(1, 0.05f), new Parallel(1))
                .fit(wrong, null, QUIET));
        assertTrue(e.getMessage().contains("3x32x32") && e.getMessage().contains("1x28x28"), e.getMessage());
    }

    @Test
    void schedulesFollowTheirFormulas() {
        assertEquals(0.05f, new LrSchedule.Cosine(0.05f).at(0, 100), 1e-7);
        assertEquals(0.025f, new LrSchedule.Cosine(0.05f).at(50, 100), 1e-7);
        assertEquals(0f, new LrSchedule.Cosine(0.05f).at(100, 100), 1e-7);
        LrSchedule step = LrSchedule.parse("step:2:0.1", 1f, 10);
        assertEquals(1f, step.at(19, 100), 1e-7);
        assertEquals(0.1f, step.at(20, 100), 1e-7);
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.parse("linear", 1f, 10));
    }

    @Test
    void batchNormRunningStatisticsMoveDuringTraining() {
        Graph g = Models.vggSmall(new int[] {4, 4, 8, 8, 8, 8}, 10);
        g.initialize(2);
        new Trainer(g, config(1, 0.05f), new Parallel(1)).fit(data(64, 3), null, QUIET);
        Param runVar = g.namedParams().stream()
                .filter(p -> p.name().equals("bn1.running_var"))
                .findFirst()
                .orElseThrow()
                .param();
        assertTrue(runVar.value()[0] != 1f, "running variance updated");
    }

    @Test
    void anOutOfRangeLabelStopsTrainingWithAnErrorNamingTheLabel() {
        Graph g = Models.lenet5(10);
        g.initialize(1);
        Dataset bad = data(64, 4);
        // Dataset checks labels when it is built, but its arrays are shared; a label changed afterwards reaches
        // the trainer, whose per-batch check must name it (an OpenCL kernel could only turn it into NaN).
        bad.labels()[37] = 12;
        var e = assertThrows(IllegalArgumentException.class, () -> new Trainer(g, config(1, 0.05f), new Parallel(1))
                .fit(bad, null, QUIET));
        assertTrue(e.getMessage().contains("label expected 0..9 but found 12"), e.getMessage());
    }
}
