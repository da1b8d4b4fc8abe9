package dev.whittle.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.kernels.ConvGeometry;
import dev.whittle.kernels.KernelSet;
import dev.whittle.kernels.vector.VectorKernels;
import dev.whittle.model.Models;
import dev.whittle.nn.BatchNorm2d;
import dev.whittle.nn.Conv2d;
import dev.whittle.nn.Shape;
import dev.whittle.runtime.Parallel;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Inference executors fuse conv → batchnorm2d (→ relu): logits match an unfused executor on the same kernel set,
 * later changes to batch-norm parameters are seen, and masks (matching or not) give the unfused result.
 *
 * <p>Tolerance: fused and unfused differ only in rounding of y·scale + shift (an FMA against a multiply and an
 * add) per layer, which grows through the layers but stays ~1e-6 relative; 1e-4·max|logit| + 1e-5 leaves room
 * while a skipped batch norm, ReLU or shift is off by O(1).
 */
class FusedInferenceTest {
    private static final Parallel TWO = new Parallel(2);

    static Graph model(String name) {
        Graph g =
                switch (name) {
                    case "vgg_small" -> Models.vggSmall(new int[] {4, 5, 8, 8, 16, 16}, 10);
                    case "lenet5" -> Models.lenet5(10);
                    default -> Models.resnet20(new int[] {4, 8, 16}, null, new Shape(1, 28, 28), 10);
                };
        g.initialize(5);
        // Non-trivial batch-norm statistics and affine parameters, so a missed fold would show.
        SplittableRandom r = new SplittableRandom(9);
        for (Node n : g.nodes()) {
            if (n.layer() instanceof BatchNorm2d bn) randomizeBn(bn, r);
        }
        return g;
    }

    static void randomizeBn(BatchNorm2d bn, SplittableRandom r) {
        for (int c = 0; c < bn.channels; c++) {
            bn.gamma.value()[c] = (float) (0.5 + r.nextDouble());
            bn.beta.value()[c] = (float) r.nextGaussian() * 0.3f;
            bn.runningMean.value()[c] = (float) r.nextGaussian() * 0.3f;
            bn.runningVar.value()[c] = (float) (0.5 + r.nextDouble());
        }
    }

