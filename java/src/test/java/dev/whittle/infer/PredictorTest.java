package dev.whittle.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.graph.Executor;
import dev.whittle.graph.Graph;
import dev.whittle.io.ModelFile;
import dev.whittle.io.ModelFileException;
import dev.whittle.io.SavedModel;
import dev.whittle.model.Models;
import dev.whittle.nn.BatchNorm2d;
import dev.whittle.prune.ChannelGroup;
import dev.whittle.prune.ChannelGroups;
import dev.whittle.prune.ChannelMasks;
import dev.whittle.prune.MaskZeroing;
import dev.whittle.runtime.Parallel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding API: one shared model, many calling threads, the same logits as a plain executor. */
class PredictorTest {
    @TempDir
    Path dir;

    private static float[][] images(Graph g, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] x = new float[n][g.inputShape().size()];
        for (float[] img : x) for (int i = 0; i < img.length; i++) img[i] = (float) r.nextGaussian();
        return x;
    }

    private static float[] reference(Graph g, float[] image) {
        try (Parallel one = new Parallel(1)) {
            return Arrays.copyOf(new Executor(g, 1, false, one).forward(image, 1, false), g.classes());
        }
    }

    /**
     * Within float rounding, not bit for bit: a lane reduction's order differs between the interpreter's Vector
     * API fallback and C2's intrinsic, so the same call can differ in the last bit before and after compilation. A
     * race between callers would show as wrong logits, far outside this.
     */
    private static void assertClose(float[] want, float[] got, String what) {
        double scale = 0;
        for (float v : want) scale = Math.max(scale, Math.abs(v));
        for (int c = 0; c < want.length; c++) assertEquals(want[c], got[c], 1e-5 * Math.max(1, scale), what);
    }

    @Test
    void manyThreadsAtOnceGetTheLogitsOfOneExecutorRunningAlone() throws Exception {
        Graph g = Models.byName("vgg_small");
        g.initialize(3);
        float[][] x = images(g, 24, 5);
        float[][] expected = new float[x.length][];
        for (int i = 0; i < x.length; i++) expected[i] = reference(g, x[i]);
        Predictor p = new Predictor(g);
        ExecutorService threads = Executors.newFixedThreadPool(6);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int offset = t;
                Callable<Integer> caller = () -> {
                    float[] logits = new float[p.classes()];
                    for (int k = 0; k < 3 * x.length; k++) {
                        int i = (k * 7 + offset) % x.length;
                        p.predict(x[i], logits);
                        assertClose(expected[i], logits, "image " + i + " on thread " + offset);
                    }
                    return offset;
                };
                done.add(threads.submit(caller));
            }
            for (Future<Integer> f : done) f.get(); // rethrows a mismatch from any thread
        } finally {
            threads.shutdown();
        }
        float[] scratch = new float[p.classes()];
        int cls = p.classify(x[0], scratch);
        for (int c = 0; c < p.classes(); c++) assertTrue(scratch[c] <= scratch[cls]);
    }

    @Test
    void aMaskedModelFileIsBoundAndPredictsWhatItsZeroedWeightsCompute() {
        Graph g = Models.byName("vgg_small");
        g.initialize(8);
        SplittableRandom r = new SplittableRandom(8);
        for (var n : g.nodes())
            if (n.layer() instanceof BatchNorm2d bn)
                for (int c = 0; c < bn.channels; c++) bn.runningVar.value()[c] = (float) (0.5 + r.nextDouble());
        List<ChannelGroup> groups = ChannelGroups.derive(g);
        ChannelMasks masks = new ChannelMasks(groups);
        for (ChannelGroup grp : groups) {
            if (!grp.prunable()) continue;
            boolean[] alive = new boolean[grp.channels()];
            for (int i = 0; i < alive.length; i++) alive[i] = i % 4 == 0;
            masks.set(grp.id(), alive);
        }
        MaskZeroing.apply(g, masks);
        Path file = dir.resolve("masked.whittle");
        ModelFile.save(new SavedModel(g, masks.named(), "{}"), file);
        Predictor p = Predictor.load(file);
        var conv2 = (dev.whittle.nn.Conv2d) p.graph().nodes().stream()
                .filter(n -> n.name().equals("conv2"))
                .findFirst()
                .orElseThrow()
                .layer();
        assertEquals(8, conv2.aliveFilters().length, "the masks are bound: the kernels skip 3 of 4 filters");
        float[] logits = new float[p.classes()];
        for (float[] img : images(g, 4, 9)) {
            float[] want = reference(g, img); // the unbound graph computes every filter, dead ones give zeros
            p.predict(img, logits);
            assertClose(want, logits, "masked");
        }
    }

    @Test
    void wrongSizesAndABadFileAreRefusedWithWhatWasExpected() throws Exception {
        Graph g = Models.byName("lenet5");
        g.initialize(1);
        Predictor p = new Predictor(g);
        var image = assertThrows(IllegalArgumentException.class, () -> p.predict(new float[10], new float[10]));
        assertTrue(image.getMessage().contains("784 floats but found 10"), image.getMessage());
        var out = assertThrows(IllegalArgumentException.class, () -> p.predict(new float[784], new float[3]));
        assertTrue(out.getMessage().contains("at least 10 floats but found 3"), out.getMessage());
        Path bad = dir.resolve("bad.whittle");
        Files.write(bad, new byte[] {1, 2, 3});
        var file = assertThrows(ModelFileException.class, () -> Predictor.load(bad));
        assertTrue(file.getMessage().contains(bad.toString()), file.getMessage());
    }
}
