package dev.whittle.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.kernels.KernelSet;
import dev.whittle.kernels.vector.VectorKernels;
import dev.whittle.prune.ChannelGroups;
import dev.whittle.prune.MaskBinding;
import dev.whittle.prune.PruneTarget;
import dev.whittle.runtime.Parallel;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BufferPlanTest {
    private static final Parallel ONE = new Parallel(1), TWO = new Parallel(2);

    @Test
    void ownersShareAnArrayOnlyWhenOneIsReadForTheLastTimeBeforeTheOtherIsWritten() {
        // A chain 0 → 1 → 2 → 3 plus a shortcut: owner 0 is read by 1 and by 3.
        int[] start = {0, 1, 2, 3}, end = {3, 2, 3, 4}, size = {10, 20, 5, 8};
        BufferPlan plan = new BufferPlan(start, end, size, new int[4]);
        assertNotEquals(plan.physical[0], plan.physical[1], "0 is still read when 1 is written");
        assertEquals(plan.physical[1], plan.physical[3], "1's last reader (2) runs before 3 is written");
        assertNotEquals(plan.physical[2], plan.physical[1], "2 is written while 1 is read");
        assertEquals(3, plan.sizes.length);
        assertEquals(20, plan.sizes[plan.physical[1]], "an array is as big as its biggest owner");
        assertEquals(2, plan.owners[plan.physical[1]]);
    }

    @Test
    void ownersOfDifferentKindsNeverShare() {
        int[] start = {0, 1, 2, 3}, end = {1, 2, 3, 4}, size = {8, 8, 8, 8};
        BufferPlan plan = new BufferPlan(start, end, size, new int[] {1, 2, 1, 2});
        assertEquals(plan.physical[0], plan.physical[2]);
        assertEquals(plan.physical[1], plan.physical[3]);
        assertNotEquals(plan.physical[0], plan.physical[1]);
    }

    @Test
    void nodesThatOwnNoBufferGetNoArray() {
        BufferPlan plan = new BufferPlan(new int[] {0, -1, 2}, new int[] {2, 0, 3}, new int[] {4, 4, 4}, new int[3]);
        assertEquals(-1, plan.physical[1]);
        assertEquals(2, plan.sizes.length, "0's last reader is 2, the node that writes 2: they cannot share");
    }

    /**
     * Sharing arrays changes where activations live, not what is computed: the logits are those of an executor that
     * keeps every node's output, for dense and half-masked models, batch 1 and 3, one forward after another (stale
     * values in a shared array must not leak into the next call). Bit for bit on the scalar kernels; within rounding
     * on the vector ones, whose lane sums round differently before and after the JIT compiles them.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vgg_small", "resnet20", "lenet5"})
    void sharedArraysGiveTheLogitsOfOneArrayPerNodeBitForBit(String name) {
        for (boolean masked : new boolean[] {false, true}) {
            Graph g = FusedInferenceTest.model(name);
            if (masked) MaskBinding.apply(g, PruneTarget.evenlySpaced(g, ChannelGroups.derive(g), 0.5));
            float[] x = FusedInferenceTest.input(g, 3);
            for (KernelSet k : new KernelSet[] {KernelSet.scalar(), VectorKernels.create()}) {
                for (Parallel p : new Parallel[] {ONE, TWO}) {
                    Executor shared = new Executor(g, 3, false, p, k, true, true);
                    Executor own = new Executor(g, 3, false, p, k, true, false);
                    for (int n : new int[] {3, 1, 3}) {
                        String what = name + (masked ? " masked " : " ") + k.name() + " threads " + p.threads()
                                + " batch " + n;
                        float[] want = own.forward(x, n, false), got = shared.forward(x, n, false);
                        if (k == KernelSet.scalar()) assertArrayEquals(want, got, what);
                        else FusedInferenceTest.assertLogitsClose(what, want, got, want.length);
                    }
                    // One thread shares freely; two share only arrays of one size per image.
                    if (p == ONE) assertTrue(arrays(shared, g) < arrays(own, g), name + ": sharing uses fewer arrays");
                }
            }
        }
    }

    private static int arrays(Executor e, Graph g) {
        Set<float[]> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < g.nodes().size(); i++) distinct.add(e.output(i));
        return distinct.size();
    }
}