    static float[] input(Graph g, int n) {
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[n * g.inputShape().size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    static void assertLogitsClose(String what, float[] expected, float[] actual, int count) {
        double max = 0;
        for (int i = 0; i < count; i++) max = Math.max(max, Math.abs(expected[i]));
        double tol = 1e-4 * max + 1e-5;
        for (int i = 0; i < count; i++) {
            assertTrue(
                    Math.abs(expected[i] - actual[i]) <= tol,
                    what + ": logit " + i + " expected " + expected[i] + " but was " + actual[i] + " (tol " + tol
                            + ")");
        }
    }

    static int index(Graph g, String name) {
        for (int i = 0; i < g.nodes().size(); i++) if (g.nodes().get(i).name().equals(name)) return i;
        throw new IllegalArgumentException("no node " + name);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vgg_small", "resnet20", "lenet5"})
    void fusedLogitsMatchUnfusedOnScalarAndVectorKernelsForBatchOneAndThree(String name) {
        Graph g = model(name);
        float[] x = input(g, 3);
        for (KernelSet k : new KernelSet[] {KernelSet.scalar(), VectorKernels.create()}) {
            Executor fused = new Executor(g, 3, false, TWO, k);
            Executor plain = new Executor(g, 3, false, TWO, k, false);
            for (int n : new int[] {1, 3}) {
                float[] want = plain.forward(x, n, false).clone();
                assertLogitsClose(name + " " + k.name() + " batch " + n, want, fused.forward(x, n, false), n * 10);
            }
        }
    }

    @Test
    void poolsAfterConvChainsAreWrittenByTheConvEpilogueAndMatchTheUnfusedPools() {
        // Widths of 24–32 channels put conv2 (28×28, one map to a Winograd row), conv4 (14×14, two maps to a row,
        // the second starting at an odd column) and conv6 (7×7, three maps to a row, from 11 images per call) on
        // Winograd's pooling output transform; batch 24 on two threads gives each thread 12 images.
        Graph g = Models.vggSmall(new int[] {32, 32, 24, 24, 24, 24}, 10);
        g.initialize(7);
        SplittableRandom r = new SplittableRandom(11);
        for (Node n : g.nodes()) if (n.layer() instanceof BatchNorm2d bn) randomizeBn(bn, r);
        float[] x = input(g, 24);
        int pool1 = index(g, "pool1"), pool3 = index(g, "pool3");
        try (Parallel one = new Parallel(1)) {
            for (KernelSet k : new KernelSet[] {KernelSet.scalar(), VectorKernels.create()}) {
                for (Parallel p : new Parallel[] {one, TWO}) {
                    Executor plain = new Executor(g, 24, false, p, k, false, false);
                    Executor fused = new Executor(g, 24, false, p, k, true, false);
                    float[] want = plain.forward(x, 24, false).clone();
                    float[] got = fused.forward(x, 24, false);
                    String what = k.name() + " on " + p.threads() + " thread(s)";
                    // Unfused, the batch norm is a pass of its own (not the folded affine map): equal within rounding.
                    assertLogitsClose(what + ": pool1", plain.output(pool1), fused.output(pool1), 24 * 32 * 14 * 14);
                    assertLogitsClose(what + ": pool3", plain.output(pool3), fused.output(pool3), 24 * 24 * 3 * 3);
                    assertLogitsClose(what + ": logits", want, got, 24 * 10);
                }
            }
        }
    }

    @Test
    void batchOneOnTwoThreadsSplitsConvsByFiltersAndLinearsByOutputsAndMatchesOneThreadExactly() {
        // Widths of 16–40 filters: two to five 8-filter blocks, split unevenly (24 = 3 blocks) between the threads;
        // fc1 (360 → 256) is large enough to split its outputs.
        Graph g = Models.vggSmall(new int[] {16, 16, 24, 24, 40, 40}, 10);
        g.initialize(6);
        SplittableRandom r = new SplittableRandom(10);
        for (Node n : g.nodes()) if (n.layer() instanceof BatchNorm2d bn) randomizeBn(bn, r);
        float[] x = input(g, 1);
        try (Parallel one = new Parallel(1)) {
            for (KernelSet k : new KernelSet[] {KernelSet.scalar(), VectorKernels.create()}) {
                for (boolean fuse : new boolean[] {true, false}) {
                    float[] want = new Executor(g, 1, false, one, k, fuse)
                            .forward(x, 1, false)
                            .clone();
                    float[] got = new Executor(g, 1, false, TWO, k, fuse).forward(x, 1, false);
                    for (int i = 0; i < 10; i++) {
                        assertEquals(want[i], got[i], k.name() + " fused=" + fuse + " logit " + i);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vgg_small", "resnet20"})
    void batchOneOnTwoThreadsSplitsWinogradConvsByRowsAndMatchesOneThreadExactly(String name) {
        // 24 channels at 28×28: batch-1 layers Winograd takes, so the two threads split them by output rows, with the
        // pool (VGG-small's conv2) or the residual add (ResNet-20's first stage) in the kernel's epilogue.
        Graph g = name.equals("vgg_small")
                ? Models.vggSmall(new int[] {24, 24, 24, 24, 40, 40}, 10)
                : Models.resnet20(new int[] {24, 24, 32}, null, new Shape(1, 28, 28), 10);
        g.initialize(8);
        SplittableRandom r = new SplittableRandom(12);
        for (Node n : g.nodes()) if (n.layer() instanceof BatchNorm2d bn) randomizeBn(bn, r);
        float[] x = input(g, 1);
        KernelSet k = VectorKernels.create();
        assertTrue(k.conv().splitsRows(ConvGeometry.square(1, 24, 28, 28, 24, 3, 1, 1), 1));
        try (Parallel one = new Parallel(1)) {
            float[] want =
                    new Executor(g, 1, false, one, k, true).forward(x, 1, false).clone();
            float[] got = new Executor(g, 1, false, TWO, k, true).forward(x, 1, false);
            for (int i = 0; i < 10; i++) assertEquals(want[i], got[i], name + " logit " + i);
        }
    }

    @Test
    void aConvReluPoolChainWithoutBatchNormFusesAndMatchesTheUnfusedLayersBitForBitUpToThePools() {
        // LeNet-5: conv → relu → 2×2 pool, no batch norm. The identity affine map and the ReLU in the conv's epilogue,
        // the pool written by it: the same arithmetic as the three layers, so the same bits, on one and two threads
        // (two threads at batch 1 split the convs by filters).
        Graph g = model("lenet5");
        float[] x = input(g, 5);
        int conv1 = index(g, "conv1"), relu1 = index(g, "relu1"), pool1 = index(g, "pool1"), pool2 = index(g, "pool2");
        try (Parallel one = new Parallel(1)) {
            for (KernelSet k : new KernelSet[] {KernelSet.scalar(), VectorKernels.create()}) {
                for (Parallel p : new Parallel[] {one, TWO}) {
                    Executor plain = new Executor(g, 5, false, p, k, false, false);
                    Executor fused = new Executor(g, 5, false, p, k, true, false);
                    assertSame(fused.output(conv1), fused.output(relu1), "the ReLU shares the conv's buffer");
                    for (int n : new int[] {1, 5}) {
                        float[] want = plain.forward(x, n, false).clone();
                        float[] got = fused.forward(x, n, false);
                        String what = k.name() + " on " + p.threads() + " thread(s), batch " + n;
                        assertArrayEquals(plain.output(pool1), fused.output(pool1), what + ": pool1");
                        assertArrayEquals(plain.output(pool2), fused.output(pool2), what + ": pool2");
                        // The linear layers after the chains sum lanes in whatever order the JIT state of the moment
                        // gives (Vector API reductions are unordered), so two executors' logits agree within rounding.
                        assertLogitsClose(what + ": logits", want, got, n * 10);
                    }
                }
            }
        }
    }

    @Test
    void aMaskedConvReluChainWithoutBatchNormMatchesTheUnfusedLayersBitForBitUpToThePools() {
        // Half of LeNet-5's conv filters dead: the fused chain writes the alive planes and zeroes the dead ones, the
        // pool runs as a node of its own, and its output is the unfused layers' to the bit (the logits, after the
        // linear layers' unordered lane sums, within rounding).
        Graph g = model("lenet5");
        var groups = dev.whittle.prune.ChannelGroups.derive(g);
        dev.whittle.prune.MaskBinding.apply(g, dev.whittle.prune.PruneTarget.evenlySpaced(g, groups, 0.5));
        float[] x = input(g, 3);
        for (KernelSet k : new KernelSet[] {KernelSet.scalar(), VectorKernels.create()}) {
            Executor plain = new Executor(g, 3, false, TWO, k, false, false);
            Executor fused = new Executor(g, 3, false, TWO, k, true, false);
            for (int n : new int[] {1, 3}) {
                float[] want = plain.forward(x, n, false).clone();
                float[] got = fused.forward(x, n, false);
                for (String pool : new String[] {"pool1", "pool2"}) {
                    int i = index(g, pool);
                    assertArrayEquals(plain.output(i), fused.output(i), k.name() + " batch " + n + ": " + pool);
                }
                assertLogitsClose(k.name() + " batch " + n + ": logits", want, got, n * 10);
            }
        }
    }

    @Test
    void chainsShareOneBufferOnlyWhereEachTensorHasOneReader() {
        Graph g = model("resnet20");
        Executor e = new Executor(g, 2, false, TWO);
        int conv = index(g, "s1.b1.conv1"), bn = index(g, "s1.b1.bn1"), relu = index(g, "s1.b1.relu1");
        assertSame(e.output(conv), e.output(bn));
        assertSame(e.output(conv), e.output(relu));
        // bn2 feeds a residual add whose shortcut (the block input) exists before conv2 runs: the add and the ReLU
        // after it join the chain, the shortcut is added in conv2's epilogue.
        int conv2 = index(g, "s1.b1.conv2"), bn2 = index(g, "s1.b1.bn2"), add = index(g, "s1.b1.add");
        assertSame(e.output(conv2), e.output(bn2));
        assertSame(e.output(bn2), e.output(add));
        assertSame(e.output(add), e.output(index(g, "s1.b1.relu2")));
        // A downsampling block computes its shortcut (down.conv, down.bn) after conv2: conv2 and bn2 fuse, the add
        // keeps its own buffer and shares it with its ReLU.
        int conv2s2 = index(g, "s2.b1.conv2"), bn2s2 = index(g, "s2.b1.bn2"), adds2 = index(g, "s2.b1.add");
        assertSame(e.output(conv2s2), e.output(bn2s2));
        assertNotSame(e.output(bn2s2), e.output(adds2));
        assertSame(
                e.output(adds2), e.output(index(g, "s2.b1.relu2")), "the ReLU after a residual add shares its buffer");
        Executor training = new Executor(g, 2, true, TWO);
        assertNotSame(training.output(conv), training.output(bn), "training executors never fuse a conv chain");
    }

    @Test
    void batchNormChangesAfterConstructionAreSeenByTheFusedExecutor() {
        Graph g = model("vgg_small");
        float[] x = input(g, 2);
        Executor fused = new Executor(g, 2, false, TWO),
                plain = new Executor(g, 2, false, TWO, VectorKernels.create(), false);
        fused.forward(x, 2, false);
        SplittableRandom r = new SplittableRandom(77);
        for (Node n : g.nodes()) if (n.layer() instanceof BatchNorm2d bn) randomizeBn(bn, r);
        float[] want = plain.forward(x, 2, false).clone();
        assertLogitsClose("after batch-norm update", want, fused.forward(x, 2, false), 20);
    }

    @Test
    void maskedChainsFuseWhenMasksMatchAndFallBackWhenTheyDiffer() {
        Graph g = model("vgg_small");
        float[] x = input(g, 3);
        Conv2d conv2 = (Conv2d) g.nodes().get(index(g, "conv2")).layer();
        BatchNorm2d bn2 = (BatchNorm2d) g.nodes().get(index(g, "bn2")).layer();
        Conv2d conv3 = (Conv2d) g.nodes().get(index(g, "conv3")).layer();
        int[] alive = {0, 2, 3};
        conv2.setAlive(alive, new int[] {1, 3});
        conv3.setAlive(null, alive);
        // fused keeps every node's output for the look at relu2; shared takes turns in arrays, as by default, and
        // must still see dead planes read zero though other layers wrote its arrays in between.
        Executor fused = new Executor(g, 3, false, TWO, VectorKernels.create(), true, false),
                shared = new Executor(g, 3, false, TWO),
                plain = new Executor(g, 3, false, TWO, VectorKernels.create(), false);
        for (int[] bnAlive : new int[][] {alive, {0, 2}, null}) {
            bn2.setAlive(bnAlive);
            float[] want = plain.forward(x, 3, false).clone();
            String what = "bn2 alive " + java.util.Arrays.toString(bnAlive);
            assertLogitsClose(what, want, fused.forward(x, 3, false), 30);
            assertLogitsClose(what + ", shared arrays", want, shared.forward(x, 3, false), 30);
            if (bnAlive == null) continue; // an unmasked batch norm gives a dead filter its shift, fused or not
            float[] act = fused.output(index(g, "relu2"));
            int pq = 28 * 28;
            for (int n = 0; n < 3; n++) {
                for (int i = 0; i < pq; i++)
                    assertEquals(0f, act[(n * 5 + 1) * pq + i], what + ": dead filter 1 is zero");
            }
        }
    }
}
